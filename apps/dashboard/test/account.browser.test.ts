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
import { addMember, uniqueEmail } from '../../server/test/factories.ts';
import { startLlmTestServer, type LlmTestServer } from '../../server/test/llm-server/server.ts';

/*
 * Account and organization pages in a real browser against a real Kawan: password reset and email
 * verification through the links Kawan emails (read from the dev outbox), preferences, members and
 * invitations across two browser contexts, the audit log, roles, and model providers against the
 * OpenAI-compatible test server.
 */

const skip = browserUnavailable();
const DARK_BG = 'rgb(15, 18, 24)';
const LIGHT_BG = 'rgb(247, 248, 250)';
const LLM_KEY = 'sk-kawan-dashboard-5e4d3c2b1a';

describe('account and organization pages', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  let llm: LlmTestServer;
  let admin: TestUser; // first account on the server: platform admin, reads the dev outbox

  before(async () => {
    llm = await startLlmTestServer({ apiKey: LLM_KEY, reply: 'OK' });
    s = await startKawan({ LOGIN_RATE_LIMIT: '1000' });
    admin = await registerUser(s, { name: 'Platform Admin' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await llm?.close();
  });

  /** The path + query of the newest link of `kind` emailed to `to` (the server's public URL is not ours). */
  async function emailedLink(to: string, kind: string): Promise<string> {
    const res = await s.request('GET', `/api/v1/admin/outbox?to=${encodeURIComponent(to)}&limit=20`, {
      token: admin.token,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const mail = (res.body.data as { kind: string; text: string }[]).find((m) => m.kind === kind);
    assert.ok(mail, `no ${kind} email to ${to}`);
    const url = /https?:\/\/\S+/.exec(mail.text)?.[0];
    assert.ok(url, `no link in ${mail.text}`);
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  }

  async function setPreferences(user: TestUser, preferences: { language?: 'en' | 'id'; theme?: string }) {
    const res = await s.request('PATCH', '/api/v1/auth/me', { token: user.token, body: { preferences } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  async function expectTheme(page: Page, theme: 'light' | 'dark') {
    const th = await themeOf(page);
    assert.equal(th.theme, theme);
    assert.equal(th.background, theme === 'dark' ? DARK_BG : LIGHT_BG);
  }

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

  /**
   * Chromium logs every 4xx response as a console error. Where a test provokes one on purpose (a spent link,
   * a wrong password), this asserts it happened with the expected status and drops it, so `check` still
   * catches every other console error.
   */
  function expectHttpErrors(t: Tracked, status: number) {
    const re = /Failed to load resource: the server responded with a status of (\d{3})/;
    const http = t.errors.filter((e) => re.test(e));
    assert.ok(
      http.some((e) => re.exec(e)?.[1] === String(status)),
      `expected a ${status} response: ${t.errors.join(' | ')}`,
    );
    for (const e of http) assert.equal(re.exec(e)?.[1], String(status), `unexpected: ${e}`);
    t.errors.splice(0, t.errors.length, ...t.errors.filter((e) => !re.test(e)));
  }

  it('forgot → reset password through the emailed link (en/light)', async () => {
    const user = await registerUser(s, { name: 'Forgetful Fay' });
    const t = await newPage(browser, { lang: 'en', theme: 'light' });
    await t.page.goto(`${s.url}/signin`);
    await t.page.getByRole('link', { name: 'Forgot password?' }).click();
    await t.page.waitForURL(/\/forgot-password$/);
    assert.equal(await h1(t.page).textContent(), 'Reset your password');
    await check(t, 'forgot password');
    await t.page.getByLabel('Email').fill(user.email);
    await t.page.getByRole('button', { name: 'Send reset link' }).click();
    const sent = t.page.getByRole('status').filter({ hasText: 'If an account exists for' });
    await sent.waitFor();
    assert.ok(((await sent.textContent()) ?? '').includes(user.email));
    await expectTheme(t.page, 'light');
    await check(t, 'forgot password sent');
    await screenshot(t.page, 'account-forgot-sent-en-light');

    // An unknown address gets exactly the same answer (no account probing).
    const t2 = await newPage(browser);
    await t2.page.goto(`${s.url}/forgot-password`);
    await t2.page.getByLabel('Email').fill('nobody-here@example.com');
    await t2.page.getByRole('button', { name: 'Send reset link' }).click();
    await t2.page
      .getByRole('status')
      .filter({ hasText: 'If an account exists for nobody-here@example.com' })
      .waitFor();
    await t2.context.close();

    const link = await emailedLink(user.email, 'reset_password');
    assert.match(link, /^\/reset-password\?token=/);
    await t.page.goto(`${s.url}${link}`);
    assert.equal(await h1(t.page).textContent(), 'Choose a new password');
    await check(t, 'reset password');
    // Two different passwords are caught before anything is sent.
    await t.page.getByLabel('New password', { exact: true }).fill('brand new secret 1');
    await t.page.getByLabel('Repeat the new password').fill('brand new secret 2');
    await t.page.getByRole('button', { name: 'Set new password' }).click();
    await t.page.getByText('The two passwords are not the same.').waitFor();
    await t.page.getByLabel('Repeat the new password').fill('brand new secret 1');
    await t.page.getByRole('button', { name: 'Set new password' }).click();
    await t.page.getByText('Your password has been changed.').waitFor();
    await check(t, 'reset password done');
    await screenshot(t.page, 'account-reset-done-en-light');

    const old = await s.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    assert.equal(old.status, 401, 'the old password no longer works');

    // Sign in with the new password through the form.
    await t.page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await t.page.waitForURL(/\/signin/);
    await t.page.getByLabel('Email').fill(user.email);
    await t.page.getByLabel('Password').fill('brand new secret 1');
    await t.page.getByRole('button', { name: 'Sign in' }).click();
    await t.page.waitForURL(new RegExp(`/orgs/${user.orgId}/`));

    // The link works once.
    const t3 = await newPage(browser);
    await t3.page.goto(`${s.url}${link}`);
    await t3.page.getByLabel('New password', { exact: true }).fill('another secret 3');
    await t3.page.getByLabel('Repeat the new password').fill('another secret 3');
    await t3.page.getByRole('button', { name: 'Set new password' }).click();
    await t3.page.getByRole('alert').getByText('This link is invalid, expired or already used.').waitFor();
    expectHttpErrors(t3, 401);
    await check(t3, 'reset password reused link');
    await t3.context.close();
    await t.context.close();
  });

  it('verifies the email through the emailed link; the profile shows it (id/dark)', async () => {
    const user = await registerUser(s, { name: 'Vera Verifikasi' });
    await setPreferences(user, { language: 'id', theme: 'dark' });
    const t = await newPage(browser, { lang: 'id', theme: 'dark' });
    await signInAs(t, user);
    await t.page.goto(`${s.url}/profile`);
    assert.equal(await h1(t.page).textContent(), 'Profil Anda');
    await t.page.getByText('Belum terverifikasi').waitFor();
    await expectTheme(t.page, 'dark');
    await check(t, 'profile unverified');
    await t.page.getByRole('button', { name: 'Kirim ulang email verifikasi' }).click();
    await t.page.getByRole('status').filter({ hasText: 'Email verifikasi terkirim' }).first().waitFor();
    await screenshot(t.page, 'account-profile-unverified-id-dark');

    // A made-up token fails visibly.
    await t.page.goto(`${s.url}/verify-email?token=not-a-real-token-123`);
    await t.page.getByText('Kami tidak dapat memverifikasi alamat email Anda.').waitFor();
    expectHttpErrors(t, 401);
    await check(t, 'verify email failed');

    const link = await emailedLink(user.email, 'verify_email');
    assert.match(link, /^\/verify-email\?token=/);
    await t.page.goto(`${s.url}${link}`);
    await t.page.getByText('Terima kasih, alamat email Anda sudah terverifikasi.').waitFor();
    await expectTheme(t.page, 'dark');
    await check(t, 'verify email done');
    await screenshot(t.page, 'account-verified-id-dark');
    await t.page.getByRole('link', { name: 'Lanjut ke Kawan' }).click();
    await t.page.waitForURL(/\/profile$/);
    await t.page.getByText('Terverifikasi', { exact: true }).waitFor();
    assert.equal(await t.page.getByRole('button', { name: 'Kirim ulang email verifikasi' }).count(), 0);
    const me = await s.request('GET', '/api/v1/auth/me', { token: user.token });
    assert.equal(me.body.emailVerified, true);
    await t.context.close();
  });

  it('profile: name and preferences (id + dark) persist across a reload and on the server', async () => {
    const user = await registerUser(s, { name: 'Pref Person' });
    const t = await newPage(browser, { lang: 'en', theme: 'light' });
    await signInAs(t, user);
    await t.page.goto(`${s.url}/profile`);
    assert.equal(await h1(t.page).textContent(), 'Your profile');
    await expectTheme(t.page, 'light');
    assert.equal(await t.page.getByLabel('Email', { exact: true }).inputValue(), user.email);
    assert.equal(await t.page.getByLabel('Email', { exact: true }).isEditable(), false, 'email is read-only');
    await check(t, 'profile en/light');
    await screenshot(t.page, 'account-profile-en-light');

    await t.page.getByLabel('Your name').fill('Pref Person Renamed');
    await t.page.getByRole('button', { name: 'Save', exact: true }).click();
    await t.page.getByRole('link', { name: 'Profile: Pref Person Renamed' }).waitFor();

    await t.page.getByLabel('Display language').selectOption('id');
    await t.page.getByLabel('Appearance').selectOption('dark');
    await t.page.getByRole('button', { name: 'Save preferences' }).click();
    await t.page.getByRole('heading', { level: 1, name: 'Profil Anda' }).waitFor();
    assert.equal(await t.page.getAttribute('html', 'lang'), 'id');
    await expectTheme(t.page, 'dark');

    const me = await s.request('GET', '/api/v1/auth/me', { token: user.token });
    assert.deepEqual(me.body.preferences, { language: 'id', theme: 'dark' });
    assert.equal(me.body.name, 'Pref Person Renamed');

    await t.page.reload();
    await t.page.getByRole('heading', { level: 1, name: 'Profil Anda' }).waitFor();
    await expectTheme(t.page, 'dark');
    assert.equal(await t.page.getByLabel('Bahasa tampilan').inputValue(), 'id');
    assert.equal(await t.page.getByLabel('Tampilan', { exact: true }).inputValue(), 'dark');
    await check(t, 'profile id/dark after reload');
    await screenshot(t.page, 'account-profile-id-dark');
    await t.context.close();

    // A fresh browser (English, light) follows the account's stored preferences once signed in.
    const fresh = await newPage(browser, { lang: 'en', theme: 'light' });
    await signInAs(fresh, user);
    await fresh.page.goto(`${s.url}/profile`);
    await fresh.page.getByRole('heading', { level: 1, name: 'Profil Anda' }).waitFor();
    await expectTheme(fresh.page, 'dark');

    // Changing the password keeps this session and needs the right current password.
    await fresh.page.getByLabel('Kata sandi saat ini').fill('wrong password!!');
    await fresh.page.getByLabel('Kata sandi baru', { exact: true }).fill('changed secret 42');
    await fresh.page.getByLabel('Ulangi kata sandi baru').fill('changed secret 42');
    await fresh.page.getByRole('button', { name: 'Ubah kata sandi' }).click();
    await fresh.page.getByText('Kata sandi saat ini salah.').waitFor();
    expectHttpErrors(fresh, 401);
    await fresh.page.getByLabel('Kata sandi saat ini').fill(user.password);
    await fresh.page.getByRole('button', { name: 'Ubah kata sandi' }).click();
    await fresh.page.getByRole('status').filter({ hasText: 'Kata sandi diubah.' }).first().waitFor();
    const login = await s.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: 'changed secret 42' },
    });
    assert.equal(login.status, 200);
    await check(fresh, 'profile password changed');
    await fresh.context.close();
  });

  it('members: invite, accept in a second browser, change role, remove; the audit log shows it all', async () => {
    const owner = await registerUser(s, { name: 'Olivia Owner', orgName: 'Olivia Org' });
    const inviteeEmail = uniqueEmail('invitee');
    const t = await newPage(browser, { lang: 'en', theme: 'light' });
    await signInAs(t, owner);
    await t.page.goto(`${s.url}/orgs/${owner.orgId}/members`);
    assert.equal(await h1(t.page).textContent(), 'Members');
    await t.page.locator(`tr[data-member="${owner.email}"]`).waitFor();
    await t.page.getByText('No pending invitations.').waitFor();
    await check(t, 'members (owner)');

    await t.page.getByLabel('Email address').fill(inviteeEmail);
    await t.page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await t.page.getByRole('button', { name: 'Send invitation' }).click();
    await t.page.locator(`tr[data-invitation="${inviteeEmail}"]`).waitFor();
    const shownLink = await t.page.getByLabel('Invitation link').inputValue();
    assert.match(shownLink, /\/invitations\/accept\?token=/);
    await check(t, 'members after invite');
    await screenshot(t.page, 'account-members-invited-en-light');

    // The invitee opens the emailed link in another browser (Indonesian, dark), signs up and accepts.
    const link = await emailedLink(inviteeEmail, 'invitation');
    assert.equal(link, new URL(shownLink).pathname + new URL(shownLink).search);
    const guest = await newPage(browser, { lang: 'id', theme: 'dark' });
    await guest.page.goto(`${s.url}${link}`);
    assert.equal(await h1(guest.page).textContent(), 'Bergabung dengan organisasi');
    await expectTheme(guest.page, 'dark');
    await check(guest, 'accept invitation signed out');
    await screenshot(guest.page, 'account-invitation-signed-out-id-dark');
    await guest.page.getByRole('link', { name: 'Buat akun' }).click();
    await guest.page.waitForURL(/\/signup\?next=/);
    await guest.page.getByLabel('Nama Anda').fill('Ivan Invitee');
    await guest.page.getByLabel('Email').fill(inviteeEmail);
    await guest.page.getByLabel('Kata sandi').fill('invitee password 1');
    await guest.page.getByRole('button', { name: 'Buat akun' }).click();
    await guest.page.waitForURL(/\/invitations\/accept\?token=/);
    await guest.page.getByText(`Anda masuk sebagai ${inviteeEmail}.`).waitFor();
    await check(guest, 'accept invitation signed in');
    await guest.page.getByRole('button', { name: 'Terima undangan' }).click();
    await guest.page.waitForURL(new RegExp(`/orgs/${owner.orgId}/chatbots`));
    await guest.page.goto(`${s.url}/orgs/${owner.orgId}/members`);
    await guest.page.locator(`tr[data-member="${inviteeEmail}"]`).waitFor();
    await check(guest, 'members page of the new viewer');

    // Back in the owner's browser: the invitee is a viewer; make them an admin.
    await t.page.reload();
    const row = t.page.locator(`tr[data-member="${inviteeEmail}"]`);
    await row.waitFor();
    await t.page.getByText('No pending invitations.').waitFor();
    const roleSelect = t.page.getByLabel('Role of Ivan Invitee');
    assert.equal(await roleSelect.inputValue(), 'viewer');
    await roleSelect.selectOption('admin');
    await t.page.getByText('Ivan Invitee is now Admin.').waitFor();
    const list = await s.request('GET', `/api/v1/orgs/${owner.orgId}/members`, { token: owner.token });
    const invitee = (list.body.data as { email: string; role: string; userId: string }[]).find(
      (m) => m.email === inviteeEmail,
    );
    assert.equal(invitee?.role, 'admin');

    // Remove them (after confirming).
    await t.page.getByRole('button', { name: 'Remove Ivan Invitee' }).click();
    const dialog = t.page.getByRole('dialog');
    await dialog.getByText('Remove Ivan Invitee from the organization?').waitFor();
    await check(t, 'remove member dialog');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await s.request('GET', `/api/v1/orgs/${owner.orgId}/members`, { token: owner.token });
    assert.ok(!(after.body.data as { email: string }[]).some((m) => m.email === inviteeEmail));

    // A second invitation, revoked.
    const other = uniqueEmail('revoked');
    await t.page.getByLabel('Email address').fill(other);
    await t.page.getByRole('button', { name: 'Send invitation' }).click();
    await t.page.locator(`tr[data-invitation="${other}"]`).waitFor();
    await t.page.getByRole('button', { name: `Revoke the invitation for ${other}` }).click();
    await t.page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await t.page.locator(`tr[data-invitation="${other}"]`).waitFor({ state: 'detached' });
    await check(t, 'members after revoke');

    // The audit log, newest first, with the actions above; then filtered by one action.
    await t.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await t.page.waitForURL(/\/audit$/);
    await t.page.locator('tr[data-action="member.remove"]').first().waitFor();
    const actions = await t.page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    for (const a of [
      'invitation.revoke',
      'member.remove',
      'member.role_change',
      'invitation.accept',
      'invitation.create',
      'org.create',
    ])
      assert.ok(actions.includes(a), `audit log lists ${a}: ${actions.join(', ')}`);
    assert.ok(
      actions.indexOf('member.remove') < actions.indexOf('member.role_change') &&
        actions.indexOf('member.role_change') < actions.indexOf('invitation.accept'),
      `newest first: ${actions.join(', ')}`,
    );
    const roleRow = t.page.locator('tr[data-action="member.role_change"]');
    assert.match((await roleRow.textContent()) ?? '', /Olivia Owner/);
    assert.match((await roleRow.textContent()) ?? '', /Viewer → Admin/);
    await check(t, 'audit log');
    await screenshot(t.page, 'account-audit-en-light');

    await t.page.getByLabel('Filter by action').fill('member.role_change');
    await t.page.getByRole('button', { name: 'Apply filter' }).click();
    await t.page.waitForURL(/\?action=member\.role_change/);
    await t.page.locator('tr[data-action="member.remove"]').waitFor({ state: 'detached' });
    const filtered = await t.page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    assert.deepEqual(filtered, ['member.role_change']);
    await t.page.getByLabel('Filter by action').fill('no.such_action');
    await t.page.getByRole('button', { name: 'Apply filter' }).click();
    await t.page.getByText('No entries with this action.').waitFor();
    await check(t, 'audit log filtered');
    await guest.context.close();
    await t.context.close();
  });

  it('audit log pages with "load more" through the API cursor', async () => {
    const owner = await registerUser(s, { name: 'Paging Pat' });
    // 30 entries of one action, more than a page (25).
    for (let i = 0; i < 30; i++) {
      const r = await s.request('PATCH', `/api/v1/orgs/${owner.orgId}`, {
        token: owner.token,
        body: { name: `Paging org ${i}` },
      });
      assert.equal(r.status, 200);
    }
    const t = await newPage(browser);
    await signInAs(t, owner);
    await t.page.goto(`${s.url}/orgs/${owner.orgId}/audit?action=org.update`);
    await t.page.locator('tbody tr').nth(24).waitFor();
    assert.equal(await t.page.locator('tbody tr').count(), 25);
    await t.page.getByRole('button', { name: 'Load more' }).click();
    await t.page.locator('tbody tr').nth(29).waitFor();
    assert.equal(await t.page.locator('tbody tr').count(), 30);
    await t.page.getByText('That is everything.').waitFor();
    assert.equal(await t.page.getByRole('button', { name: 'Load more' }).count(), 0);
    await check(t, 'audit log paged');
    await t.context.close();
  });

  it('a viewer sees no admin controls (id/dark)', async () => {
    const owner = await registerUser(s, { name: 'Owner Vee', orgName: 'Vee Org' });
    const viewer = await addMember(s, owner, 'viewer');
    await setPreferences(viewer, { language: 'id', theme: 'dark' });
    const t = await newPage(browser, { lang: 'id', theme: 'dark' });
    await signInAs(t, viewer);

    await t.page.goto(`${s.url}/orgs/${owner.orgId}/members`);
    await t.page.getByRole('heading', { level: 1, name: 'Anggota' }).waitFor();
    await t.page.locator(`tr[data-member="${owner.email}"]`).waitFor();
    await expectTheme(t.page, 'dark');
    assert.equal(await t.page.getByRole('heading', { name: 'Undang seseorang' }).count(), 0);
    assert.equal(await t.page.getByRole('heading', { name: 'Undangan tertunda' }).count(), 0);
    assert.equal(await t.page.locator('tbody select').count(), 0, 'no role selects');
    assert.equal(await t.page.getByRole('button', { name: /^Keluarkan/ }).count(), 0);
    const nav = t.page.getByRole('navigation', { name: 'Navigasi utama' });
    await nav.getByRole('link', { name: 'Anggota' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Log audit' }).count(), 0);
    await check(t, 'members as viewer');
    await screenshot(t.page, 'account-members-viewer-id-dark');

    await t.page.goto(`${s.url}/orgs/${owner.orgId}/settings`);
    await t.page.getByText('Hanya admin yang dapat mengubah pengaturan ini.').waitFor();
    assert.match((await t.page.locator('.orgs-facts').textContent()) ?? '', /Vee Org/);
    assert.equal(await t.page.getByRole('button', { name: 'Simpan', exact: true }).count(), 0);
    assert.equal(await t.page.getByRole('button', { name: 'Hapus organisasi' }).count(), 0);
    await t.page.getByRole('button', { name: 'Keluar dari organisasi' }).waitFor();
    await check(t, 'settings as viewer');
    await screenshot(t.page, 'account-settings-viewer-id-dark');

    await t.page.goto(`${s.url}/orgs/${owner.orgId}/audit`);
    await t.page.getByText('Hanya anggota dengan peran Admin atau lebih tinggi').waitFor();
    assert.equal(await t.page.locator('table').count(), 0);
    await check(t, 'audit as viewer');

    await t.page.goto(`${s.url}/orgs/${owner.orgId}/providers`);
    await t.page.getByText('Hanya anggota dengan peran Anggota atau lebih tinggi').waitFor();
    assert.equal(await t.page.getByRole('button', { name: 'Tambah penyedia' }).count(), 0);
    await check(t, 'providers as viewer');

    // The server agrees: the viewer cannot change roles even by calling the API.
    const res = await s.request('PATCH', `/api/v1/orgs/${owner.orgId}/members/${owner.id}`, {
      token: viewer.token,
      body: { role: 'viewer' },
    });
    assert.equal(res.status, 403);
    await t.context.close();
  });

  it('settings: rename, create a new organization, delete it; the last owner cannot leave; a member can', async () => {
    const owner = await registerUser(s, { name: 'Sam Settings', orgName: 'Sam Org' });
    const member = await addMember(s, owner, 'member');
    const t = await newPage(browser, { lang: 'en', theme: 'light' });
    await signInAs(t, owner);
    await t.page.goto(`${s.url}/orgs/${owner.orgId}/settings`);
    const details = t.page.getByRole('region', { name: 'Details' });
    await details.getByLabel('Organization name').waitFor();
    assert.equal(await details.getByLabel('Organization name').inputValue(), 'Sam Org');
    assert.match(await details.getByLabel('Slug').inputValue(), /^sam-org/);
    await details.getByLabel('Organization name').fill('Sam Renamed Org');
    await details.getByLabel('Contact email').fill('team@example.com');
    await details.getByRole('button', { name: 'Save' }).click();
    await t.page
      .getByRole('combobox', { name: 'Organization' })
      .getByText('Sam Renamed Org')
      .waitFor({ state: 'attached' });
    const got = await s.request('GET', `/api/v1/orgs/${owner.orgId}`, { token: owner.token });
    assert.equal(got.body.name, 'Sam Renamed Org');
    assert.equal(got.body.contactEmail, 'team@example.com');
    await check(t, 'settings (owner)');
    await screenshot(t.page, 'account-settings-en-light');

    // The only owner cannot leave.
    await t.page.getByRole('button', { name: 'Leave organization' }).click();
    await t.page.getByRole('dialog').getByRole('button', { name: 'Leave organization' }).click();
    await t.page.getByText('An organization needs at least one owner.').waitFor();
    expectHttpErrors(t, 409);

    // A new organization, then delete it.
    const create = t.page.getByRole('region', { name: 'Create a new organization' });
    await create.getByLabel('Organization name').fill('Second Sam Org');
    await create.getByRole('button', { name: 'Create organization' }).click();
    await t.page.waitForURL(
      (u) => /\/orgs\/org_[^/]+\/chatbots/.test(u.pathname) && !u.pathname.includes(owner.orgId),
    );
    const newOrgId = /\/orgs\/(org_[^/]+)\//.exec(new URL(t.page.url()).pathname)![1]!;
    const mine = await s.request('GET', '/api/v1/orgs', { token: owner.token });
    assert.ok(
      (mine.body.data as { id: string; name: string }[]).some(
        (o) => o.id === newOrgId && o.name === 'Second Sam Org',
      ),
    );
    await t.page.goto(`${s.url}/orgs/${newOrgId}/settings`);
    await t.page.getByRole('button', { name: 'Delete organization' }).click();
    const dialog = t.page.getByRole('dialog');
    await dialog.getByText('Delete Second Sam Org and everything in it?').waitFor();
    await check(t, 'delete org dialog');
    await dialog.getByRole('button', { name: 'Delete organization' }).click();
    await t.page.waitForURL(new RegExp(`/orgs/${owner.orgId}/`));
    const left = await s.request('GET', '/api/v1/orgs', { token: owner.token });
    assert.ok(!(left.body.data as { id: string }[]).some((o) => o.id === newOrgId));
    await t.context.close();

    // A member leaves.
    const m = await newPage(browser);
    await signInAs(m, member);
    await m.page.goto(`${s.url}/orgs/${owner.orgId}/settings`);
    await m.page.getByRole('button', { name: 'Leave organization' }).click();
    await m.page.getByRole('dialog').getByRole('button', { name: 'Leave organization' }).click();
    await m.page.waitForURL((u) => u.pathname.startsWith('/orgs/') && !u.pathname.includes(owner.orgId));
    const theirs = await s.request('GET', '/api/v1/orgs', { token: member.token });
    assert.ok(!(theirs.body.data as { id: string }[]).some((o) => o.id === owner.orgId));
    await check(m, 'after leaving');
    await m.context.close();
  });

  it('providers: add the OpenAI-compatible test server, test the connection, sync models, delete (id/dark)', async () => {
    const owner = await registerUser(s, { name: 'Prova Provider' });
    await setPreferences(owner, { language: 'id', theme: 'dark' });
    const t = await newPage(browser, { lang: 'id', theme: 'dark' });
    await signInAs(t, owner);
    await t.page.goto(`${s.url}/orgs/${owner.orgId}/providers`);
    await t.page.getByRole('heading', { level: 1, name: 'Model' }).waitFor();
    await t.page.getByText('Belum ada penyedia.').waitFor();
    await t.page.locator('tr[data-model]').first().waitFor(); // built-in models are always there
    await expectTheme(t.page, 'dark');
    await check(t, 'providers empty');

    await t.page.getByLabel('Jenis penyedia').selectOption('custom');
    await t.page.getByLabel('Nama', { exact: true }).fill('Server uji');
    await t.page.getByLabel('URL dasar').fill(llm.url);
    await t.page.getByLabel('Kunci API').fill(LLM_KEY);
    await t.page.getByRole('button', { name: 'Tambah penyedia' }).click();
    const card = t.page.locator('li[data-provider="Server uji"]');
    await card.waitFor();
    assert.equal(await t.page.getByLabel('Kunci API').inputValue(), '', 'the key field is cleared');
    assert.ok(!(await t.page.content()).includes(LLM_KEY), 'the key is never shown again');
    assert.match((await card.textContent()) ?? '', /sk-k…/);
    assert.match((await card.textContent()) ?? '', /Server lain yang kompatibel dengan OpenAI/);

    await card.getByRole('button', { name: 'Uji koneksi ke Server uji' }).click();
    const report = card.locator('.provider-test');
    await report.waitFor();
    assert.equal(await report.getAttribute('data-ok'), 'true');
    assert.match((await report.textContent()) ?? '', /Koneksi berfungsi/);
    assert.match((await report.textContent()) ?? '', /Daftar model: 3 model/);

    await card.getByRole('button', { name: 'Sinkronkan model Server uji' }).click();
    await t.page.locator('tr[data-model$="/kawan-test-chat"]').waitFor();
    assert.match((await card.textContent()) ?? '', /3 model/);
    await card.getByRole('button', { name: 'Uji koneksi ke Server uji' }).click();
    await report.filter({ hasText: 'Jawaban uji dari kawan-test-chat: berhasil' }).waitFor();
    await check(t, 'providers with a provider');
    await screenshot(t.page, 'account-providers-id-dark');

    // A wrong key: the test says so.
    await t.page.getByLabel('Jenis penyedia').selectOption('custom');
    await t.page.getByLabel('Nama', { exact: true }).fill('Kunci salah');
    await t.page.getByLabel('URL dasar').fill(llm.url);
    await t.page.getByLabel('Kunci API').fill('sk-wrong-key-000');
    await t.page.getByRole('button', { name: 'Tambah penyedia' }).click();
    const bad = t.page.locator('li[data-provider="Kunci salah"]');
    await bad.getByRole('button', { name: 'Uji koneksi ke Kunci salah' }).click();
    await bad.locator('.provider-test[data-ok="false"]').waitFor();
    assert.match((await bad.locator('.provider-test').textContent()) ?? '', /Koneksi gagal/);
    await check(t, 'provider test failed');

    await card.getByRole('button', { name: 'Hapus Server uji' }).click();
    await t.page.getByRole('dialog').getByRole('button', { name: 'Hapus' }).click();
    await card.waitFor({ state: 'detached' });
    await t.page.locator('tr[data-model$="/kawan-test-chat"]').waitFor({ state: 'detached' });
    const res = await s.request('GET', `/api/v1/orgs/${owner.orgId}/providers`, { token: owner.token });
    assert.deepEqual(
      (res.body.data as { name: string }[]).map((p) => p.name),
      ['Kunci salah'],
    );
    await t.context.close();
  });

  it('providers in English: a member sees the list but no management buttons', async () => {
    const owner = await registerUser(s, { name: 'Mia Owner' });
    const created = await s.request('POST', `/api/v1/orgs/${owner.orgId}/providers`, {
      token: owner.token,
      body: { name: 'Shared server', preset: 'custom', baseUrl: llm.url, apiKey: LLM_KEY },
    });
    assert.equal(created.status, 201);
    const member = await addMember(s, owner, 'member');
    const t = await newPage(browser, { lang: 'en', theme: 'light' });
    await signInAs(t, member);
    await t.page.goto(`${s.url}/orgs/${owner.orgId}/providers`);
    const card = t.page.locator('li[data-provider="Shared server"]');
    await card.waitFor();
    assert.equal(await card.getByRole('button').count(), 0);
    assert.equal(await t.page.getByRole('heading', { name: 'Add a provider' }).count(), 0);
    await check(t, 'providers as member');
    await screenshot(t.page, 'account-providers-member-en-light');
    await t.context.close();
  });
});
