import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { registerUser, uniqueEmail, type TestUser } from './factories.ts';

// README's curl walk-through, step by step, on every backend.
for (const backend of backends()) {
  describe(`[${backend}] walk-through: register → chatbot → key rotation → audit`, () => {
    let s: TestServer;
    let owner: TestUser;
    let botId: string;
    let firstKey: { id: string; secret: string };
    let secondKey: { id: string; secret: string };

    before(async () => {
      s = await startServer(backend);
    });
    after(async () => s?.close());

    it('registers an owner with an organization and logs in', async () => {
      owner = await registerUser(s, { orgName: 'Toko Emas' });
      const login = await s.request('POST', '/api/v1/auth/login', {
        body: { email: owner.email, password: owner.password },
      });
      assert.equal(login.status, 200);
      assert.match(login.body.session.accessToken, /^ey/);
      const me = await s.request('GET', '/api/v1/auth/me', { token: login.body.session.accessToken });
      assert.equal(me.body.organizations[0].id, owner.orgId);
      assert.equal(me.body.organizations[0].role, 'owner');
    });

    it('invites a member who accepts', async () => {
      const invitee = await registerUser(s, { email: uniqueEmail('invitee') });
      const inv = await s.request('POST', `/api/v1/orgs/${owner.orgId}/invitations`, {
        token: owner.token,
        body: { email: invitee.email, role: 'member' },
      });
      assert.equal(inv.status, 201);
      const acc = await s.request('POST', '/api/v1/invitations/accept', {
        token: invitee.token,
        body: { token: inv.body.token },
      });
      assert.deepEqual(acc.body, { orgId: owner.orgId, role: 'member' });
      const again = await s.request('POST', '/api/v1/invitations/accept', {
        token: invitee.token,
        body: { token: inv.body.token },
      });
      assert.equal(again.status, 401);
      const members = await s.request('GET', `/api/v1/orgs/${owner.orgId}/members`, { token: owner.token });
      assert.deepEqual(members.body.data.map((m: { role: string }) => m.role).sort(), ['member', 'owner']);
    });

    it('creates a chatbot whose key is shown once and opens the public profile', async () => {
      const res = await s.request('POST', `/api/v1/orgs/${owner.orgId}/chatbots`, {
        token: owner.token,
        body: { name: 'Layanan Gadai', language: 'id', embed: { greeting: 'Halo!' } },
      });
      assert.equal(res.status, 201);
      botId = res.body.chatbot.id;
      firstKey = { id: res.body.key.id, secret: res.body.secret };
      assert.match(firstKey.secret, /^kw_[0-9A-Za-z]{40}$/);
      assert.ok(firstKey.secret.startsWith(res.body.key.prefix));

      const list = await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/keys`, {
        token: owner.token,
      });
      assert.equal(list.body.data.length, 1);
      assert.ok(!JSON.stringify(list.body).includes(firstKey.secret), 'secret never listed again');

      const profile = await s.request('GET', `/api/v1/public/chatbots/${botId}`, { token: firstKey.secret });
      assert.equal(profile.status, 200);
      assert.equal(profile.body.name, 'Layanan Gadai');
      assert.equal(profile.body.greeting, 'Halo!');
      assert.equal(profile.body.demoMessageLimit, 10);
    });

    it('rotates with a grace period: the old key works, then stops', async () => {
      const rot = await s.request(
        'POST',
        `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/keys/${firstKey.id}/rotate`,
        {
          token: owner.token,
          body: { gracePeriodSeconds: 2 },
        },
      );
      assert.equal(rot.status, 200, JSON.stringify(rot.body));
      secondKey = { id: rot.body.key.id, secret: rot.body.secret };
      assert.equal(rot.body.previous.rotatedToId, secondKey.id);

      assert.equal(
        (await s.request('GET', `/api/v1/public/chatbots/${botId}`, { token: firstKey.secret })).status,
        200,
      );
      assert.equal(
        (await s.request('GET', `/api/v1/public/chatbots/${botId}`, { token: secondKey.secret })).status,
        200,
      );
      await new Promise((r) => setTimeout(r, 2200));
      const expired = await s.request('GET', `/api/v1/public/chatbots/${botId}`, { token: firstKey.secret });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'api_key_invalid');
      assert.equal(
        (await s.request('GET', `/api/v1/public/chatbots/${botId}`, { token: secondKey.secret })).status,
        200,
      );
    });

    it('revokes the new key: 401 at once', async () => {
      const rev = await s.request(
        'POST',
        `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/keys/${secondKey.id}/revoke`,
        { token: owner.token },
      );
      assert.equal(rev.status, 200);
      assert.equal(rev.body.key.status, 'revoked');
      const res = await s.request('GET', `/api/v1/public/chatbots/${botId}`, { token: secondKey.secret });
      assert.equal(res.status, 401);
    });

    it('the audit log shows each step', async () => {
      const res = await s.request('GET', `/api/v1/orgs/${owner.orgId}/audit-logs?limit=100`, {
        token: owner.token,
      });
      assert.equal(res.status, 200);
      const actions = (res.body.data as { action: string }[]).map((e) => e.action).reverse();
      for (const a of [
        'org.create',
        'invitation.create',
        'invitation.accept',
        'chatbot.create',
        'chatbot_key.create',
        'chatbot_key.rotate',
        'chatbot_key.revoke',
      ]) {
        assert.ok(actions.includes(a), `audit has ${a}: ${actions.join(',')}`);
      }
      assert.ok(actions.indexOf('chatbot.create') < actions.indexOf('chatbot_key.rotate'));
      const rotate = res.body.data.find((e: { action: string }) => e.action === 'chatbot_key.rotate');
      assert.equal(rotate.actorId, owner.id);
      assert.equal(rotate.ip, '127.0.0.1');
      const filtered = await s.request(
        'GET',
        `/api/v1/orgs/${owner.orgId}/audit-logs?action=chatbot_key.revoke`,
        { token: owner.token },
      );
      assert.deepEqual(
        filtered.body.data.map((e: { action: string }) => e.action),
        ['chatbot_key.revoke'],
      );
    });
  });
}
