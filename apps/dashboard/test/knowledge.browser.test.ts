import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
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
import { createChatbot, uploadFile } from '../../server/test/factories.ts';
import { makeTextPdf } from '../../server/src/modules/knowledge/parsing/test-fixtures.ts';

/**
 * Knowledge tabs of a chatbot in a real browser: upload (file input and a drop), live ingestion status,
 * refusals in the user's language, URL ingestion errors, the chunk viewer, the search playground's score
 * breakdown and its link to the cited chunk, the FAQ editor with CSV import, replace/download/delete.
 */
const skip = browserUnavailable();
const MAX_UPLOAD_BYTES = 256 * 1024;
const MAX_DOCUMENTS_PER_CHATBOT = 3;
const READY_MS = 90_000;

/** Bytes of a Windows executable: the server sniffs content, so the name does not matter. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(512, 0x41)]);

const pdfAbout = (topic: string, lines: string[][]) =>
  makeTextPdf(
    lines.map((l, i) => ({ heading: `${topic} part ${i + 1}`, lines: l })),
    topic,
  );

/** Drops files on the drop zone the way a browser does: dragenter, dragover, drop with a DataTransfer. */
async function dropFiles(page: Page, files: { name: string; type: string; bytes: Uint8Array }[]) {
  const payload = files.map((f) => ({
    name: f.name,
    type: f.type,
    b64: Buffer.from(f.bytes).toString('base64'),
  }));
  await page.evaluate((fs) => {
    const dt = new DataTransfer();
    for (const f of fs) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const zone = document.querySelector('[data-testid=dropzone]');
    if (!zone) throw new Error('no drop zone');
    for (const type of ['dragenter', 'dragover', 'drop'])
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, payload);
}

/**
 * Chromium logs every 4xx response as a console error ("Failed to load resource"). Where a test provokes a
 * refusal on purpose, exactly those entries are taken off the record, so any other console error still fails.
 */
function expectHttpErrors(t: Tracked, statuses: number[]) {
  for (const status of statuses) {
    const i = t.errors.findIndex((e) =>
      e.includes(`Failed to load resource: the server responded with a status of ${status} `),
    );
    assert.ok(i >= 0, `expected a ${status} response to be logged; errors: ${JSON.stringify(t.errors)}`);
    t.errors.splice(i, 1);
  }
}

const row = (page: Page, title: string) => page.locator('tr[data-doc-id]').filter({ hasText: title });

async function waitReady(page: Page, title: string) {
  await row(page, title).locator('[data-status=indexed]').waitFor({ timeout: READY_MS });
}

describe('knowledge pages', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    s = await startKawan({
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      MAX_DOCUMENTS_PER_CHATBOT: String(MAX_DOCUMENTS_PER_CHATBOT),
    });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const setPrefs = async (user: TestUser, preferences: { language?: 'en' | 'id'; theme?: string }) => {
    const r = await s.request('PATCH', '/api/v1/auth/me', { token: user.token, body: { preferences } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };

  const open = async (
    user: TestUser,
    opts: { lang: 'en' | 'id'; theme: 'light' | 'dark' },
    path: string,
  ): Promise<Tracked> => {
    const t = await newPage(browser, opts);
    await signInAs(t, user);
    await t.page.goto(`${s.url}${path}`);
    return t;
  };

  it('en/light: upload by input and by drop, live status, refusals, URL error, viewer, search → cited chunk, replace, download, delete', async () => {
    const user = await registerUser(s, { name: 'Knowledge Owner' });
    await setPrefs(user, { language: 'en', theme: 'light' });
    const { bot } = await createChatbot(s, user, { name: 'Support bot' });
    const base = `/orgs/${user.orgId}/chatbots/${bot.id}`;
    const api = `/api/v1/orgs/${user.orgId}/chatbots/${bot.id}`;
    const t = await open(user, { lang: 'en', theme: 'light' }, `${base}/documents`);
    const { page } = t;

    await page.getByText('No documents yet.').waitFor();
    assert.equal((await themeOf(page)).theme, 'light');
    await check(t, 'documents empty');
    await screenshot(page, 'knowledge-documents-empty-en-light');

    // The page must update by itself: a marker on window survives only if nothing reloads.
    await page.evaluate(() => ((window as unknown as { __kawanMarker: number }).__kawanMarker = 42));

    // 1. Pick a PDF through the labelled file input.
    const manual = await pdfAbout('Warranty handbook', [
      ['The warranty covers zebra striped umbrellas for twenty four months.', 'Keep the receipt.'],
      ['Refunds are paid within fourteen days to the original card.', 'Shipping costs are not refunded.'],
    ]);
    await page.getByLabel('Choose files').setInputFiles({
      name: 'warranty.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(manual),
    });
    await page.locator('.kn-uploads').getByText('warranty.pdf').waitFor();
    await waitReady(page, 'warranty.pdf');
    const warrantyRow = row(page, 'warranty.pdf');
    assert.equal(await warrantyRow.locator('td').nth(3).textContent(), '2', 'page count column');
    assert.match((await warrantyRow.locator('td').nth(4).textContent()) ?? '', /^[1-9]\d*$/, 'chunk count');
    assert.equal(await warrantyRow.locator('[data-status]').textContent(), 'Ready');
    // The PDF's own title replaces the file name as the document's title; the file name stays beside it.
    await warrantyRow.getByRole('link', { name: 'Warranty handbook' }).waitFor();

    // 2. Drop a second PDF on the zone.
    const dropped = await pdfAbout('Opening hours', [
      ['The shop opens at nine in the morning on weekdays.', 'On Saturdays it closes at noon.'],
    ]);
    // Ingestion here is faster than a person can watch, so the first list answer that carries the new
    // document is rewritten to say it is still indexing at 60%: only polling can then bring "Ready".
    let rewritten = 0;
    const isList = (u: URL) => u.pathname === `${api}/documents`;
    await page.route(isList, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const doc = body.data?.find((d: { filename: string }) => d.filename === 'hours.pdf');
      if (doc && rewritten === 0) {
        rewritten++;
        Object.assign(doc, { status: 'embedding', progress: 60, chunkCount: null });
      }
      await route.fulfill({ response: res, json: body });
    });
    await dropFiles(page, [{ name: 'hours.pdf', type: 'application/pdf', bytes: dropped }]);
    const indexing = row(page, 'hours.pdf').locator('[data-status=embedding]');
    await indexing.waitFor();
    assert.equal(await indexing.textContent(), 'Indexing');
    assert.equal(await row(page, 'hours.pdf').locator('progress').getAttribute('value'), '60');
    await page.getByText('Ingestion in progress — the status updates by itself.').waitFor();
    await check(t, 'documents while indexing');
    await screenshot(page, 'knowledge-documents-indexing-en-light');
    await waitReady(page, 'hours.pdf');
    assert.equal(rewritten, 1);
    await page.unroute(isList);
    assert.equal(
      await page.getByText('Ingestion in progress').count(),
      0,
      'polling stops once all are settled',
    );
    assert.equal(
      await page.evaluate(() => (window as unknown as { __kawanMarker?: number }).__kawanMarker),
      42,
      'the status turned Ready without a reload',
    );

    // 3. Refusals, each on its own line in the upload list, in plain English.
    await page.getByLabel('Choose files').setInputFiles([
      { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: EXE },
      { name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 10, 0x61) },
    ]);
    await page.getByRole('alert').filter({ hasText: '“setup.exe” is not a supported file type.' }).waitFor();
    await page.getByRole('alert').filter({ hasText: '“huge.txt” is too large to upload.' }).waitFor();
    expectHttpErrors(t, [415, 413]);
    await check(t, 'documents with uploads');
    await screenshot(page, 'knowledge-documents-en-light');

    // 4. A private address is refused by the server's SSRF guard: a sentence, not JSON.
    await page.getByLabel('Web address').fill('http://127.0.0.1:9/internal');
    await page.getByRole('button', { name: 'Add page' }).click();
    await page.getByRole('alert').filter({ hasText: 'This address could not be fetched.' }).waitFor();
    assert.equal(await page.getByText('{"error"').count(), 0);
    expectHttpErrors(t, [400]);
    await check(t, 'url error');

    // 5. Filter by name and by status.
    await page.getByLabel('Filter by name').fill('hours');
    await page.locator('tr[data-doc-id]').filter({ hasText: 'warranty.pdf' }).waitFor({ state: 'detached' });
    await row(page, 'hours.pdf').waitFor();
    assert.equal(await page.locator('tr[data-doc-id]').count(), 1);
    await page.getByLabel('Filter by name').fill('');
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByText('No documents match the filter.').waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await row(page, 'warranty.pdf').waitFor();

    // 6. Download the original.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Warranty handbook' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'warranty.pdf');
    const saved = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of saved) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');

    // 7. The viewer: metadata and chunks with their pages.
    await row(page, 'warranty.pdf').getByRole('link', { name: 'Warranty handbook' }).click();
    await page.getByRole('heading', { name: 'Warranty handbook', level: 2 }).waitFor();
    await page.locator('.kn-chunk').first().waitFor();
    const viewerText = (await page.locator('.kn-chunks').textContent()) ?? '';
    assert.match(viewerText, /Page 1/);
    assert.match(viewerText, /Page 2/);
    assert.match(viewerText, /zebra striped umbrellas/);
    assert.equal(await page.locator('[aria-current=true]').count(), 0, 'nothing cited without ?chunk=');
    await check(t, 'viewer');
    await screenshot(page, 'knowledge-viewer-en-light');

    // 8. Search playground: the hit, its score breakdown exactly as the API gives it, and the link.
    await page.goto(`${s.url}${base}/search`);
    await page.getByText('Type a question and search').waitFor();
    await check(t, 'search idle');
    const query = 'zebra umbrellas warranty';
    await page.getByLabel('Question or keywords').fill(query);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.kn-hit').first().waitFor();
    const fromApi = await s.request('POST', `${api}/search`, {
      token: user.token,
      body: { query, mode: 'hybrid', topK: 10, expand: true },
    });
    assert.equal(fromApi.status, 200, JSON.stringify(fromApi.body));
    const top = fromApi.body.hits[0];
    assert.equal(top.documentTitle, 'Warranty handbook');
    const first = page.locator('.kn-hit').first();
    assert.equal(await first.getAttribute('data-chunk-id'), top.chunkId);
    assert.equal(await first.locator('.kn-hit-title').textContent(), 'Warranty handbook');
    assert.match((await first.locator('.kn-hit-meta').textContent()) ?? '', new RegExp(`Page ${top.page}`));
    assert.ok((await first.locator('.kn-snippet mark').count()) > 0, 'matched words are marked');
    const shownParts = await first
      .locator('.kn-scores > div')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-score'), e.querySelector('dd')?.getAttribute('title')]),
      );
    // The parts in the API's order; the ranking score is added only when it is not one of them.
    const expected = Object.entries(top.scores as Record<string, number>).map(([k, v]) => [k, String(v)]);
    const scoreShown = Object.values(top.scores).includes(top.score) ? [] : [['score', String(top.score)]];
    assert.deepEqual(shownParts, [...expected, ...scoreShown]);
    assert.ok(expected.length >= 2, `hybrid mode reports the parts: ${JSON.stringify(top.scores)}`);
    assert.match((await first.locator('.kn-scores').textContent()) ?? '', /Keyword \(BM25\)/);
    await check(t, 'search results');
    await screenshot(page, 'knowledge-search-en-light');

    // Keyword mode: the UI shows what that mode returns, no more.
    await page.getByLabel('Mode').selectOption('keyword');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /Results: \d+ · Keyword/ }).waitFor();
    const kw = await s.request('POST', `${api}/search`, {
      token: user.token,
      body: { query, mode: 'keyword', topK: 10, expand: true },
    });
    const kwShown = await page
      .locator('.kn-hit')
      .first()
      .locator('.kn-scores > div')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-score')));
    const kwTop = kw.body.hits[0];
    assert.deepEqual(kwShown, [
      ...Object.keys(kwTop.scores),
      ...(Object.values(kwTop.scores).includes(kwTop.score) ? [] : ['score']),
    ]);

    // The hit's link opens the viewer at that chunk, highlighted, focused and headed "Cited passage".
    await page.getByLabel('Mode').selectOption('hybrid');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /Results: \d+ · Hybrid/ }).waitFor();
    await page
      .locator('.kn-hit')
      .first()
      .getByRole('link', { name: 'Open result 1 in Warranty handbook' })
      .click();
    await page.waitForURL(new RegExp(`/documents/${top.documentId}\\?chunk=${top.chunkId}`));
    const cited = page.locator('article[aria-current=true]');
    await cited.waitFor();
    assert.equal(await cited.getAttribute('data-chunk-id'), top.chunkId);
    assert.match((await cited.textContent()) ?? '', /Cited passage/);
    await page.getByRole('heading', { name: 'Cited passage' }).waitFor();
    assert.ok(await cited.evaluate((el) => el.classList.contains('kn-chunk-cited')));
    await page.waitForFunction(
      (id) => document.activeElement?.getAttribute('data-chunk-id') === id,
      top.chunkId,
    );
    assert.ok(await cited.isVisible());
    await check(t, 'viewer cited');
    await screenshot(page, 'knowledge-viewer-cited-en-light');

    // 9. Replace the file: a new version is ingested, live again.
    await page.goto(`${s.url}${base}/documents`);
    await waitReady(page, 'hours.pdf');
    const replacement = await pdfAbout('Opening hours v2', [
      ['From June the shop opens at eight in the morning.'],
    ]);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Replace the file of Opening hours' }).click(),
    ]);
    await chooser.setFiles({
      name: 'hours-v2.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(replacement),
    });
    await page.getByText('New version of “Opening hours” uploaded').waitFor();
    await waitReady(page, 'hours-v2.pdf · version 2');
    const docs = await s.request('GET', `${api}/documents?q=hours`, { token: user.token });
    assert.equal(docs.body.data[0].version, 2);
    assert.equal(docs.body.data[0].indexedVersion, 2);

    // 10. Delete with confirmation; cancelling first changes nothing.
    await page.getByRole('button', { name: 'Delete Opening hours' }).click();
    const dialog = page.getByRole('dialog', { name: 'Are you sure?' });
    await dialog.getByText('Delete “Opening hours”?').waitFor();
    await check(t, 'delete dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await row(page, 'hours-v2.pdf').count(), 1);
    await page.getByRole('button', { name: 'Delete Opening hours' }).click();
    await dialog.getByRole('button', { name: 'Delete document' }).click();
    await row(page, 'hours-v2.pdf').waitFor({ state: 'detached' });
    const left = await s.request('GET', `${api}/documents`, { token: user.token });
    assert.deepEqual(
      left.body.data.map((d: { title: string }) => d.title),
      ['Warranty handbook'],
    );
    await check(t, 'after delete');
    await t.context.close();
  });

  it('en/light: FAQ editor — add, edit, search, delete with confirmation, CSV and JSON import', async () => {
    const user = await registerUser(s);
    await setPrefs(user, { language: 'en', theme: 'light' });
    const { bot } = await createChatbot(s, user, { name: 'FAQ bot' });
    const base = `/orgs/${user.orgId}/chatbots/${bot.id}`;
    const t = await open(user, { lang: 'en', theme: 'light' }, `${base}/faqs`);
    const { page } = t;
    await page.getByText('No FAQ entries yet.').waitFor();
    await check(t, 'faqs empty');

    await page.getByRole('button', { name: 'Add FAQ' }).click();
    const dlg = page.getByRole('dialog', { name: 'New FAQ' });
    await dlg.getByLabel('Question').fill('Can I pay by bank transfer?');
    await dlg.getByLabel('Answer').fill('Yes, to account 123-456.');
    await dlg.getByLabel('Tags').fill('payment, bank');
    await check(t, 'faq dialog');
    await dlg.getByRole('button', { name: 'Save' }).click();
    const item = page.locator('.kn-faq').filter({ hasText: 'Can I pay by bank transfer?' });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /payment.*bank/);

    await page.getByRole('button', { name: 'Edit: Can I pay by bank transfer?' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit FAQ' });
    assert.equal(await edit.getByLabel('Answer').inputValue(), 'Yes, to account 123-456.');
    await edit.getByLabel('Answer').fill('Yes, to account 987-654 at Bank Kawan.');
    await edit.getByRole('button', { name: 'Save' }).click();
    await item.getByText('Yes, to account 987-654 at Bank Kawan.').waitFor();

    // Adding the same question again is refused with a sentence next to the field.
    await page.getByRole('button', { name: 'Add FAQ' }).click();
    await dlg.getByLabel('Question').fill('can i pay by bank transfer?');
    await dlg.getByLabel('Answer').fill('Duplicate');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.getByText('This question already exists.').waitFor();
    await dlg.getByRole('button', { name: 'Cancel' }).click();
    expectHttpErrors(t, [409]);

    const csv =
      'question,answer,tags\n' +
      'What are your opening hours?,We are open from nine to five on weekdays.,hours;general\n' +
      '"Do you ship abroad?","Yes, to thirty countries.",shipping\n';
    await page.getByLabel('Choose CSV or JSON file').setInputFiles({
      name: 'faqs.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByText('Imported 2 entries: 2 added, 0 updated, 0 unchanged.').waitFor();
    await page.locator('.kn-faq').filter({ hasText: 'Do you ship abroad?' }).waitFor();
    assert.equal(await page.locator('.kn-faq').count(), 3);

    // JSON import of an existing question updates it.
    await page.getByLabel('Choose CSV or JSON file').setInputFiles({
      name: 'faqs.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify([{ question: 'Do you ship abroad?', answer: 'Yes, to forty countries now.' }]),
      ),
    });
    await page.getByText('Imported 1 entries: 0 added, 1 updated, 0 unchanged.').waitFor();
    await page.getByText('Yes, to forty countries now.').waitFor();
    // A broken JSON file gets a sentence.
    await page.getByLabel('Choose CSV or JSON file').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('[{"question": '),
    });
    await page.getByRole('alert').filter({ hasText: 'The file is not a JSON array' }).waitFor();

    await page.getByLabel('Search questions and answers').fill('ship');
    await page.locator('.kn-faq').filter({ hasText: 'opening hours' }).waitFor({ state: 'detached' });
    await page.locator('.kn-faq').filter({ hasText: 'Do you ship abroad?' }).waitFor();
    assert.equal(await page.locator('.kn-faq').count(), 1);
    await page.waitForURL(/[?&]q=ship/);
    await page.getByLabel('Search questions and answers').fill('');
    await page.locator('.kn-faq').nth(2).waitFor();
    await check(t, 'faqs list');
    await screenshot(page, 'knowledge-faqs-en-light');

    await page.getByRole('button', { name: 'Delete: Can I pay by bank transfer?' }).click();
    const confirm = page.getByRole('dialog', { name: 'Are you sure?' });
    await confirm.getByText('Delete the FAQ “Can I pay by bank transfer?”?').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await item.waitFor({ state: 'detached' });
    const list = await s.request('GET', `/api/v1/orgs/${user.orgId}/chatbots/${bot.id}/faqs`, {
      token: user.token,
    });
    assert.deepEqual(list.body.data.map((f: { question: string }) => f.question).sort(), [
      'Do you ship abroad?',
      'What are your opening hours?',
    ]);
    await t.context.close();
  });

  it('id/dark: upload to Siap, translated refusals and URL error, viewer, FAQ and search pages in Indonesian', async () => {
    const user = await registerUser(s, { name: 'Pemilik Pengetahuan' });
    await setPrefs(user, { language: 'id', theme: 'dark' });
    const { bot } = await createChatbot(s, user, { name: 'Bot layanan' });
    const base = `/orgs/${user.orgId}/chatbots/${bot.id}`;
    const t = await open(user, { lang: 'id', theme: 'dark' }, `${base}/documents`);
    const { page } = t;
    await page.getByText('Belum ada dokumen.').waitFor();
    const th = await themeOf(page);
    assert.equal(th.theme, 'dark');
    assert.equal(th.background, 'rgb(15, 18, 24)');
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    await check(t, 'dokumen kosong');
    await screenshot(page, 'knowledge-documents-empty-id-dark');

    const pdf = await pdfAbout('Panduan garansi', [
      ['Garansi berlaku selama dua belas bulan sejak tanggal pembelian.', 'Simpan struk pembelian Anda.'],
    ]);
    await page.getByLabel('Pilih berkas').setInputFiles({
      name: 'garansi.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(pdf),
    });
    await waitReady(page, 'garansi.pdf');
    assert.equal(await row(page, 'garansi.pdf').locator('[data-status]').textContent(), 'Siap');

    await dropFiles(page, [{ name: 'alat.exe', type: 'application/x-msdownload', bytes: EXE }]);
    await page
      .getByRole('alert')
      .filter({ hasText: '“alat.exe” bukan jenis berkas yang didukung.' })
      .waitFor();

    await page.getByLabel('Alamat web').fill('http://10.0.0.1/rahasia');
    await page.getByRole('button', { name: 'Tambahkan halaman' }).click();
    await page.getByRole('alert').filter({ hasText: 'Alamat ini tidak dapat diambil.' }).waitFor();
    await page.getByText('Detail teknis').click();
    expectHttpErrors(t, [415, 400]);
    await check(t, 'dokumen');
    await screenshot(page, 'knowledge-documents-id-dark');

    await row(page, 'garansi.pdf').getByRole('link', { name: 'Panduan garansi' }).click();
    await page.getByText('Halaman 1').first().waitFor();
    await page.getByText('Potongan 1', { exact: false }).first().waitFor();
    await check(t, 'penampil');
    await screenshot(page, 'knowledge-viewer-id-dark');

    await page.goto(`${s.url}${base}/search`);
    await page.getByLabel('Pertanyaan atau kata kunci').fill('garansi dua belas bulan');
    await page.getByLabel('Mode').selectOption('keyword');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.getByRole('heading', { name: /Hasil: \d+ · Kata kunci/ }).waitFor();
    await page.locator('.kn-scores').first().getByText('Kata kunci (BM25)').waitFor();
    await page
      .locator('.kn-hit')
      .first()
      .getByRole('link', { name: 'Buka hasil 1 di Panduan garansi' })
      .click();
    await page.getByRole('heading', { name: 'Kutipan yang dirujuk' }).waitFor();
    await check(t, 'pencarian → kutipan');
    await screenshot(page, 'knowledge-viewer-cited-id-dark');

    await page.goto(`${s.url}${base}/search`);
    await page.getByLabel('Pertanyaan atau kata kunci').fill('garansi');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.locator('.kn-hit').first().waitFor();
    await check(t, 'pencarian');
    await screenshot(page, 'knowledge-search-id-dark');

    await page.goto(`${s.url}${base}/faqs`);
    await page.getByText('Belum ada entri FAQ.').waitFor();
    await page.getByRole('button', { name: 'Tambah FAQ' }).click();
    const dlg = page.getByRole('dialog', { name: 'FAQ baru' });
    await dlg.getByLabel('Pertanyaan').fill('Berapa lama garansinya?');
    await dlg.getByLabel('Jawaban').fill('Dua belas bulan.');
    await dlg.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('.kn-faq').filter({ hasText: 'Berapa lama garansinya?' }).waitFor();
    await check(t, 'faq');
    await screenshot(page, 'knowledge-faqs-id-dark');
    await t.context.close();
  });

  it('a full chatbot refuses another upload with a translated 409; a viewer sees no upload controls', async () => {
    const user = await registerUser(s);
    await setPrefs(user, { language: 'en', theme: 'light' });
    const { bot } = await createChatbot(s, user, { name: 'Full bot' });
    const docs = `/api/v1/orgs/${user.orgId}/chatbots/${bot.id}/documents`;
    for (let i = 0; i < MAX_DOCUMENTS_PER_CHATBOT; i++) {
      const up = await uploadFile(s, user.token, docs, { name: `n${i}.txt`, content: `Document ${i} body.` });
      assert.equal(up.status, 201, JSON.stringify(up.body));
    }
    const base = `/orgs/${user.orgId}/chatbots/${bot.id}`;
    const t = await open(user, { lang: 'en', theme: 'light' }, `${base}/documents`);
    await t.page
      .locator('tr[data-doc-id]')
      .nth(MAX_DOCUMENTS_PER_CHATBOT - 1)
      .waitFor();
    await t.page.getByLabel('Choose files').setInputFiles({
      name: 'one-more.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('One document too many.'),
    });
    await t.page
      .getByRole('alert')
      .filter({ hasText: 'This chatbot already holds the most documents it may have.' })
      .waitFor();
    expectHttpErrors(t, [409]);
    await check(t, 'limit reached');
    await t.context.close();

    // A viewer of the org reads documents but gets no upload, replace or delete controls.
    const viewer = await registerUser(s);
    const inv = await s.request('POST', `/api/v1/orgs/${user.orgId}/invitations`, {
      token: user.token,
      body: { email: viewer.email, role: 'viewer' },
    });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));
    const acc = await s.request('POST', '/api/v1/invitations/accept', {
      token: viewer.token,
      body: { token: inv.body.token },
    });
    assert.equal(acc.status, 200, JSON.stringify(acc.body));
    await setPrefs(viewer, { language: 'en', theme: 'light' });
    const v = await open(viewer, { lang: 'en', theme: 'light' }, `${base}/documents`);
    await v.page
      .locator('tr[data-doc-id]')
      .nth(MAX_DOCUMENTS_PER_CHATBOT - 1)
      .waitFor();
    await v.page.getByRole('button', { name: 'Download n0.txt' }).waitFor();
    // The role is known once the org list has loaded (the switcher lists both of the viewer's orgs).
    await v.page.waitForFunction(
      () => document.querySelectorAll('select[aria-label="Organization"] option').length >= 2,
    );
    assert.equal(await v.page.getByLabel('Choose files').count(), 0);
    assert.equal(await v.page.getByRole('button', { name: /^Delete / }).count(), 0);
    assert.equal(await v.page.getByRole('button', { name: /^Replace / }).count(), 0);
    await check(v, 'viewer role');
    await v.context.close();
  });
});
