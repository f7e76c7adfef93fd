import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { addMember, createChatbot, createOrgKey, registerUser, type TestUser } from './factories.ts';
import { startLlmTestServer, type LlmTestServer } from './llm-server/server.ts';
import { secretBoxFor } from '../src/platform/crypto/secret-box.ts';
import { resolveChatModel, sealContext } from '../src/platform/llm/resolve-model.ts';
import { ProviderError, collectStream } from '../src/platform/llm/types.ts';

/*
 * Model providers over HTTP on a real database, against the OpenAI-compatible test server on 127.0.0.1.
 * Providers get no SSRF guard (admins configure them; local servers are the point), so loopback just works.
 */

const KEY = 'sk-kawan-int-9f8e7d6c5b4a3210';

for (const backend of backends()) {
  describe(`[${backend}] model providers`, () => {
    let s: TestServer;
    let llm: LlmTestServer;
    let owner: TestUser;
    let base: string;

    const rawRow = async (id: string) =>
      (
        await s.rt.database.pool.query<{ api_key_enc: string | null; key_hint: string | null }>(
          'select api_key_enc, key_hint from model_providers where id = $1',
          [id],
        )
      ).rows[0];

    async function create(body: Record<string, unknown>, token = owner.token) {
      return s.request('POST', `${base}/providers`, { token, body });
    }

    before(async () => {
      llm = await startLlmTestServer({ apiKey: KEY, reply: 'Pong from the test model.' });
      s = await startServer(backend);
      owner = await registerUser(s);
      base = `/api/v1/orgs/${owner.orgId}`;
    });
    after(async () => {
      await s?.close();
      await llm?.close();
    });

    it('creates a provider; the key is stored encrypted and never returned', async () => {
      const res = await create({
        name: 'Test server',
        preset: 'custom',
        baseUrl: `${llm.url}/`,
        apiKey: KEY,
        models: [{ id: 'kawan-test-chat' }, { id: 'kawan-test-vision', contextWindow: 16_384 }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const p = res.body;
      assert.match(p.id, /^prv_/);
      assert.equal(p.baseUrl, llm.url, 'trailing slash trimmed');
      assert.equal(p.hasKey, true);
      assert.equal(p.keyHint, 'sk-k…3210');
      assert.equal(p.timeoutMs, 60_000, 'LLM_TIMEOUT default');
      assert.ok(!JSON.stringify(res.body).includes(KEY));
      assert.deepEqual(p.models, [
        { id: 'kawan-test-chat', vision: false, tools: false, contextWindow: 8192 },
        { id: 'kawan-test-vision', vision: true, tools: false, contextWindow: 16_384 },
      ]);

      const row = await rawRow(p.id);
      assert.ok(row?.api_key_enc, 'a sealed key is stored');
      assert.match(row.api_key_enc, /^v1:/);
      assert.ok(!row.api_key_enc.includes(KEY));
      assert.ok(!row.api_key_enc.includes(Buffer.from(KEY).toString('base64')));
      // It is the key, sealed to this row: it opens with its own context only.
      const box = secretBoxFor(s.rt.config);
      assert.equal(box.open(row.api_key_enc, sealContext(owner.orgId, p.id)), KEY);
      assert.throws(() => box.open(row.api_key_enc!, sealContext(owner.orgId, 'prv_other')));

      const got = await s.request('GET', `${base}/providers/${p.id}`, { token: owner.token });
      assert.equal(got.status, 200);
      assert.ok(!JSON.stringify(got.body).includes(KEY));
      const list = await s.request('GET', `${base}/providers`, { token: owner.token });
      assert.deepEqual(
        list.body.data.map((x: { id: string }) => x.id),
        [p.id],
      );
      assert.ok(list.body.presets.some((x: { id: string }) => x.id === 'ollama'));
    });

    it('validates: hosted presets need a key, custom needs a URL, names are unique', async () => {
      const groq = await create({ name: 'Groq', preset: 'groq' });
      assert.equal(groq.status, 400);
      assert.equal(groq.body.error.code, 'validation_failed');
      assert.equal(groq.body.error.details[0].path, 'body.apiKey');
      const custom = await create({ name: 'Nowhere', preset: 'custom' });
      assert.equal(custom.status, 400);
      assert.equal(custom.body.error.details[0].path, 'body.baseUrl');
      const dup = await create({ name: 'Test server', preset: 'custom', baseUrl: llm.url });
      assert.equal(dup.status, 409);
      const ollama = await create({ name: 'Local Ollama', preset: 'ollama' });
      assert.equal(ollama.status, 201);
      assert.equal(ollama.body.baseUrl, 'http://127.0.0.1:11434/v1');
      assert.equal(ollama.body.hasKey, false);
      assert.equal(ollama.body.keyHint, null);
      assert.equal(
        (await s.request('DELETE', `${base}/providers/${ollama.body.id}`, { token: owner.token })).status,
        204,
      );
    });

    it('members read providers; only admins (users, not keys) manage them', async () => {
      const member = await addMember(s, owner, 'member');
      const viewer = await addMember(s, owner, 'viewer');
      assert.equal((await s.request('GET', `${base}/providers`, { token: member.token })).status, 200);
      assert.equal((await s.request('GET', `${base}/providers`, { token: viewer.token })).status, 403);
      const denied = await create({ name: 'By member', preset: 'custom', baseUrl: llm.url }, member.token);
      assert.equal(denied.status, 403);
      const admin = await addMember(s, owner, 'admin');
      const made = await create({ name: 'By admin', preset: 'custom', baseUrl: llm.url }, admin.token);
      assert.equal(made.status, 201);
      await s.request('DELETE', `${base}/providers/${made.body.id}`, { token: admin.token });
    });

    it('tests a provider: lists models and gets a 1-token completion with the decrypted key', async () => {
      const p = (await s.request('GET', `${base}/providers`, { token: owner.token })).body.data[0];
      const res = await s.request('POST', `${base}/providers/${p.id}/test`, { token: owner.token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.ok, true);
      assert.equal(res.body.models.ok, true);
      assert.equal(res.body.models.count, 3);
      assert.equal(res.body.completion.ok, true);
      assert.equal(res.body.completion.model, 'kawan-test-chat');
      assert.ok(res.body.latencyMs >= res.body.completion.latencyMs);
      const sent = llm.lastChat()!;
      assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
      assert.equal(sent.body.max_tokens, 1);

      const chosen = await s.request('POST', `${base}/providers/${p.id}/test`, {
        token: owner.token,
        body: { model: 'kawan-test-vision' },
      });
      assert.equal(chosen.body.completion.model, 'kawan-test-vision');
    });

    it('reports a rejected key as a failed test (provider_auth), without throwing', async () => {
      const p = (
        await create({
          name: 'Wrong key',
          preset: 'custom',
          baseUrl: llm.url,
          apiKey: 'sk-wrong-000000000000',
        })
      ).body;
      const res = await s.request('POST', `${base}/providers/${p.id}/test`, {
        token: owner.token,
        body: { model: 'kawan-test-chat' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.ok, false);
      assert.deepEqual(res.body.models.error.code, 'provider_auth');
      assert.equal(res.body.models.error.status, 401);
      assert.equal(res.body.completion.error.code, 'provider_auth');
      const down = await create({ name: 'Down', preset: 'custom', baseUrl: 'http://127.0.0.1:1/v1' });
      const r2 = await s.request('POST', `${base}/providers/${down.body.id}/test`, { token: owner.token });
      assert.equal(r2.body.ok, false);
      assert.equal(r2.body.models.error.code, 'provider_error');
      assert.equal(r2.body.completion, null);
      for (const id of [p.id, down.body.id]) {
        await s.request('DELETE', `${base}/providers/${id}`, { token: owner.token });
      }
    });

    it('syncs the catalogue from /v1/models, keeping hand-set traits; prune removes unlisted entries', async () => {
      const p = (
        await create({
          name: 'Sync me',
          preset: 'custom',
          baseUrl: llm.url,
          apiKey: KEY,
          models: [{ id: 'kawan-test-chat', vision: true, contextWindow: 4096 }, { id: 'my-alias' }],
        })
      ).body;
      const res = await s.request('POST', `${base}/providers/${p.id}/sync-models`, { token: owner.token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.added, ['kawan-test-vision', 'kawan-test-embed']);
      assert.deepEqual(res.body.unlisted, ['my-alias']);
      assert.deepEqual(res.body.removed, []);
      const byId = Object.fromEntries(res.body.provider.models.map((m: { id: string }) => [m.id, m]));
      assert.deepEqual(byId['kawan-test-chat'], {
        id: 'kawan-test-chat',
        vision: true,
        tools: false,
        contextWindow: 4096,
      });
      assert.equal(byId['kawan-test-vision'].vision, true);
      assert.ok(byId['my-alias']);

      const pruned = await s.request('POST', `${base}/providers/${p.id}/sync-models?prune=true`, {
        token: owner.token,
      });
      assert.deepEqual(pruned.body.removed, ['my-alias']);
      assert.deepEqual(
        pruned.body.provider.models.map((m: { id: string }) => m.id),
        ['kawan-test-chat', 'kawan-test-vision', 'kawan-test-embed'],
      );
      await s.request('DELETE', `${base}/providers/${p.id}`, { token: owner.token });
    });

    it("lists the org's models; public /models shows built-ins, plus the org's with its keys", async () => {
      const p = (await s.request('GET', `${base}/providers`, { token: owner.token })).body.data.at(-1);
      const org = await s.request('GET', `${base}/models`, { token: owner.token });
      assert.equal(org.status, 200);
      const ids = org.body.data.map((m: { id: string }) => m.id);
      assert.equal(ids[0], 'builtin/extractive');
      assert.ok(ids.includes(`${p.id}/kawan-test-chat`));
      const vision = org.body.data.find((m: { id: string }) => m.id === `${p.id}/kawan-test-vision`);
      assert.deepEqual(vision, {
        id: `${p.id}/kawan-test-vision`,
        model: 'kawan-test-vision',
        provider: p.id,
        providerName: 'Test server',
        vision: true,
        tools: false,
        contextWindow: 16_384,
      });

      const anonymous = await s.request('GET', '/api/v1/models');
      assert.equal(anonymous.status, 200);
      assert.deepEqual(
        anonymous.body.data.map((m: { id: string }) => m.id),
        ['builtin/extractive'],
      );
      const { secret: botKey } = await createChatbot(s, owner);
      const { secret: orgKey } = await createOrgKey(s, owner, ['chatbots:read']);
      for (const token of [botKey, orgKey]) {
        const withKey = await s.request('GET', '/api/v1/models', { token });
        assert.deepEqual(
          withKey.body.data.map((m: { id: string }) => m.id),
          ids,
        );
      }
      const stranger = await registerUser(s);
      const { secret: otherKey } = await createChatbot(s, stranger);
      const other = await s.request('GET', '/api/v1/models', { token: otherKey });
      assert.deepEqual(
        other.body.data.map((m: { id: string }) => m.id),
        ['builtin/extractive'],
      );

      await s.request('PATCH', `${base}/providers/${p.id}`, { token: owner.token, body: { enabled: false } });
      const disabled = await s.request('GET', `${base}/models`, { token: owner.token });
      assert.ok(!disabled.body.data.some((m: { provider: string }) => m.provider === p.id));
      await s.request('PATCH', `${base}/providers/${p.id}`, { token: owner.token, body: { enabled: true } });
    });

    it('resolves <providerId>/<model> to a working provider; a changed key applies at once', async () => {
      const p = (await s.request('GET', `${base}/providers`, { token: owner.token })).body.data.at(-1);
      const ref = `${p.id}/kawan-test-chat`;
      const resolved = await resolveChatModel(s.rt, owner.orgId, ref);
      assert.equal(resolved.model, 'kawan-test-chat');
      assert.equal(resolved.info.provider, p.id);
      const answer = await collectStream(
        resolved.provider.stream({
          model: resolved.model,
          messages: [{ role: 'user', content: 'ping [[tokens:3]]' }],
        }),
      );
      assert.equal(answer.text, 'Pong from the');
      assert.equal(answer.usage.completionTokens, 3);

      const patched = await s.request('PATCH', `${base}/providers/${p.id}`, {
        token: owner.token,
        body: { apiKey: 'sk-rotated-but-wrong-1234' },
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.keyHint, 'sk-r…1234');
      const stale = await resolveChatModel(s.rt, owner.orgId, ref);
      await assert.rejects(
        stale.provider.complete({ model: stale.model, messages: [{ role: 'user', content: 'hi' }] }),
        (err: unknown) => err instanceof ProviderError && err.code === 'provider_auth',
      );
      await s.request('PATCH', `${base}/providers/${p.id}`, { token: owner.token, body: { apiKey: KEY } });
      const fresh = await resolveChatModel(s.rt, owner.orgId, ref);
      assert.equal(
        (await fresh.provider.complete({ model: fresh.model, messages: [{ role: 'user', content: 'hi' }] }))
          .finishReason,
        'stop',
      );

      const stranger = await registerUser(s);
      await assert.rejects(resolveChatModel(s.rt, stranger.orgId, ref), { code: 'model_not_configured' });
      await assert.rejects(resolveChatModel(s.rt, owner.orgId, 'local/none.gguf'), {
        code: 'model_not_configured',
      });
      await assert.rejects(resolveChatModel(s.rt, owner.orgId, 'gpt-4o'), { code: 'model_not_configured' });
    });

    it('removes a key with null, audits every change without key material, deletes', async () => {
      const p = (await create({ name: 'Keyless later', preset: 'custom', baseUrl: llm.url, apiKey: KEY }))
        .body;
      const cleared = await s.request('PATCH', `${base}/providers/${p.id}`, {
        token: owner.token,
        body: { apiKey: null, timeoutMs: 5000 },
      });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.hasKey, false);
      assert.equal(cleared.body.keyHint, null);
      assert.equal(cleared.body.timeoutMs, 5000);
      assert.equal((await rawRow(p.id))!.api_key_enc, null);

      const groq = (await create({ name: 'Groq key', preset: 'groq', apiKey: 'gsk_0123456789abcdef' })).body;
      const refused = await s.request('PATCH', `${base}/providers/${groq.id}`, {
        token: owner.token,
        body: { apiKey: null },
      });
      assert.equal(refused.status, 400);

      assert.equal(
        (await s.request('DELETE', `${base}/providers/${p.id}`, { token: owner.token })).status,
        204,
      );
      assert.equal((await s.request('GET', `${base}/providers/${p.id}`, { token: owner.token })).status, 404);
      await assert.rejects(resolveChatModel(s.rt, owner.orgId, `${p.id}/kawan-test-chat`), {
        code: 'model_not_configured',
      });

      const audit = await s.request('GET', `${base}/audit-logs?limit=100`, { token: owner.token });
      const actions = audit.body.data
        .filter((e: { target?: { id?: string }; targetId?: string }) => JSON.stringify(e).includes(p.id))
        .map((e: { action: string }) => e.action);
      assert.deepEqual(actions.sort(), ['provider.create', 'provider.delete', 'provider.update']);
      const text = JSON.stringify(audit.body);
      assert.ok(text.includes('provider.sync_models'));
      assert.ok(!text.includes(KEY) && !text.includes('gsk_0123456789abcdef'), 'no key in the audit trail');
    });
  });
}
