import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { registerUser, uniqueEmail, type TestUser } from './factories.ts';
import { startSmtp, tokenFromLink, type ReceivedMail, type TestSmtp } from './smtp.ts';

// Account lifecycle over real HTTP, with every email delivered through a real SMTP server.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertError(res: { status: number; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
  assert.match(res.body.error.requestId, /\S/);
}

async function mailFor(smtp: TestSmtp, email: string, path: string, skip = 0): Promise<string> {
  const matches = (x: ReceivedMail) =>
    x.to.includes(email.toLowerCase()) && x.text.includes(`${path}?token=`);
  // The (skip+1)-th matching message, in arrival order.
  const m = await smtp.waitFor((x) => matches(x) && smtp.messages.filter(matches).indexOf(x) === skip);
  return tokenFromLink(m.text, path);
}

async function login(s: TestServer, email: string, password: string) {
  return s.request('POST', '/api/v1/auth/login', { body: { email, password } });
}

const refresh = (s: TestServer, refreshToken: string) =>
  s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken } });

for (const backend of backends()) {
  describe(`[${backend}] auth: email verification, password reset, sessions`, () => {
    let smtp: TestSmtp;
    let s: TestServer;
    let admin: TestUser; // first user: platform administrator

    before(async () => {
      smtp = await startSmtp();
      // A generous login budget: throttling has its own suite (ratelimit.int.test.ts).
      s = await startServer(backend, { SMTP_URL: smtp.url, LOGIN_RATE_LIMIT: '1000' });
      admin = await registerUser(s, { email: uniqueEmail('admin') });
    });
    after(async () => {
      await s?.close();
      await smtp?.close();
    });

    it('sends the verification email through SMTP; the link verifies once', async () => {
      const u = await registerUser(s, { email: uniqueEmail('verify') });
      const mail = await smtp.waitFor((m) => m.to.includes(u.email));
      assert.equal(mail.subject, 'Verify your Kawan email');
      assert.deepEqual(mail.headerTo, [u.email]);
      assert.equal(mail.from, 'no-reply@kawan.local');
      const token = tokenFromLink(mail.text, '/verify-email');

      const before = await s.request('GET', '/api/v1/auth/me', { token: u.token });
      assert.equal(before.status, 200);
      assert.equal(before.body.emailVerified, false);

      const ok = await s.request('POST', '/api/v1/auth/verify-email', { body: { token } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body, { ok: true });

      const me = await s.request('GET', '/api/v1/auth/me', { token: u.token });
      assert.equal(me.body.emailVerified, true);

      assertError(
        await s.request('POST', '/api/v1/auth/verify-email', { body: { token } }),
        401,
        'token_invalid',
      );
      assertError(
        await s.request('POST', '/api/v1/auth/verify-email', { body: { token: 'x'.repeat(43) } }),
        401,
        'token_invalid',
      );
    });

    it('resend sends a new link while unverified and nothing once verified', async () => {
      const u = await registerUser(s, { email: uniqueEmail('resend') });
      const first = await mailFor(smtp, u.email, '/verify-email');
      const res = await s.request('POST', '/api/v1/auth/verify-email/resend', { token: u.token });
      assert.equal(res.status, 202);
      const second = await mailFor(smtp, u.email, '/verify-email', 1);
      assert.notEqual(first, second);
      assert.equal(
        (await s.request('POST', '/api/v1/auth/verify-email', { body: { token: second } })).status,
        200,
      );
      const count = smtp.to(u.email).length;
      assert.equal(
        (await s.request('POST', '/api/v1/auth/verify-email/resend', { token: u.token })).status,
        202,
      );
      await sleep(200);
      assert.equal(smtp.to(u.email).length, count, 'no mail for a verified address');
      assertError(await s.request('POST', '/api/v1/auth/verify-email/resend'), 401, 'unauthenticated');
    });

    it('password reset: email → new password; old password and old sessions stop working; link is single use', async () => {
      const u = await registerUser(s, { email: uniqueEmail('reset') });
      const other = await login(s, u.email, u.password);
      assert.equal(other.status, 200);

      const forgot = await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      assert.equal(forgot.status, 202);
      assert.deepEqual(forgot.body, { ok: true });
      const mail = await smtp.waitFor((m) => m.to.includes(u.email) && m.subject.includes('password'));
      assert.equal(mail.subject, 'Reset your Kawan password');
      const token = tokenFromLink(mail.text, '/reset-password');

      const newPassword = 'brand new password 42';
      const reset = await s.request('POST', '/api/v1/auth/reset-password', {
        body: { token, password: newPassword },
      });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      assert.deepEqual(reset.body, { ok: true });

      assertError(await login(s, u.email, u.password), 401, 'invalid_credentials');
      const fresh = await login(s, u.email, newPassword);
      assert.equal(fresh.status, 200);
      assert.equal(fresh.body.user.emailVerified, true, 'a completed reset proves the address');

      // Every refresh token issued before the reset is revoked.
      assertError(await refresh(s, u.refreshToken), 401, 'token_invalid');
      assertError(await refresh(s, other.body.session.refreshToken), 401, 'token_invalid');
      assert.equal((await refresh(s, fresh.body.session.refreshToken)).status, 200);

      assertError(
        await s.request('POST', '/api/v1/auth/reset-password', {
          body: { token, password: 'another one 123' },
        }),
        401,
        'token_invalid',
      );
      assert.equal((await login(s, u.email, newPassword)).status, 200, 'reused link changed nothing');

      // A verification token is not a reset token (and vice versa).
      const verifyToken = await mailFor(smtp, u.email, '/verify-email');
      assertError(
        await s.request('POST', '/api/v1/auth/reset-password', {
          body: { token: verifyToken, password: 'another one 123' },
        }),
        401,
        'token_invalid',
      );
    });

    it('forgot-password for an unknown email answers the same 202 and sends nothing', async () => {
      const known = await registerUser(s, { email: uniqueEmail('known') });
      const before = smtp.messages.length;
      const ghost = uniqueEmail('ghost');
      const res = await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: ghost } });
      const real = await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: known.email } });
      assert.equal(res.status, 202);
      assert.equal(real.status, 202);
      assert.deepEqual(res.body, real.body);
      await smtp.waitFor((m) => m.to.includes(known.email) && m.text.includes('/reset-password?token='));
      await sleep(200);
      assert.equal(smtp.messages.length, before + 1, 'only the known address got a message');
      assert.equal(smtp.to(ghost).length, 0);
      const outbox = await s.request('GET', `/api/v1/admin/outbox?to=${encodeURIComponent(ghost)}`, {
        token: admin.token,
      });
      assert.equal(outbox.status, 200);
      assert.deepEqual(outbox.body.data, []);
    });

    it('reset emails follow the language preference', async () => {
      const u = await registerUser(s, { email: uniqueEmail('bahasa') });
      const patch = await s.request('PATCH', '/api/v1/auth/me', {
        token: u.token,
        body: { preferences: { language: 'id' } },
      });
      assert.equal(patch.status, 200);
      await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      const mail = await smtp.waitFor((m) => m.to.includes(u.email) && m.text.includes('/reset-password'));
      assert.equal(mail.subject, 'Atur ulang kata sandi Kawan');
    });

    it('refresh rotates; reusing an old token revokes its whole family but not other logins', async () => {
      const u = await registerUser(s, { email: uniqueEmail('rotate') });
      const a = await login(s, u.email, u.password);
      const b = await login(s, u.email, u.password); // a second, independent login
      const r1 = a.body.session.refreshToken as string;

      const first = await refresh(s, r1);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const r2 = first.body.session.refreshToken as string;
      assert.notEqual(r2, r1);
      assert.equal(first.body.session.tokenType, 'Bearer');
      assert.match(first.body.session.accessToken, /^ey/);
      assert.equal(
        (await s.request('GET', '/api/v1/auth/me', { token: first.body.session.accessToken })).body.id,
        u.id,
      );

      const second = await refresh(s, r2);
      assert.equal(second.status, 200);
      const r3 = second.body.session.refreshToken as string;

      // r1 was already exchanged: replaying it is treated as theft.
      assertError(await refresh(s, r1), 401, 'refresh_token_reused');
      // …and the newest token of that family no longer works either.
      assertError(await refresh(s, r3), 401, 'token_invalid');
      assertError(await refresh(s, r2), 401, 'token_invalid');

      // The other login is a different family and keeps working.
      const otherLogin = await refresh(s, b.body.session.refreshToken);
      assert.equal(otherLogin.status, 200);
      assert.equal((await refresh(s, otherLogin.body.session.refreshToken)).status, 200);

      assertError(await refresh(s, 'rt_' + 'x'.repeat(43)), 401, 'token_invalid');
      assertError(await refresh(s, 'short'), 400, 'validation_failed');
    });

    it('logout revokes the whole family and is idempotent', async () => {
      const u = await registerUser(s, { email: uniqueEmail('logout') });
      const a = await login(s, u.email, u.password);
      const rotated = await refresh(s, a.body.session.refreshToken);
      const latest = rotated.body.session.refreshToken as string;

      const out = await s.request('POST', '/api/v1/auth/logout', { body: { refreshToken: latest } });
      assert.equal(out.status, 200);
      assert.deepEqual(out.body, { ok: true });
      assertError(await refresh(s, latest), 401, 'token_invalid');
      assert.equal((await refresh(s, a.body.session.refreshToken)).status, 401);

      const again = await s.request('POST', '/api/v1/auth/logout', { body: { refreshToken: latest } });
      assert.equal(again.status, 200);
      // The registration session is another family: still alive.
      assert.equal((await refresh(s, u.refreshToken)).status, 200);
    });

    it('PATCH /auth/me persists name and preferences, merging partial changes', async () => {
      const u = await registerUser(s, { email: uniqueEmail('prefs') });
      const me0 = await s.request('GET', '/api/v1/auth/me', { token: u.token });
      assert.deepEqual(me0.body.preferences, { theme: 'system', language: 'en' });

      const dark = await s.request('PATCH', '/api/v1/auth/me', {
        token: u.token,
        body: { preferences: { theme: 'dark' } },
      });
      assert.equal(dark.status, 200, JSON.stringify(dark.body));
      assert.deepEqual(dark.body.preferences, { theme: 'dark', language: 'en' });

      const id = await s.request('PATCH', '/api/v1/auth/me', {
        token: u.token,
        body: { name: '  Siti Rahma ', preferences: { language: 'id' } },
      });
      assert.equal(id.status, 200);
      const me = await s.request('GET', '/api/v1/auth/me', { token: u.token });
      assert.equal(me.body.name, 'Siti Rahma');
      assert.deepEqual(me.body.preferences, { theme: 'dark', language: 'id' });
      assert.equal(me.body.organizations.length, 1);

      const bad = await s.request('PATCH', '/api/v1/auth/me', {
        token: u.token,
        body: { preferences: { theme: 'purple' } },
      });
      assertError(bad, 400, 'validation_failed');
      assert.ok(Array.isArray(bad.body.error.details), JSON.stringify(bad.body));
      assert.ok(
        bad.body.error.details.some((d: { path: string }) => d.path === 'body.preferences.theme'),
        JSON.stringify(bad.body.error.details),
      );
      assertError(
        await s.request('PATCH', '/api/v1/auth/me', { token: u.token, body: { isPlatformAdmin: true } }),
        400,
        'validation_failed',
      );
      const after = await s.request('GET', '/api/v1/auth/me', { token: u.token });
      assert.deepEqual(after.body.preferences, { theme: 'dark', language: 'id' });
      assert.equal(after.body.isPlatformAdmin, false);
      assertError(
        await s.request('PATCH', '/api/v1/auth/me', { body: { name: 'x' } }),
        401,
        'unauthenticated',
      );
    });

    it('change-password: needs the current password, signs out other sessions, returns a new one', async () => {
      const u = await registerUser(s, { email: uniqueEmail('chpw') });
      const other = await login(s, u.email, u.password);
      const next = 'the next password 7';

      assertError(
        await s.request('POST', '/api/v1/auth/change-password', {
          token: u.token,
          body: { currentPassword: 'wrong password', newPassword: next },
        }),
        401,
        'invalid_credentials',
      );
      assertError(
        await s.request('POST', '/api/v1/auth/change-password', {
          token: u.token,
          body: { currentPassword: u.password, newPassword: 'short' },
        }),
        400,
        'validation_failed',
      );
      const res = await s.request('POST', '/api/v1/auth/change-password', {
        token: u.token,
        body: { currentPassword: u.password, newPassword: next },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.match(res.body.session.accessToken, /^ey/);

      assertError(await refresh(s, u.refreshToken), 401, 'token_invalid');
      assertError(await refresh(s, other.body.session.refreshToken), 401, 'token_invalid');
      assert.equal((await refresh(s, res.body.session.refreshToken)).status, 200);
      assertError(await login(s, u.email, u.password), 401, 'invalid_credentials');
      assert.equal((await login(s, u.email, next)).status, 200);
    });

    it('login rejects wrong passwords and unknown accounts alike; email is case-insensitive', async () => {
      const u = await registerUser(s, { email: uniqueEmail('case') });
      const wrong = await login(s, u.email, 'not the password');
      const ghost = await login(s, uniqueEmail('nobody'), 'not the password');
      assertError(wrong, 401, 'invalid_credentials');
      assertError(ghost, 401, 'invalid_credentials');
      assert.equal(wrong.body.error.message, ghost.body.error.message);
      assert.equal((await login(s, u.email.toUpperCase(), u.password)).status, 200);
      assertError(
        await s.request('POST', '/api/v1/auth/register', {
          body: { email: u.email.toUpperCase(), password: 'whatever password', name: 'Dup' },
        }),
        409,
        'email_taken',
      );
    });

    it('the outbox records every message as sent (platform admins only)', async () => {
      const u = await registerUser(s, { email: uniqueEmail('outbox') });
      await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      await smtp.waitFor((m) => m.to.includes(u.email) && m.text.includes('/reset-password'));

      const res = await s.request('GET', `/api/v1/admin/outbox?to=${encodeURIComponent(u.email)}`, {
        token: admin.token,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const rows = res.body.data as { kind: string; status: string; to: string; sentAt: string | null }[];
      assert.deepEqual(rows.map((r) => r.kind).sort(), ['reset_password', 'verify_email']);
      for (const r of rows) {
        assert.equal(r.status, 'sent', JSON.stringify(r));
        assert.equal(r.to, u.email);
        assert.ok(r.sentAt);
      }
      assert.equal(smtp.to(u.email).length, rows.length);

      const all = await s.request('GET', '/api/v1/admin/outbox?limit=100', { token: admin.token });
      assert.equal(all.status, 200);
      assert.ok(all.body.data.length >= 2);
      assert.ok(all.body.data.every((r: { status: string }) => r.status === 'sent'));

      const me = await s.request('GET', '/api/v1/auth/me', { token: admin.token });
      assert.equal(me.body.isPlatformAdmin, true);
      assertError(await s.request('GET', '/api/v1/admin/outbox', { token: u.token }), 403, 'forbidden');
      assertError(await s.request('GET', '/api/v1/admin/outbox'), 401, 'unauthenticated');
    });
  });

  describe(`[${backend}] auth: expiring links`, () => {
    let smtp: TestSmtp;
    let s: TestServer;

    before(async () => {
      smtp = await startSmtp();
      s = await startServer(backend, {
        SMTP_URL: smtp.url,
        PASSWORD_RESET_TTL: '1',
        EMAIL_VERIFICATION_TTL: '1',
      });
    });
    after(async () => {
      await s?.close();
      await smtp?.close();
    });

    it('reset and verification tokens used after their TTL fail', async () => {
      const u = await registerUser(s, { email: uniqueEmail('ttl') });
      const verifyToken = await mailFor(smtp, u.email, '/verify-email');
      await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      const resetToken = await mailFor(smtp, u.email, '/reset-password');
      await sleep(1500);

      assertError(
        await s.request('POST', '/api/v1/auth/reset-password', {
          body: { token: resetToken, password: 'too late password' },
        }),
        401,
        'token_invalid',
      );
      assertError(
        await s.request('POST', '/api/v1/auth/verify-email', { body: { token: verifyToken } }),
        401,
        'token_invalid',
      );
      assert.equal((await login(s, u.email, u.password)).status, 200, 'password unchanged');
      const me = await s.request('GET', '/api/v1/auth/me', { token: u.token });
      assert.equal(me.body.emailVerified, false);

      // A fresh link used at once still works.
      await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      const freshToken = await mailFor(smtp, u.email, '/reset-password', 1);
      const ok = await s.request('POST', '/api/v1/auth/reset-password', {
        body: { token: freshToken, password: 'in time password' },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });
  });
}
