import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
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
} from './browser.ts';

const skip = browserUnavailable();

describe('dashboard shell', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    s = await startKawan();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('serves the app at / and deep links, and API 404s stay JSON', async () => {
    const root = await fetch(`${s.url}/`);
    assert.equal(root.status, 200);
    assert.match(await root.text(), /<div id="root">/);
    const deep = await fetch(`${s.url}/orgs/org_x/chatbots`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200);
    assert.match(deep.headers.get('content-type') ?? '', /text\/html/);
    const api404 = await fetch(`${s.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
    assert.equal(api404.status, 404);
    assert.equal(((await api404.json()) as { error: { code: string } }).error.code, 'route_not_found');
    const missingAsset = await fetch(`${s.url}/assets/nope.js`);
    assert.equal(missingAsset.status, 404);
  });

  for (const lang of ['en', 'id'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`sign-in page in ${lang}/${theme}: translated, themed, labelled, no console errors`, async () => {
        const t = await newPage(browser, { lang, theme });
        await t.page.goto(`${s.url}/`);
        await t.page.waitForURL(/\/signin/);
        const heading = await t.page.getByRole('heading', { level: 1 }).textContent();
        assert.equal(heading, lang === 'id' ? 'Masuk' : 'Sign in');
        assert.equal(await t.page.getAttribute('html', 'lang'), lang);
        const th = await themeOf(t.page);
        assert.equal(th.theme, theme);
        assert.equal(th.background, theme === 'dark' ? 'rgb(15, 18, 24)' : 'rgb(247, 248, 250)');
        await check(t, `signin ${lang}/${theme}`);
        await screenshot(t.page, `signin-${lang}-${theme}`);
        await t.context.close();
      });
    }
  }

  it('signs in through the form and lands in the org; a phone-width menu opens', async () => {
    const user = await registerUser(s, { name: 'Shell Tester' });
    const t = await newPage(browser, { viewport: { width: 390, height: 800 } });
    await t.page.goto(`${s.url}/signin`);
    await t.page.getByLabel('Email').fill(user.email);
    await t.page.getByLabel('Password').fill(user.password);
    await t.page.getByRole('button', { name: 'Sign in' }).click();
    await t.page.waitForURL(new RegExp(`/orgs/${user.orgId}/chatbots`));
    await t.page.getByRole('button', { name: 'Open menu' }).click();
    await t.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Members' })
      .waitFor();
    await check(t, 'shell at phone width');
    await screenshot(t.page, 'shell-phone');
    await t.context.close();
  });

  it('a stored session survives a reload; wrong password shows a translated error', async () => {
    const user = await registerUser(s);
    const t = await newPage(browser, { lang: 'id' });
    await t.page.goto(`${s.url}/signin`);
    await t.page.getByLabel('Email').fill(user.email);
    await t.page.getByLabel('Kata sandi').fill('wrong password!');
    await t.page.getByRole('button', { name: 'Masuk' }).click();
    await t.page.getByRole('alert').getByText('Email atau kata sandi salah.').waitFor();
    await t.context.close();

    const t2 = await newPage(browser);
    await signInAs(t2, user);
    await t2.page.goto(`${s.url}/`);
    await t2.page.waitForURL(new RegExp(`/orgs/${user.orgId}/chatbots`));
    await t2.page.reload();
    await t2.page.waitForURL(new RegExp(`/orgs/${user.orgId}/chatbots`));
    await t2.context.close();
  });
});
