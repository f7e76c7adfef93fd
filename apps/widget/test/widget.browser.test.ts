import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import {
  browserUnavailable,
  check,
  launch,
  newPage,
  registerUser,
  screenshot,
  startKawan,
  type TestServer,
  type Tracked,
} from '../../dashboard/test/browser.ts';
import { createChatbot, uploadFile, waitForDocument, type TestUser } from '../../server/test/factories.ts';
import { shopPage, startHostSite, type HostSite, type WidgetAttrs } from './host-page.ts';

/**
 * The embeddable widget on a customer's page: a plain HTML page served from another port (another origin)
 * with hostile global CSS, the widget's script tag pointing at Kawan. Neither side's styles may leak, the
 * answer streams with citations, the demo quota shows and runs out, and a site outside the chatbot's allowed
 * domains is refused.
 */
const HANDBOOK = `# Pawn loans at Toko Emas

## Interest
The monthly interest rate for gold pawn loans is 1.25 percent of the loan amount.
Loans run for a term of 120 days and may be extended twice.

## Documents
Bring your national identity card (KTP) and the gold item. Receipts are not required for jewellery.

## Auction
Items not redeemed within 14 days after the due date are sold at auction.

## Opening hours
The shop opening hours are **08:00 to 16:00** <img src="x" onerror="window.__xss = 1"> every day except Sunday.
`;

const W = 'kawan-chat-widget';
const RED = 'rgb(255, 0, 0)';
const LIME = 'rgb(0, 255, 0)';
const PROPS = [
  'font-family',
  'font-size',
  'color',
  'background-color',
  'padding-top',
  'padding-left',
  'margin-top',
  'border-top-style',
  'border-top-width',
  'border-top-left-radius',
  'box-sizing',
  'line-height',
  'letter-spacing',
  'display',
] as const;
type Style = Record<(typeof PROPS)[number], string>;

function styleOf(loc: Locator): Promise<Style> {
  return loc.evaluate(
    (el, props) => {
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)])) as Style;
    },
    [...PROPS],
  );
}

/** What the page itself looks like: its elements' styles, its style sheets, globals and body children. */
async function pageState(page: Page) {
  const styles: Record<string, Style> = {};
  for (const id of ['title', 'box', 'buy']) styles[id] = await styleOf(page.locator(`#${id}`));
  return {
    styles,
    sheets: await page.evaluate(() => document.styleSheets.length),
    globals: await page.evaluate(() => Object.keys(window)),
    body: await page.evaluate(() =>
      Array.from(document.body.children)
        .map((e) => e.tagName.toLowerCase())
        .filter((tag) => tag !== 'script'),
    ),
  };
}

function ui(page: Page) {
  return {
    host: page.locator(W),
    bubble: page.locator(`${W} .bubble`),
    panel: page.locator(`${W} .panel`),
    head: page.locator(`${W} .head`),
    log: page.locator(`${W} .log`),
    input: page.locator(`${W} textarea`),
    send: page.locator(`${W} .send`),
    notice: page.locator(`${W} .notice`),
    remaining: page.locator(`${W} .sub`),
    botMessages: page.locator(`${W} .msg.bot`),
    citations: page.locator(`${W} .msg.bot .cites li`),
  };
}

/** The element focused inside the widget's shadow root (document.activeElement is the host). */
function focusedInWidget(page: Page): Promise<string | null> {
  return page.evaluate(
    `document.querySelector('${W}')?.shadowRoot?.activeElement?.getAttribute('class') ?? ` +
      `document.querySelector('${W}')?.shadowRoot?.activeElement?.tagName ?? null`,
  ) as Promise<string | null>;
}

/** Console errors the test expects (a refused fetch is logged by Chromium): removed, after checking they happened. */
function expectConsoleError(t: Tracked, pattern: RegExp): void {
  const hits = t.errors.filter((e) => pattern.test(e));
  assert.ok(hits.length > 0, `expected a console error matching ${pattern}; got ${JSON.stringify(t.errors)}`);
  t.errors.splice(0, t.errors.length, ...t.errors.filter((e) => !pattern.test(e)));
}

function track(page: Page, pattern: RegExp): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && pattern.test(r.url())) seen.push(r);
  });
  return seen;
}

const skip = browserUnavailable();

describe('embeddable widget', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let site: HostSite;
  let allowed: string; // an origin in the chatbots' allowed domains
  let foreign: string; // one that is not
  let owner: TestUser;
  let docTitle: string;
  const botA = { id: '', key: '' }; // English, demo limit 3, default theme
  const botB = { id: '', key: '' }; // Indonesian, own colour, left, greeting

  const script = (attrs: Omit<WidgetAttrs, 'chatbot' | 'key'>, bot = botA) =>
    shopPage({ src: `${s.url}/widget.js`, attrs: { chatbot: bot.id, key: bot.key, ...attrs } });

  before(async () => {
    site = await startHostSite(2);
    [allowed, foreign] = site.origins as [string, string];
    s = await startKawan();
    browser = await launch();
    owner = await registerUser(s, { name: 'Widget Owner' });
    const domains = [allowed.replace('http://', '')];
    const a = await createChatbot(s, owner, {
      name: 'Pawn helper',
      language: 'en',
      demoMessageLimit: 3,
      embed: { allowedDomains: domains },
    });
    const b = await createChatbot(s, owner, {
      name: 'Asisten Gadai',
      language: 'id',
      embed: {
        allowedDomains: domains,
        color: '#b45309',
        position: 'bottom-left',
        greeting: 'Halo! Tanyakan apa saja tentang gadai emas.',
      },
    });
    Object.assign(botA, { id: a.bot.id, key: a.secret });
    Object.assign(botB, { id: b.bot.id, key: b.secret });
    for (const bot of [botA, botB]) {
      const up = await uploadFile(
        s,
        owner.token,
        `/api/v1/orgs/${owner.orgId}/chatbots/${bot.id}/documents`,
        {
          name: 'handbook.md',
          content: HANDBOOK,
          type: 'text/markdown',
        },
      );
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const doc = await waitForDocument(s, owner, bot.id, up.body.document.id);
      assert.equal(doc.status, 'indexed');
      docTitle = doc.title;
    }
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await site?.close();
  });

  it('serves widget.js small, cacheable and cross-origin', async () => {
    const res = await fetch(`${s.url}/widget.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const body = await res.text();
    assert.match(body, /^var KawanWidget=/, 'one IIFE with one global');
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(body, { level: 9 }).length;
    assert.ok(gz < 30 * 1024, `gzip size ${gz} B`);
    assert.doesNotMatch(body, /react/i, 'no React in the widget');
  });

  it('renders on a hostile page: no styles leak in either direction, one global, no page style sheets', async () => {
    const plain = await newPage(browser);
    await plain.page.goto(`${allowed}${site.page(shopPage())}`);
    const without = await pageState(plain.page);
    await plain.context.close();
    // the hostile CSS is really in force on the page
    assert.equal(without.styles.buy!['background-color'], LIME);
    assert.equal(without.styles.buy!['padding-top'], '40px');
    assert.match(without.styles.box!['font-family'], /Comic Sans/);
    assert.equal(without.styles.box!['border-top-style'], 'dotted');

    const t = await newPage(browser);
    await t.page.goto(
      `${allowed}${site.page(script({ color: '#0f766e', greeting: 'Hello from the shop!' }))}`,
    );
    const w = ui(t.page);
    await t.page.getByRole('button', { name: 'Open chat with Pawn helper' }).waitFor();

    const withWidget = await pageState(t.page);
    assert.deepEqual(withWidget.styles, without.styles, "the page's own elements keep the page's styles");
    assert.equal(withWidget.sheets, without.sheets, 'the widget adds no global style sheet');
    assert.deepEqual(
      withWidget.globals.filter((g) => !without.globals.includes(g)),
      ['KawanWidget'],
      'one namespaced global',
    );
    assert.deepEqual(withWidget.body, [...without.body, W]);

    // the host inherits nothing from the page
    const host = await styleOf(w.host);
    assert.notEqual(host.color, RED);
    assert.doesNotMatch(host['font-family'], /Comic/);
    assert.equal(host['line-height'], 'normal');
    assert.equal(host['letter-spacing'], 'normal');
    const bubble = await styleOf(w.bubble);
    assert.equal(bubble['background-color'], 'rgb(15, 118, 110)', 'data-color is the accent');
    assert.equal(bubble['padding-top'], '0px');
    assert.equal(bubble['border-top-left-radius'], '50%');
    assert.equal(bubble.color, 'rgb(255, 255, 255)');
    assert.match(bubble['font-family'], /^system-ui/);
    assert.notEqual((await styleOf(w.bubble.locator('svg'))).display, 'none');

    await w.bubble.click();
    await w.panel.waitFor();
    const panel = await styleOf(w.panel);
    assert.equal(panel['background-color'], 'rgb(255, 255, 255)');
    assert.equal(panel['box-sizing'], 'border-box');
    assert.equal(panel['margin-top'], '0px');
    assert.equal(panel['border-top-style'], 'solid');
    assert.equal(panel['border-top-width'], '1px');
    for (const div of [w.head, w.log]) {
      const st = await styleOf(div);
      assert.equal(st['border-top-style'], 'none', 'page div rules do not reach the widget');
      assert.doesNotMatch(st['font-family'], /Comic/);
      assert.notEqual(st.color, RED);
    }
    const input = await styleOf(w.input);
    assert.equal(input['background-color'], 'rgb(255, 255, 255)');
    assert.equal(input['font-size'], '14px');
    assert.equal(input.color, 'rgb(17, 24, 39)');
    assert.match(input['font-family'], /^system-ui/);
    const send = await styleOf(w.send);
    assert.equal(send['background-color'], 'rgb(15, 118, 110)');
    assert.equal(send['padding-top'], '0px');
    assert.equal(await w.botMessages.first().textContent(), 'Hello from the shop!', 'data-greeting');
    assert.equal(await w.input.getAttribute('placeholder'), 'Type your question…');
    await t.page.getByLabel('Your message').waitFor();
    await check(t, 'widget open on the hostile page');
    await screenshot(t.page, 'widget-hostile-en-light');

    // keyboard: Escape closes and gives focus back to the bubble; Enter on the bubble opens it on the input
    assert.equal(await focusedInWidget(t.page), 'TEXTAREA');
    await t.page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    assert.equal(await focusedInWidget(t.page), 'bubble');
    assert.equal(await w.bubble.getAttribute('aria-expanded'), 'false');
    await t.page.keyboard.press('Enter');
    await w.panel.waitFor();
    assert.equal(await focusedInWidget(t.page), 'TEXTAREA');
    await t.page.getByRole('button', { name: 'Close chat' }).first().click();
    await w.panel.waitFor({ state: 'hidden' });
    await check(t, 'widget after keyboard use');
    await t.context.close();
  });

  it('streams a cited answer, counts the demo messages down and stops at the limit', async () => {
    const t = await newPage(browser);
    const sessions = track(t.page, /\/api\/v1\/guest\/sessions$/);
    const chats = track(t.page, /\/chat$/);
    await t.page.goto(`${allowed}${site.page(script({}))}`);
    const w = ui(t.page);
    await t.page.getByRole('button', { name: 'Open chat with Pawn helper' }).click();
    await t.page.getByText('3 messages left').waitFor();
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.headers().authorization, `Bearer ${botA.key}`);
    assert.equal(await w.botMessages.first().textContent(), 'Hi! How can I help you today?');

    const questions = [
      'What is the monthly interest rate for gold pawn loans?',
      'How long do pawn loans run?',
      'What happens to items not redeemed after the due date?',
    ];
    const expected = [/1\.25 percent/, /120 days/, /auction/];
    for (const [i, q] of questions.entries()) {
      await t.page.getByLabel('Your message').fill(q);
      await t.page.keyboard.press('Enter');
      const answer = w.botMessages.nth(i + 1);
      await answer.locator('.cites li').first().waitFor();
      await t.page.getByText(`${2 - i} message${i === 1 ? '' : 's'} left`).waitFor();
      assert.match((await answer.textContent()) ?? '', expected[i]!);
      const cite = (await answer.locator('.cites li').first().textContent()) ?? '';
      assert.ok(cite.includes(docTitle), `citation names the document: ${cite}`);
      assert.match(await answer.locator('.cites li q').first().innerText(), /\w+/);
      if (i === 0) await screenshot(t.page, 'widget-answer-en-light');
    }
    // one conversation: the widget continues the one the first answer started
    const bodies = chats.map((r) => r.postDataJSON() as { content: string; conversationId?: string });
    assert.deepEqual(
      bodies.map((b) => b.content),
      questions,
    );
    assert.equal(bodies[0]!.conversationId, undefined);
    assert.match(bodies[1]!.conversationId ?? '', /^cnv_/);
    assert.equal(bodies[2]!.conversationId, bodies[1]!.conversationId);
    assert.equal(chats[0]!.headers().authorization?.startsWith('Bearer kwg_'), true);

    // used up: a clear message and a disabled input
    await t.page.getByText('You have used all the messages of this demo').waitFor();
    assert.equal(await w.input.isDisabled(), true);
    assert.equal(await w.send.isDisabled(), true);
    assert.equal(await w.remaining.textContent(), '0 messages left');
    await check(t, 'widget at the demo limit');
    await screenshot(t.page, 'widget-limit-en-light');

    // a reload reuses the session (no new one) and keeps the conversation and the limit
    await t.page.reload();
    await w.bubble.click();
    await t.page.getByText('You have used all the messages of this demo').waitFor();
    assert.equal(sessions.length, 1, 'the stored guest session is reused');
    assert.equal(await w.botMessages.count(), 4);
    assert.equal(await w.input.isDisabled(), true);

    // the server's refusal (429 demo_limit_reached) ends the same way when the widget did not know the count
    await t.page.evaluate((key) => {
      const saved = JSON.parse(sessionStorage.getItem(key) ?? '{}');
      delete saved.r;
      sessionStorage.setItem(key, JSON.stringify(saved));
    }, `kawan-widget:${botA.id}`);
    await t.page.reload();
    await w.bubble.click();
    assert.equal(await w.input.isDisabled(), false);
    await t.page.getByLabel('Your message').fill('One more question?');
    await t.page.keyboard.press('Enter');
    await t.page.getByText('You have used all the messages of this demo').waitFor();
    assert.equal(await w.input.isDisabled(), true);
    assert.equal(await w.remaining.textContent(), '0 messages left');
    assert.equal(sessions.length, 1);
    expectConsoleError(t, /status of 429/);
    await check(t, 'widget refused by the demo limit');
    await t.context.close();
  });

  it('is refused on a site outside the allowed domains, once, without retrying', async () => {
    const t = await newPage(browser);
    const sessions = track(t.page, /\/api\/v1\/guest\/sessions$/);
    await t.page.goto(`${foreign}${site.page(script({}))}`);
    const w = ui(t.page);
    await w.bubble.click();
    await t.page.getByText('This site is not allowed to use this assistant.').waitFor();
    assert.equal(await w.input.isDisabled(), true);
    assert.equal(await w.send.isDisabled(), true);
    await screenshot(t.page, 'widget-refused-en-light');
    await t.page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    await w.bubble.click();
    await w.panel.waitFor();
    assert.equal(sessions.length, 1, 'no retry loop');
    const status = await fetch(`${s.url}/api/v1/guest/sessions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${botA.key}`,
        'content-type': 'application/json',
        origin: foreign,
      },
      body: JSON.stringify({ chatbotId: botA.id }),
    });
    assert.equal(status.status, 403, 'the server refused it, not the browser');
    expectConsoleError(t, /status of 403/);
    await check(t, 'widget on a foreign site');
    await t.context.close();
  });

  it("follows the chatbot's settings: Indonesian, its colour, left side, its greeting — in dark mode", async () => {
    const t = await newPage(browser, { lang: 'en', theme: 'dark' });
    await t.page.goto(`${allowed}${site.page(script({}, botB))}`);
    const w = ui(t.page);
    const bubble = t.page.getByRole('button', { name: 'Buka obrolan dengan Asisten Gadai' });
    await bubble.waitFor();
    const host = await w.host.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: window.innerWidth - r.right };
    });
    assert.ok(host.left < host.right, `on the left: ${JSON.stringify(host)}`);
    assert.equal((await styleOf(w.bubble))['background-color'], 'rgb(180, 83, 9)');
    await bubble.click();
    await t.page.getByText('Sisa 10 pesan').waitFor();
    assert.equal(await w.botMessages.first().textContent(), 'Halo! Tanyakan apa saja tentang gadai emas.');
    assert.equal(await w.input.getAttribute('placeholder'), 'Ketik pertanyaan Anda…');
    await t.page.getByLabel('Pesan Anda').waitFor();
    await t.page.getByRole('button', { name: 'Kirim' }).waitFor();
    await t.page.getByRole('button', { name: 'Tutup obrolan' }).first().waitFor();
    // the dark palette
    assert.equal((await styleOf(w.panel))['background-color'], 'rgb(17, 24, 39)');
    assert.equal((await styleOf(w.input)).color, 'rgb(243, 244, 246)');
    assert.equal((await styleOf(w.botMessages.first()))['background-color'], 'rgb(31, 41, 55)');

    await t.page.getByLabel('Pesan Anda').fill('What is the monthly interest rate for gold pawn loans?');
    await t.page.getByRole('button', { name: 'Kirim' }).click();
    await w.citations.first().waitFor();
    await t.page.getByText('Sisa 9 pesan').waitFor();
    assert.match((await w.botMessages.nth(1).textContent()) ?? '', /1\.25 percent/);
    assert.equal(await w.botMessages.nth(1).locator('.cites').getAttribute('aria-label'), 'Sumber');
    assert.ok((await w.botMessages.nth(1).locator('blockquote').count()) > 0, 'Markdown quotes render');

    // an answer quoting markup from a document shows it as text: nothing in an answer becomes HTML
    await t.page.getByLabel('Pesan Anda').fill('What are the shop opening hours?');
    await t.page.keyboard.press('Enter');
    await w.botMessages.nth(2).locator('.cites li').first().waitFor();
    const hours = w.botMessages.nth(2);
    assert.match((await hours.locator('blockquote').textContent()) ?? '', /<img src="x" onerror=/);
    assert.equal(await hours.locator('blockquote strong').textContent(), '08:00 to 16:00');
    assert.equal(await t.page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
    assert.equal(await w.log.locator('img').count(), 0);
    await check(t, 'widget id/dark');
    await screenshot(t.page, 'widget-id-dark');
    await t.context.close();
  });

  it("data attributes override the chatbot's settings (language, colour, position, greeting)", async () => {
    const t = await newPage(browser, { lang: 'id', theme: 'light' });
    await t.page.goto(
      `${allowed}${site.page(
        script(
          { language: 'en', color: '#7c3aed', position: 'right', greeting: 'Welcome to our shop!' },
          botB,
        ),
      )}`,
    );
    const w = ui(t.page);
    await t.page.getByRole('button', { name: 'Open chat with Asisten Gadai' }).click();
    await t.page.getByText('10 messages left').waitFor();
    assert.equal(await w.botMessages.first().textContent(), 'Welcome to our shop!');
    assert.equal((await styleOf(w.bubble))['background-color'], 'rgb(124, 58, 237)');
    assert.equal((await styleOf(w.panel))['background-color'], 'rgb(255, 255, 255)');
    const host = await w.host.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: window.innerWidth - r.right };
    });
    assert.ok(host.right < host.left, `on the right: ${JSON.stringify(host)}`);
    await t.page.getByRole('button', { name: 'Send' }).waitFor();
    await check(t, 'widget with data attributes');
    await screenshot(t.page, 'widget-overrides-en-light');
    await t.context.close();
  });
});
