import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, type TestServer } from './harness.ts';
import { addMember, createChatbot, registerUser } from './factories.ts';

/**
 * Two API processes on one PostgreSQL and one Redis, as in a scaled-out deployment. Each caches roles, keys and
 * chatbots for a long time here (CACHE_TTL=60), so only the Redis broadcast can make a change made through one
 * process visible at once through the other.
 */
const enabled = !!process.env.TEST_DATABASE_URL && !!process.env.TEST_REDIS_URL;

async function eventually(check: () => Promise<boolean>, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe(
  '[postgres+redis] two API processes',
  { skip: enabled ? false : 'needs TEST_DATABASE_URL and TEST_REDIS_URL' },
  () => {
    let a: TestServer;
    let b: TestServer;

    before(async () => {
      const shared = {
        REDIS_URL: process.env.TEST_REDIS_URL!,
        CACHE_TTL: '60',
        JWT_SECRET: randomBytes(32).toString('hex'),
      };
      a = await startServer('postgres', shared);
      b = await startServer('postgres', { ...shared, DATABASE_URL: a.rt.config.DATABASE_URL! });
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    it('a key revoked through one process is refused by the other at once', async () => {
      const owner = await registerUser(a);
      const { bot, key, secret } = await createChatbot(a, owner);
      assert.equal(
        (await b.request('GET', `/api/v1/public/chatbots/${bot.id}`, { token: secret })).status,
        200,
      ); // now cached in b
      const rev = await a.request(
        'POST',
        `/api/v1/orgs/${owner.orgId}/chatbots/${bot.id}/keys/${key.id}/revoke`,
        { token: owner.token },
      );
      assert.equal(rev.status, 200);
      assert.ok(
        await eventually(
          async () =>
            (await b.request('GET', `/api/v1/public/chatbots/${bot.id}`, { token: secret })).status === 401,
        ),
      );
    });

    it('a removed member loses access through the other process at once', async () => {
      const owner = await registerUser(a);
      const member = await addMember(a, owner, 'member');
      assert.equal(
        (await b.request('GET', `/api/v1/orgs/${owner.orgId}`, { token: member.token })).status,
        200,
      ); // role cached in b
      const del = await a.request('DELETE', `/api/v1/orgs/${owner.orgId}/members/${member.id}`, {
        token: owner.token,
      });
      assert.equal(del.status, 204);
      assert.ok(
        await eventually(
          async () =>
            (await b.request('GET', `/api/v1/orgs/${owner.orgId}`, { token: member.token })).status === 404,
        ),
      );
    });

    it('a chatbot change through one process is served by the other at once', async () => {
      const owner = await registerUser(a);
      const { bot, secret } = await createChatbot(a, owner, { name: 'Before' });
      assert.equal(
        (await b.request('GET', `/api/v1/public/chatbots/${bot.id}`, { token: secret })).body.name,
        'Before',
      );
      await a.request('PATCH', `/api/v1/orgs/${owner.orgId}/chatbots/${bot.id}`, {
        token: owner.token,
        body: { name: 'After' },
      });
      assert.ok(
        await eventually(
          async () =>
            (await b.request('GET', `/api/v1/public/chatbots/${bot.id}`, { token: secret })).body.name ===
            'After',
        ),
      );
    });
  },
);
