import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { backends, startServer, type TestServer } from './harness.ts';
import { createChatbot, registerUser, uploadFile, waitForDocument, type TestUser } from './factories.ts';
import { startLlmTestServer, type LlmTestServer } from './llm-server/server.ts';
import { listSearchableChunks } from '../src/modules/knowledge/knowledge.repo.ts';
import { llmCalls } from '../src/platform/db/schema.ts';

const KEY = 'sk-test-embeddings';
const DIMS = 48;
const LOANS = 'Gold pawn loans cost 1.25 percent interest per month. The loan term is 120 days.';
const OTHER = 'Our branch opening hours are Monday to Saturday, eight in the morning until four.';

// A chatbot whose knowledge is embedded by a provider (the test server's hashed bag-of-words vectors), and the
// re-embed job that switches embedders without search ever seeing a mix of vectors.
for (const backend of backends()) {
  describe(`[${backend}] embeddings from a provider`, () => {
    let s: TestServer;
    let llm: LlmTestServer;
    let owner: TestUser;
    let providerId: string;

    before(async () => {
      llm = await startLlmTestServer({ apiKey: KEY, embeddingDims: DIMS });
      s = await startServer(backend);
      owner = await registerUser(s);
      const p = await s.request('POST', `/api/v1/orgs/${owner.orgId}/providers`, {
        token: owner.token,
        body: {
          name: 'Embed server',
          preset: 'custom',
          baseUrl: llm.url,
          apiKey: KEY,
          models: [{ id: 'kawan-test-embed' }],
        },
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      providerId = p.body.id;
    });
    after(async () => {
      await s?.close();
      await llm?.close();
    });

    const botUrl = (botId: string) => `/api/v1/orgs/${owner.orgId}/chatbots/${botId}`;
    const search = (botId: string, query: string, mode: string) =>
      s.request('POST', `${botUrl(botId)}/search`, {
        token: owner.token,
        body: { query, mode, expand: false },
      });
    const vectorLengths = async (botId: string) =>
      new Set((await listSearchableChunks(s.rt.db, owner.orgId, botId)).map((c) => c.embedding?.length));

    async function upload(botId: string, name: string, content: string) {
      const up = await uploadFile(s, owner.token, `${botUrl(botId)}/documents`, { name, content });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const doc = await waitForDocument(s, owner, botId, up.body.document.id as string);
      assert.equal(doc.status, 'indexed', JSON.stringify(doc));
      return doc.id as string;
    }

    async function waitForReembed(botId: string, states: string[]) {
      const until = Date.now() + 60_000;
      for (;;) {
        const r = await s.request('GET', `${botUrl(botId)}/reembed`, { token: owner.token });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (r.body.job && states.includes(r.body.job.state)) return r.body;
        if (Date.now() > until) throw new Error(`re-embed still ${JSON.stringify(r.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('refuses an embedder that is not built in and not an org provider', async () => {
      const bad = await s.request('POST', `/api/v1/orgs/${owner.orgId}/chatbots`, {
        token: owner.token,
        body: { name: 'Bad', embedder: 'prv_doesnotexist/kawan-test-embed' },
      });
      assert.equal(bad.status, 409, JSON.stringify(bad.body));
      assert.equal(bad.body.error.code, 'model_not_configured');
      const nonsense = await s.request('POST', `/api/v1/orgs/${owner.orgId}/chatbots`, {
        token: owner.token,
        body: { name: 'Bad', embedder: 'nonsense' },
      });
      assert.equal(nonsense.status, 400, JSON.stringify(nonsense.body));
    });

    it('embeds chunks with the provider, searches with its vectors, and re-embeds when switched back', async () => {
      const { bot } = await createChatbot(s, owner, {
        name: 'Provider-embedded',
        embedder: `${providerId}/kawan-test-embed`,
      });
      const got = await s.request('GET', botUrl(bot.id), { token: owner.token });
      assert.equal(got.body.embedder, `${providerId}/kawan-test-embed`);
      assert.equal(got.body.embeddingDims, DIMS, 'the dimension comes from the provider answer');

      const before = llm.counters.embeddingInputs;
      const loansId = await upload(bot.id, 'loans.txt', LOANS);
      await upload(bot.id, 'hours.txt', OTHER);
      assert.ok(llm.counters.embeddingInputs >= before + 2, 'chunks were embedded by the provider');
      assert.deepEqual(await vectorLengths(bot.id), new Set([DIMS]));

      const sem = await search(bot.id, 'gold loans interest', 'semantic');
      assert.equal(sem.status, 200, JSON.stringify(sem.body));
      assert.equal(sem.body.hits[0].documentId, loansId);
      assert.equal(typeof sem.body.hits[0].scores.vector, 'number');
      const hybrid = await search(bot.id, 'opening hours of the branch', 'hybrid');
      assert.notEqual(hybrid.body.hits[0].documentId, loansId);

      const traces = await s.rt.db
        .select()
        .from(llmCalls)
        .where(and(eq(llmCalls.orgId, owner.orgId), eq(llmCalls.chatbotId, bot.id)));
      assert.ok(
        traces.some((t) => t.purpose === 'embedding' && t.status === 'ok' && t.model === 'kawan-test-embed'),
      );

      const patch = await s.request('PATCH', botUrl(bot.id), {
        token: owner.token,
        body: { embedder: 'builtin:sif-en-100d' },
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      const status = await waitForReembed(bot.id, ['done', 'failed']);
      assert.equal(status.job.state, 'done', JSON.stringify(status));
      assert.equal(status.embedder, 'builtin:sif-en-100d');
      assert.equal(status.embeddingDims, 100);
      assert.equal(status.job.total, 2);
      assert.deepEqual(await vectorLengths(bot.id), new Set([100]));

      const after = await search(bot.id, 'gold loans interest', 'semantic');
      assert.equal(after.status, 200, JSON.stringify(after.body));
      assert.equal(after.body.mode, 'semantic');
      assert.equal(after.body.hits[0].documentId, loansId);
    });

    it('a provider failing during re-embedding fails the job and leaves search on the old vectors', async () => {
      const { bot } = await createChatbot(s, owner, { name: 'Stays built in' });
      // The test server fails every embeddings request whose first input carries this directive; the probe of
      // the new embedder (a different text) still succeeds, so the switch is accepted and the job then fails.
      const loansId = await upload(bot.id, 'loans.txt', `[[error:503]] ${LOANS}`);
      const patch = await s.request('PATCH', botUrl(bot.id), {
        token: owner.token,
        body: { embedder: `${providerId}/kawan-test-embed` },
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      assert.equal(patch.body.embedder, 'builtin:sif-en-100d', 'the switch waits for the re-embedding');
      const status = await waitForReembed(bot.id, ['failed', 'done']);
      assert.equal(status.job.state, 'failed', JSON.stringify(status));
      assert.match(status.job.error, /503|error/i);
      assert.equal(status.embedder, 'builtin:sif-en-100d');
      assert.deepEqual(await vectorLengths(bot.id), new Set([100]));

      const res = await search(bot.id, 'gold loans interest', 'semantic');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.mode, 'semantic');
      assert.equal(res.body.hits[0].documentId, loansId);
    });
  });
}
