import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './harness.ts';
import { createChatbot, registerUser, type TestUser } from './factories.ts';
import { readSse } from './sse-client.ts';

/**
 * The widget runs on customer sites, so its three endpoints answer CORS for any origin (without credentials);
 * the chatbot's allowed domains are enforced by the server. Every other route keeps CORS_ORIGINS (unset:
 * same-origin only, so no Access-Control-Allow-Origin for a foreign site).
 */
const SHOP = 'https://shop.example.com';
const EVIL = 'https://evil.example.net';

function preflight(s: TestServer, path: string, origin: string, method = 'POST') {
  return fetch(`${s.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type,accept',
    },
  });
}

describe('CORS for the widget', () => {
  let s: TestServer;
  let owner: TestUser;
  let botId: string;
  let botKey: string;

  before(async () => {
    s = await startServer('pglite');
    owner = await registerUser(s);
    const c = await createChatbot(s, owner, {
      name: 'Shop helper',
      embed: { allowedDomains: ['shop.example.com'] },
    });
    botId = c.bot.id;
    botKey = c.secret;
  });
  after(async () => s?.close());

  it('answers preflights for the widget routes from any origin, and adds no route', async () => {
    for (const [path, method] of [
      [`/api/v1/public/chatbots/${botId}`, 'GET'],
      ['/api/v1/guest/sessions', 'POST'],
      [`/api/v1/public/chatbots/${botId}/chat`, 'POST'],
    ] as const) {
      for (const origin of [SHOP, EVIL]) {
        const res = await preflight(s, path, origin, method);
        assert.equal(res.status, 204, `${path} from ${origin}`);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.equal(res.headers.get('access-control-allow-credentials'), null);
        assert.match(res.headers.get('access-control-allow-methods') ?? '', new RegExp(method));
        const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
        for (const h of ['authorization', 'content-type', 'accept']) assert.ok(allowed.includes(h), h);
      }
    }
    assert.deepEqual(
      s.app.routeTable.filter((r) => r.method === 'OPTIONS'),
      [],
      'no OPTIONS route in the route table',
    );
  });

  it('the actual requests carry CORS headers; the server, not the browser, refuses foreign sites', async () => {
    const profile = await s.request('GET', `/api/v1/public/chatbots/${botId}`, {
      token: botKey,
      headers: { origin: SHOP },
    });
    assert.equal(profile.status, 200);
    assert.equal(profile.headers.get('access-control-allow-origin'), '*');
    assert.equal(profile.headers.get('access-control-allow-credentials'), null);

    const refused = await s.request('POST', '/api/v1/guest/sessions', {
      token: botKey,
      body: { chatbotId: botId },
      headers: { origin: EVIL },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.equal(refused.headers.get('access-control-allow-origin'), '*', 'the widget can read the refusal');

    const open = await s.request('POST', '/api/v1/guest/sessions', {
      token: botKey,
      body: { chatbotId: botId },
      headers: { origin: SHOP },
    });
    assert.equal(open.status, 201, JSON.stringify(open.body));
    assert.equal(open.headers.get('access-control-allow-origin'), '*');

    const res = await fetch(`${s.url}/api/v1/public/chatbots/${botId}/chat`, {
      method: 'POST',
      headers: {
        origin: SHOP,
        authorization: `Bearer ${open.body.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ content: 'Hello?' }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
    assert.ok(exposed.includes('x-demo-remaining'), 'the demo count is readable cross-origin');
    assert.equal(res.headers.get('x-demo-remaining'), '9');
    const events = await readSse(res);
    assert.equal(events.at(-1)?.event, 'done');
  });

  it('other routes stay same-origin by default', async () => {
    const orgs = await s.request('GET', '/api/v1/orgs', { token: owner.token, headers: { origin: EVIL } });
    assert.equal(orgs.status, 200);
    assert.equal(orgs.headers.get('access-control-allow-origin'), null);
    const pre = await preflight(s, '/api/v1/orgs', EVIL, 'GET');
    assert.notEqual(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const near = await preflight(s, `/api/v1/public/chatbots/${botId}/chat/extra`, EVIL);
    assert.equal(near.headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS for the widget next to CORS_ORIGINS', () => {
  let s: TestServer;
  let owner: TestUser;
  let botId: string;

  before(async () => {
    s = await startServer('pglite', { CORS_ORIGINS: SHOP });
    owner = await registerUser(s);
    botId = (await createChatbot(s, owner)).bot.id;
  });
  after(async () => s?.close());

  it('configured origins get credentialed CORS on the API; the widget routes stay open and uncredentialed', async () => {
    const mine = await s.request('GET', '/api/v1/orgs', { token: owner.token, headers: { origin: SHOP } });
    assert.equal(mine.headers.get('access-control-allow-origin'), SHOP);
    assert.equal(mine.headers.get('access-control-allow-credentials'), 'true');
    const other = await s.request('GET', '/api/v1/orgs', { token: owner.token, headers: { origin: EVIL } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);

    for (const origin of [SHOP, EVIL]) {
      const pre = await preflight(s, `/api/v1/public/chatbots/${botId}/chat`, origin);
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), '*');
      assert.equal(pre.headers.get('access-control-allow-credentials'), null);
      const open = await s.request('POST', '/api/v1/guest/sessions', {
        body: { chatbotId: botId },
        headers: { origin },
      });
      assert.equal(open.status, 201);
      assert.equal(open.headers.get('access-control-allow-origin'), '*');
      assert.equal(open.headers.get('access-control-allow-credentials'), null);
    }
  });
});
