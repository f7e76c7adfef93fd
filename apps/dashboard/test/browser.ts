import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type TestServer } from '../../server/test/harness.ts';
import { registerUser, type TestUser } from '../../server/test/factories.ts';

/**
 * Browser-test harness: a real Kawan (embedded database, built dashboard) and Debian's Chromium driven by
 * playwright-core. Every page records console errors and uncaught exceptions; `check(page)` asserts none
 * happened and that every interactive element has an accessible name. Screenshots go to
 * test-artifacts/browser/ (kept by CI as artifacts).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'browser');

/** Flags that work on this kind of machine (root, no GPU, closed network): see the env entry. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Without Chromium the suite cannot run: in CI that is a failure, on a laptop a loud skip. */
export function browserUnavailable(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  const msg = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(msg);
  return msg;
}

/** KAWAN_UI_OUT: a build made elsewhere (scripts/build-ui.mjs honours it too), served through UI_DIR. */
const uiOut = process.env.KAWAN_UI_OUT ? path.resolve(repoRoot, process.env.KAWAN_UI_OUT) : undefined;

/** A Kawan on the embedded database serving the dashboard build under test. */
export function startKawan(env: Record<string, string> = {}): Promise<TestServer> {
  return startServer('pglite', { ...(uiOut ? { UI_DIR: uiOut } : {}), ...env });
}

export function assertDashboardBuilt(): void {
  const index = uiOut
    ? path.join(uiOut, 'dashboard/index.html')
    : path.join(repoRoot, 'apps/dashboard/dist/index.html');
  assert.ok(fs.existsSync(index), 'dashboard not built: run `npm run build:ui` (npm test does it first)');
}

export async function launch(): Promise<Browser> {
  assertDashboardBuilt();
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

export interface Tracked {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

export type Lang = 'en' | 'id';
export type Theme = 'light' | 'dark';

/**
 * A fresh context (own storage) in the given language and colour scheme. The dashboard follows the system
 * theme and the browser language until the user picks otherwise, so these are what a new visitor gets.
 */
export async function newPage(
  browser: Browser,
  opts: { lang?: Lang; theme?: Theme; viewport?: { width: number; height: number } } = {},
): Promise<Tracked> {
  const context = await browser.newContext({
    locale: opts.lang === 'id' ? 'id-ID' : 'en-US',
    colorScheme: opts.theme ?? 'light',
    viewport: opts.viewport ?? { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, context, errors };
}

/** Signs the context in as `user` (tokens where the dashboard keeps them), skipping the sign-in form. */
export async function signInAs(t: Tracked, user: TestUser): Promise<void> {
  await t.context.addInitScript(
    ([a, r]) => localStorage.setItem('kawan.session', JSON.stringify({ accessToken: a, refreshToken: r })),
    [user.token, user.refreshToken] as const,
  );
}

/**
 * Runs in the page. A string, not a function: tsx compiles test files with esbuild's keepNames, whose
 * `__name` helper does not exist inside the page.
 */
const UNLABELLED = `(() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=link], ' +
    '[role=tab], [role=checkbox], [role=switch], [role=menuitem], [contenteditable=true], summary';
  const textOf = (id) => (document.getElementById(id)?.textContent ?? '').trim();
  const out = [];
  const roots = [document];
  for (const host of document.querySelectorAll('*')) if (host.shadowRoot) roots.push(host.shadowRoot);
  for (const root of roots) for (const el of root.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if ((r.width === 0 && r.height === 0) || style.visibility === 'hidden' || style.display === 'none') continue;
    const labelledBy = el.getAttribute('aria-labelledby');
    const isField = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName);
    const name =
      (el.getAttribute('aria-label') ?? '').trim() ||
      (labelledBy ? labelledBy.split(/\\s+/).map(textOf).join(' ').trim() : '') ||
      Array.from(el.labels ?? []).map((l) => (l.textContent ?? '').trim()).join(' ').trim() ||
      (el.getAttribute('title') ?? '').trim() ||
      (!isField ? (el.textContent ?? '').trim() : '') ||
      (el.querySelector('img[alt]')?.alt ?? '').trim() ||
      (el.type === 'submit' || el.type === 'button' ? el.value : '');
    if (!name) out.push(el.outerHTML.slice(0, 160));
  }
  return out;
})()`;

/** Interactive elements (visible, also inside open shadow roots) without an accessible name. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(UNLABELLED) as Promise<string[]>;
}

/** The page's health: no console errors or exceptions so far, every control labelled. */
export async function check(t: Tracked, where: string): Promise<void> {
  assert.deepEqual(t.errors, [], `${where}: console errors`);
  assert.deepEqual(await unlabelledControls(t.page), [], `${where}: unlabelled interactive elements`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}

/** The resolved theme the page shows, and its background colour (so "dark" is checked, not assumed). */
export async function themeOf(page: Page): Promise<{ theme: string | undefined; background: string }> {
  return page.evaluate(() => ({
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.body).backgroundColor,
  }));
}

export { startServer, registerUser, type TestServer, type TestUser };
