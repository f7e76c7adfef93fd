import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator } from 'playwright-core';
import {
  browserUnavailable,
  check,
  launch,
  newPage,
  registerUser,
  screenshot,
  signInAs,
  startKawan,
  themeOf,
  type TestServer,
  type TestUser,
  type Tracked,
} from './browser.ts';
import { createChatbot, uploadFile, waitForDocument } from '../../server/test/factories.ts';
import { makeTextPdf, renderTextPng } from '../../server/src/modules/knowledge/parsing/test-fixtures.ts';
import { startLlmTestServer, type LlmTestServer } from '../../server/test/llm-server/server.ts';

/**
 * The playground in a real browser: a streamed answer grounded in an uploaded PDF with a citation that opens
 * the passage, the "not in the documents" answer, feedback that survives a reload, rename / search / delete,
 * history paging, and — through an OpenAI-compatible test server — code mode with a highlighted block, Stop,
 * a translated provider error and an image attachment.
 */
const skip = browserUnavailable();
const KEY = 'sk-chat-browser-test';
const CODE_REPLY = [
  'Here is the function:',
  '',
  '```python',
  'def greet(name):',
  '    return f"Hello, {name}!"',
  '```',
].join('\n');

describe('playground chat', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let llm: LlmTestServer;
  let owner: TestUser;
  let docBot: string;
  let docId: string;
  let codeBot: string;
  let providerId: string;

  const api = (path: string) => `/api/v1/orgs/${owner.orgId}${path}`;
  const playground = (bot: string) => `${s.url}/orgs/${owner.orgId}/chatbots/${bot}/playground`;

  before(async () => {
    [s, browser, llm] = await Promise.all([
      startKawan(),
      launch(),
      startLlmTestServer({
        apiKey: KEY,
        reply: CODE_REPLY,
        ttftMs: 5,
        itlMs: 1,
        models: [{ id: 'kawan-test-coder' }],
      }),
    ]);
    owner = await registerUser(s, { name: 'Chat Tester' });
    const p = await s.request('POST', api('/providers'), {
      token: owner.token,
      body: {
        name: 'Test server',
        preset: 'custom',
        baseUrl: llm.url,
        apiKey: KEY,
        models: [{ id: 'kawan-test-coder' }],
      },
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    providerId = p.body.id;

    docBot = (await createChatbot(s, owner, { name: 'Pawn helper' })).bot.id;
    codeBot = (
      await createChatbot(s, owner, {
        name: 'Code helper',
        modelSettings: { model: `${providerId}/kawan-test-coder` },
      })
    ).bot.id;
    const pdf = await makeTextPdf(
      [
        {
          heading: 'Gold pawn loans',
          lines: [
            'Gold pawn loans cost 1.25 percent interest per month.',
            'The loan term is 120 days and can be extended once.',
          ],
        },
        {
          heading: 'Opening hours',
          lines: ['Branches open from 8 am to 3 pm on weekdays.', 'Saturday service ends at noon.'],
        },
      ],
      'Pawn rates',
    );
    const up = await uploadFile(s, owner.token, api(`/chatbots/${docBot}/documents`), {
      name: 'pawn-rates.pdf',
      content: pdf,
      type: 'application/pdf',
    });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    docId = up.body.document.id;
    const doc = await waitForDocument(s, owner, docBot, docId);
    assert.equal(doc.status, 'indexed', JSON.stringify(doc));
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await llm?.close();
  });

  /** The dashboard follows the account's stored language and theme: set them for the run at hand. */
  async function prefer(language: 'en' | 'id', theme: 'light' | 'dark') {
    const r = await s.request('PATCH', '/api/v1/auth/me', {
      token: owner.token,
      body: { preferences: { language, theme } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  const assistant = (t: Tracked) => t.page.locator('li.chat-msg-assistant');
  const composer = (t: Tracked, label: string) => t.page.getByLabel(label, { exact: true });

  /** Asks through the composer and waits for the answer to be stored (or to fail). */
  async function ask(t: Tracked, label: string, text: string, nth: number): Promise<Locator> {
    await composer(t, label).fill(text);
    await composer(t, label).press('Enter');
    // The live bubble at this position is replaced by the stored message once the turn ends.
    await t.page.waitForFunction((n) => {
      const el = document.querySelectorAll('li.chat-msg-assistant')[n];
      return el !== undefined && ['complete', 'error'].includes(el.getAttribute('data-status') ?? '');
    }, nth);
    return assistant(t).nth(nth);
  }

  it('en/light: a streamed answer cites the PDF, the citation opens the passage; feedback, rename, search, delete', async () => {
    await prefer('en', 'light');
    const t = await newPage(browser, { lang: 'en', theme: 'light' });
    await signInAs(t, owner);
    await t.page.goto(playground(docBot));
    await t.page.getByRole('heading', { name: 'New conversation', level: 3 }).waitFor();
    await t.page.getByText('Ask Pawn helper about its documents').waitFor();
    await t.page.getByText('No conversations yet. Ask a question to start one.').waitFor();
    assert.equal(await t.page.getByText('This chatbot has no documents yet').count(), 0);
    await check(t, 'empty playground');
    await screenshot(t.page, 'chat-empty-en-light');

    // Ask: the first question creates the conversation, the answer streams in and is stored with a citation.
    const first = await ask(t, 'Message', 'How long is the loan term?', 0);
    await t.page.waitForURL(/\/playground\/cnv_[a-z0-9]+$/);
    const convId = new URL(t.page.url()).pathname.split('/').pop()!;
    assert.equal(await first.getAttribute('data-status'), 'complete');
    assert.match((await first.locator('.chat-md').textContent()) ?? '', /120 days/);
    const citation = first.getByRole('link', { name: /\[1\].*page 1/ });
    await citation.waitFor();
    assert.match((await first.locator('.chat-sources blockquote').first().textContent()) ?? '', /120 days/);
    assert.match(
      (await t.page.getByRole('status').filter({ hasText: 'Answer received' }).textContent()) ?? '',
      /120 days/,
      'the answer is announced once it is complete',
    );
    await t.page.getByRole('link', { name: /How long is the loan term\?/ }).waitFor(); // in the list
    await check(t, 'cited answer');
    await screenshot(t.page, 'chat-answer-en-light');

    // The citation opens the cited chunk in the document viewer.
    const stored = await s.request('GET', api(`/chatbots/${docBot}/conversations/${convId}/messages`), {
      token: owner.token,
    });
    const answerMsg = stored.body.data.find((m: { role: string }) => m.role === 'assistant');
    const chunkId = answerMsg.citations[0].chunkId as string;
    assert.match(chunkId, /^chk_/);
    await citation.click();
    await t.page.waitForURL(
      (u) =>
        u.pathname.endsWith(`/chatbots/${docBot}/documents/${docId}`) &&
        u.searchParams.get('chunk') === chunkId,
    );
    await t.page.goBack();
    await t.page.waitForURL(new RegExp(`/playground/${convId}$`));
    await assistant(t).first().waitFor();

    // A question the document does not answer says so instead of quoting something unrelated.
    const second = await ask(t, 'Message', 'Who painted the Mona Lisa?', 1);
    assert.match((await second.locator('.chat-md').textContent()) ?? '', /couldn't find/i);
    await second.getByText('Not found in the documents').waitFor();
    assert.equal(await second.locator('.chat-sources').count(), 0);

    // Feedback: stored on the server, shown again after a reload.
    const up = first.getByRole('button', { name: 'Helpful', exact: true });
    assert.equal(await up.getAttribute('aria-pressed'), 'false');
    await up.click();
    await first.getByRole('button', { name: 'Helpful', exact: true, pressed: true }).waitFor();
    await first.getByLabel('Comment (optional)').fill('Clear and cited.');
    await first.getByRole('button', { name: 'Send comment' }).click();
    await t.page.getByText('Thanks for your feedback.').waitFor();
    const fb = await s.rt.database.pool.query(
      'select rating, comment from message_feedback where message_id = $1',
      [answerMsg.id],
    );
    assert.deepEqual(fb.rows, [{ rating: 'up', comment: 'Clear and cited.' }]);
    await t.page.reload();
    await assistant(t).first().waitFor();
    assert.equal(
      await assistant(t)
        .first()
        .getByRole('button', { name: 'Helpful', exact: true })
        .getAttribute('aria-pressed'),
      'true',
    );
    assert.equal(
      await assistant(t).first().getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed'),
      'false',
    );

    // Details: the built-in responder, its tokens, and no model calls.
    await assistant(t).first().getByText('Details').click();
    await assistant(t).first().getByText('builtin/extractive').waitFor();
    await assistant(t)
      .first()
      .getByText(/No model was called/)
      .waitFor();
    await check(t, 'feedback and details');

    // Rename through the dialog.
    await t.page.getByRole('button', { name: 'Rename “How long is the loan term?”' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Rename conversation' });
    await dialog.getByLabel('Conversation title').fill('Loan questions');
    await check(t, 'rename dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await t.page.getByRole('heading', { name: 'Loan questions', level: 3 }).waitFor();
    await t.page.getByRole('link', { name: /Loan questions/ }).waitFor();
    const renamed = await s.request('GET', api(`/chatbots/${docBot}/conversations/${convId}`), {
      token: owner.token,
    });
    assert.equal(renamed.body.title, 'Loan questions');

    // Search matches message text as well as titles.
    const search = t.page.getByLabel('Search conversations');
    await search.fill('Mona Lisa');
    await t.page.getByRole('link', { name: /Loan questions/ }).waitFor();
    await search.fill('zebra crossing');
    await t.page.getByText('No conversation matches “zebra crossing”.').waitFor();
    await search.fill('');
    await t.page.getByRole('link', { name: /Loan questions/ }).waitFor();

    // Delete with confirmation: back to a new thread, gone on the server.
    await t.page.getByRole('button', { name: 'Delete “Loan questions”' }).click();
    const confirm = t.page.getByRole('dialog', { name: 'Are you sure?' });
    await confirm.getByText(/Delete the conversation “Loan questions”/).waitFor();
    await screenshot(t.page, 'chat-delete-en-light');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await t.page.waitForURL(new RegExp(`/chatbots/${docBot}/playground$`));
    await t.page.getByText('No conversations yet. Ask a question to start one.').waitFor();
    const gone = await s.request('GET', api(`/chatbots/${docBot}/conversations/${convId}`), {
      token: owner.token,
    });
    assert.equal(gone.status, 404);
    await check(t, 'after delete');
    await t.context.close();
  });

  it('id/dark: code mode with a model highlights code; snippet, Stop, a translated error, an image', async () => {
    await prefer('id', 'dark');
    const t = await newPage(browser, { lang: 'id', theme: 'dark' });
    await signInAs(t, owner);
    await t.page.goto(playground(codeBot));
    // No documents: the playground says where answers come from and links to the documents tab.
    await t.page.getByText('Chatbot ini belum memiliki dokumen').waitFor();
    assert.equal(
      await t.page.getByRole('link', { name: 'Tambahkan dokumen' }).getAttribute('href'),
      `/orgs/${owner.orgId}/chatbots/${codeBot}/documents`,
    );
    const th = await themeOf(t.page);
    assert.equal(th.theme, 'dark');
    assert.equal(th.background, 'rgb(15, 18, 24)');
    await check(t, 'playground id/dark');

    await t.page.getByLabel('Mode').selectOption('code');
    const answer = await ask(t, 'Pesan', 'Tulis fungsi salam dalam Python', 0);
    assert.equal(await answer.getAttribute('data-status'), 'complete');
    const code = answer.locator('.chat-code code.hljs.language-python');
    await code.waitFor();
    assert.equal(await code.locator('.hljs-keyword').first().textContent(), 'def');
    assert.ok((await code.locator('.hljs-string').count()) > 0, 'strings highlighted');
    assert.equal(llm.lastChat()?.body.model, 'kawan-test-coder');
    await t.page.locator('li.chat-msg-user').getByText('Kode', { exact: true }).waitFor(); // mode badge
    await answer.getByRole('button', { name: 'Salin kode' }).waitFor();
    await answer.getByRole('button', { name: 'Simpan cuplikan' }).click();
    await t.page.getByText('Tersimpan di cuplikan Anda').waitFor();
    const snippets = await s.request('GET', api('/snippets'), { token: owner.token });
    assert.equal(snippets.status, 200, JSON.stringify(snippets.body));
    assert.ok(
      snippets.body.data.some(
        (x: { code: string; language: string }) => x.language === 'python' && x.code.includes('def greet'),
      ),
      JSON.stringify(snippets.body),
    );

    // Details: the model that answered and its trace.
    await answer.getByText('Detail', { exact: true }).click();
    await answer.getByText(`${providerId}/kawan-test-coder`, { exact: true }).waitFor();
    await answer.getByRole('cell', { name: 'Berhasil' }).waitFor();
    await check(t, 'code answer id/dark');
    await screenshot(t.page, 'chat-code-id-dark');

    // Stop: a slow answer shows text as it arrives; Stop ends the request and the composer is ready again.
    await composer(t, 'Pesan').fill('Tulis kode panjang [[itl:100]] [[tokens:60]]');
    await composer(t, 'Pesan').press('Enter');
    const liveAnswer = t.page.locator('li.chat-msg-assistant.is-live .chat-md');
    await liveAnswer.waitFor();
    assert.ok(((await liveAnswer.textContent()) ?? '').length > 0);
    await t.page.getByRole('button', { name: 'Hentikan' }).click();
    await t.page.getByRole('button', { name: 'Kirim' }).waitFor();
    await t.page.getByRole('status').filter({ hasText: 'Dihentikan.' }).waitFor();
    const aborted = await llm.settled((r) => JSON.stringify(r.body ?? '').includes('[[tokens:60]]'), 60_000);
    assert.ok(['completed', 'aborted'].includes(aborted.outcome));

    // A provider failure is shown in the thread, in Indonesian.
    await t.page.getByLabel('Mode').selectOption('chat');
    const failed = await ask(t, 'Pesan', 'Halo [[error:401]]', 2);
    assert.equal(await failed.getAttribute('data-status'), 'error');
    await failed
      .getByRole('alert')
      .getByText(/Penyedia model mengembalikan kesalahan/)
      .waitFor();

    // Image: pick, preview, remove, pick again, send; the question keeps the attachment.
    const png = await renderTextPng(['Kawan'], 400);
    const file = { name: 'kartu.png', mimeType: 'image/png', buffer: png };
    const picker = t.page.getByLabel('Lampirkan gambar');
    await picker.setInputFiles(file);
    await t.page.getByRole('img', { name: 'kartu.png' }).waitFor();
    await t.page.getByRole('button', { name: 'Hapus gambar kartu.png' }).click();
    assert.equal(await t.page.getByRole('img', { name: 'kartu.png' }).count(), 0);
    await picker.setInputFiles(file);
    await t.page.getByRole('img', { name: 'kartu.png' }).waitFor();
    await check(t, 'image preview');
    await ask(t, 'Pesan', 'Apa isi gambar ini?', 3);
    await t.page.locator('li.chat-msg-user').getByText('Gambar: kartu.png').waitFor();
    const sent = llm.lastChat()!;
    assert.match(
      JSON.stringify(sent.body.messages),
      /image_url|Kawan/,
      'the image (or its OCR text) reached the model',
    );
    await check(t, 'after image');
    await screenshot(t.page, 'chat-image-id-dark');
    await t.context.close();
  });

  it('phone width: the list folds behind a toggle; long histories page in older turns', async () => {
    const base = api(`/chatbots/${docBot}/conversations`);
    const conv = await s.request('POST', base, { token: owner.token, body: { title: 'Long thread' } });
    assert.equal(conv.status, 201, JSON.stringify(conv.body));
    for (let i = 1; i <= 16; i++) {
      const r = await s.request('POST', `${base}/${conv.body.id}/messages`, {
        token: owner.token,
        body: { content: `Question number ${i} about the loan term` },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }

    await prefer('en', 'dark');
    const t = await newPage(browser, { lang: 'en', theme: 'dark', viewport: { width: 390, height: 800 } });
    await signInAs(t, owner);
    await t.page.goto(`${playground(docBot)}/${conv.body.id}`);
    await t.page.getByText('Question number 16 about the loan term').waitFor();
    assert.equal(await t.page.getByLabel('Search conversations').isVisible(), false, 'list folded away');
    const earliest = t.page.getByText('Question number 1 about the loan term', { exact: true });
    assert.equal(await earliest.count(), 0, 'older turns are not loaded yet');
    await check(t, 'phone thread');
    await screenshot(t.page, 'chat-phone-en-dark');

    await t.page.getByRole('button', { name: 'Load earlier messages' }).click();
    await earliest.waitFor();
    assert.equal(await t.page.locator('li.chat-msg-user').count(), 16);

    const toggle = t.page.getByRole('button', { name: 'Show conversations' });
    await toggle.click();
    await t.page.getByLabel('Search conversations').waitFor();
    assert.equal(
      await t.page.getByRole('button', { name: 'Hide conversations' }).getAttribute('aria-expanded'),
      'true',
    );
    await t.page.getByRole('link', { name: /Long thread/ }).waitFor();
    await check(t, 'phone list open');
    await screenshot(t.page, 'chat-phone-list-en-dark');
    await t.context.close();
  });
});
