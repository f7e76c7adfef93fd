import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { startServer, type ApiResponse, type TestServer } from './harness.ts';
import { registerUser, uniqueEmail } from './factories.ts';

// Login throttling (LOGIN_RATE_LIMIT attempts per LOGIN_RATE_WINDOW), keyed twice: per client IP and per
// account. TRUST_PROXY lets each request claim its own client IP through X-Forwarded-For, so the two keys
// can be exercised separately. PGlite only: the limiter does not touch the database.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function login(s: TestServer, email: string, password: string, ip?: string) {
  return s.request('POST', '/api/v1/auth/login', {
    body: { email, password },
    ...(ip ? { headers: { 'x-forwarded-for': ip } } : {}),
  });
}

function assertRateLimited(res: ApiResponse<any>, label = '') {
  assert.equal(res.status, 429, `${label} ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['error']);
  const e = res.body.error;
  assert.equal(e.code, 'rate_limited');
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.requestId, 'string');
  assert.equal(res.headers.get('x-request-id'), e.requestId);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
}

function assertNotLimited(res: ApiResponse<any>, label = '') {
  assert.notEqual(res.status, 429, `${label} was throttled: ${JSON.stringify(res.body)}`);
}

describe('[pglite] login throttling, one process', () => {
  let s: TestServer;
  let proxied: TestServer;

  before(async () => {
    [s, proxied] = await Promise.all([
      startServer('pglite', { LOGIN_RATE_LIMIT: '3', LOGIN_RATE_WINDOW: '60' }),
      startServer('pglite', { LOGIN_RATE_LIMIT: '3', LOGIN_RATE_WINDOW: '60', TRUST_PROXY: 'true' }),
    ]);
  });
  after(async () => {
    await s?.close();
    await proxied?.close();
  });

  it('the 4th attempt for one account is refused with 429 rate_limited — even with the right password', async () => {
    const u = await registerUser(s, { email: uniqueEmail('victim') });
    for (let i = 1; i <= 3; i++) {
      const res = await login(s, u.email, 'wrong password');
      assert.equal(res.status, 401, `attempt ${i}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'invalid_credentials');
    }
    assertRateLimited(await login(s, u.email, u.password), 'attempt 4');
    // Same IP (127.0.0.1), another account: the IP budget is spent too.
    const other = await registerUser(s, { email: uniqueEmail('bystander') });
    assertRateLimited(await login(s, other.email, other.password), 'other account, same IP');
    // The credential endpoints share the budget.
    assertRateLimited(
      await s.request('POST', '/api/v1/auth/forgot-password', { body: { email: other.email } }),
      'forgot-password',
    );
    // Other endpoints are not throttled.
    assert.equal((await s.request('GET', '/api/v1/auth/me', { token: other.token })).status, 200);
  });

  it('per IP: one address trying many accounts is stopped, other addresses are not', async () => {
    const ip = randomIp();
    for (let i = 1; i <= 3; i++) {
      const res = await login(proxied, uniqueEmail(`spray${i}`), 'guess password', ip);
      assert.equal(res.status, 401, `attempt ${i}: ${JSON.stringify(res.body)}`);
    }
    // A 4th, never-tried account from the same address: only the IP key can refuse it.
    const fresh = await registerUser(proxied, { email: uniqueEmail('fresh') });
    assertRateLimited(await login(proxied, fresh.email, fresh.password, ip), 'IP budget');
    // The same account from another address is fine.
    const ok = await login(proxied, fresh.email, fresh.password, randomIp());
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('per account: many addresses trying one account are stopped, other accounts are not', async () => {
    const u = await registerUser(proxied, { email: uniqueEmail('target') });
    for (let i = 1; i <= 3; i++) {
      const res = await login(proxied, u.email, 'wrong password', randomIp());
      assert.equal(res.status, 401, `attempt ${i}: ${JSON.stringify(res.body)}`);
    }
    // A 4th attempt from a never-seen address: only the account key can refuse it.
    const lastIp = randomIp();
    assertRateLimited(await login(proxied, u.email, u.password, lastIp), 'account budget');
    // The key is case-insensitive: changing the case of the email does not buy more attempts.
    assertRateLimited(
      await login(proxied, u.email.toUpperCase(), u.password, randomIp()),
      'account budget, upper case',
    );
    // That address may still sign in to another account.
    const other = await registerUser(proxied, { email: uniqueEmail('neighbour') });
    const ok = await login(proxied, other.email, other.password, lastIp);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe('[pglite] login throttling window', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer('pglite', { LOGIN_RATE_LIMIT: '2', LOGIN_RATE_WINDOW: '1' });
  });
  after(async () => s?.close());

  it('attempts are allowed again once the window has passed', async () => {
    const u = await registerUser(s, { email: uniqueEmail('window') });
    assert.equal((await login(s, u.email, 'wrong password')).status, 401);
    assert.equal((await login(s, u.email, 'wrong password')).status, 401);
    assertRateLimited(await login(s, u.email, u.password));
    await sleep(1200);
    const ok = await login(s, u.email, u.password);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe('[pglite] login throttling with the global API rate limit switched on', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer('pglite', {
      LOGIN_RATE_LIMIT: '3',
      LOGIN_RATE_WINDOW: '60',
      API_RATE_LIMIT: '1000',
    });
  });
  after(async () => s?.close());

  it('the login limit still applies (it is much stricter than the API-wide one)', async () => {
    const u = await registerUser(s, { email: uniqueEmail('global') });
    for (let i = 1; i <= 3; i++) {
      assert.equal((await login(s, u.email, 'wrong password')).status, 401, `attempt ${i}`);
    }
    assertRateLimited(await login(s, u.email, u.password), 'attempt 4');
  });
});

describe('[pglite] login throttling shared through Redis by two processes', () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  let a: TestServer | undefined;
  let b: TestServer | undefined;

  before(async () => {
    if (!redisUrl) return;
    const env = {
      REDIS_URL: redisUrl,
      LOGIN_RATE_LIMIT: '3',
      LOGIN_RATE_WINDOW: '30',
      TRUST_PROXY: 'true',
    };
    [a, b] = await Promise.all([startServer('pglite', env), startServer('pglite', env)]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('per-account attempts split between two servers still hit the limit', async (t) => {
    if (!redisUrl || !a || !b) {
      t.skip('TEST_REDIS_URL not set');
      return;
    }
    const u = await registerUser(a, { email: uniqueEmail('shared') }); // unique per run: no stale counters
    const servers = [a, b, a];
    for (const [i, server] of servers.entries()) {
      const res = await login(server, u.email, 'wrong password', randomIp());
      assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
    }
    // Neither process saw more than two attempts itself; only the shared count reaches 4.
    assertRateLimited(await login(b, u.email, 'wrong password', randomIp()), 'server B, 4th attempt');
    assertRateLimited(await login(a, u.email, u.password, randomIp()), 'server A, 5th attempt');
  });

  it('per-IP attempts split between two servers still hit the limit', async (t) => {
    if (!redisUrl || !a || !b) {
      t.skip('TEST_REDIS_URL not set');
      return;
    }
    const ip = randomIp();
    for (const [i, server] of [b, a, b].entries()) {
      const res = await login(server, uniqueEmail(`ip${i}`), 'guess password', ip);
      assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
    }
    const u = await registerUser(a, { email: uniqueEmail('shared-ip') });
    assertRateLimited(await login(a, u.email, u.password, ip), 'server A, 4th attempt from the IP');
    const ok = await login(a, u.email, u.password, randomIp());
    assertNotLimited(ok, 'another IP');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});
