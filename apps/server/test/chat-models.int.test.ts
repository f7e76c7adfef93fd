import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { backends, startServer, type TestServer } from './harness.ts';
import {
  createChatbot,
  createOrgKey,
  registerUser,
  uploadFile,
  waitForDocument,
  type TestUser,
} from './factories.ts';
import { startLlmTestServer, type LlmTestServer } from './llm-server/server.ts';
import { postSse, readSse } from './sse-client.ts';

const KEY = 'sk-test-0123456789';
const DOC = 'Gold pawn loans cost 1.25 percent interest per month. The loan term is 120 days.';

// Chat through a model provider (the OpenAI-compatible test server), and Kawan's own /v1 for the openai SDK.
for (const backend of backends()) {
  describe(`[${backend}] chat with a model provider`, () => {
    let s: TestServer;
    let llm: LlmTestServer;
    let owner: TestUser;
    let base: string;
    let providerId: string;

    before(async () => {
      llm = await startLlmTestServer({
        apiKey: KEY,
        reply: 'Loans cost 1.25 percent a month [1].',
        ttftMs: 5,
        itlMs: 1,
        models: [{ id: 'kawan-test-chat' }, { id: 'kawan-test-backup' }],
      });
      s = await startServer(backend, { CHAT_TIMEOUT: '2' });
      owner = await registerUser(s);
      const p = await s.request('POST', `/api/v1/orgs/${owner.orgId}/providers`, {
        token: owner.token,
        body: {
          name: 'Test server',
          preset: 'custom',
          baseUrl: llm.url,
          apiKey: KEY,
          models: [{ id: 'kawan-test-chat' }, { id: 'kawan-test-backup' }],
        },
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      providerId = p.body.id;
    });
    after(async () => {
      await s?.close();
      await llm?.close();
    });

    async function botWithModel(modelSettings: Record<string, unknown>) {
      const c = await createChatbot(s, owner, {
        name: 'Model bot',
        systemPrompt: 'You are the pawnshop assistant.',
        modelSettings,
      });
      base = `/api/v1/orgs/${owner.orgId}/chatbots/${c.bot.id}`;
      const up = await uploadFile(s, owner.token, `${base}/documents`, { name: 'rates.txt', content: DOC });
      await waitForDocument(s, owner, c.bot.id, up.body.document.id);
      const conv = await s.request('POST', `${base}/conversations`, { token: owner.token, body: {} });
      return { bot: c, convUrl: `${base}/conversations/${conv.body.id}` };
    }

    it('streams the model answer with citations, usage and a trace; the prompt carries the sources', async () => {
      const { convUrl } = await botWithModel({ model: `${providerId}/kawan-test-chat` });
      const res = await postSse(`${s.url}${convUrl}/messages`, owner.token, {
        content: 'How much interest do loans cost?',
      });
      const events = await readSse(res);
      const text = events
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.text)
        .join('');
      assert.equal(text, 'Loans cost 1.25 percent a month [1].');
      const citations = events.filter((e) => e.event === 'citation').map((e) => e.data);
      assert.equal(citations.length, 1);
      assert.equal(citations[0].n, 1);
      assert.match(citations[0].quote, /1\.25 percent/);
      const usage = events.find((e) => e.event === 'usage')!.data;
      assert.ok(usage.promptTokens > 0 && usage.completionTokens > 0);
      const done = events.at(-1)!;
      assert.equal(done.event, 'done');
      assert.equal(done.data.message.model, `${providerId}/kawan-test-chat`);
      assert.equal(done.data.message.grounded, true);
      assert.ok(done.data.message.ttftMs !== null);

      const sent = llm.lastChat()!;
      assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
      const prompt = JSON.stringify(sent.body.messages);
      assert.match(prompt, /pawnshop assistant/, 'system prompt');
      assert.match(prompt, /1\.25 percent interest per month/, 'retrieved source');
      assert.equal(sent.body.model, 'kawan-test-chat');

      const traces = await s.request('GET', `${convUrl}/messages/${done.data.message.id}/traces`, {
        token: owner.token,
      });
      assert.equal(traces.body.data.length, 1);
      assert.equal(traces.body.data[0].status, 'ok');
      assert.equal(traces.body.data[0].promptTokens, usage.promptTokens);
    });

    it('query expansion asks the model for rewrites (method llm) and traces the call', async () => {
      await botWithModel({ model: `${providerId}/kawan-test-chat` });
      const res = await s.request('POST', `${base}/query-expansion`, {
        token: owner.token,
        body: {
          query:
            'loan cost [[reply:{"rewrites":["interest rate of pawn loans","loan cost","monthly fee for a gold loan"]}]]',
          method: 'llm',
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.rewrites, [
        'interest rate of pawn loans',
        'loan cost',
        'monthly fee for a gold loan',
      ]);
      const sent = llm.lastChat()!;
      assert.equal(sent.body.model, 'kawan-test-chat');
      assert.ok(sent.body.response_format, 'structured output requested');
      const traced = await s.rt.database.pool.query(
        "select status, prompt_tokens from llm_calls where purpose = 'query_expansion' and org_id = $1",
        [owner.orgId],
      );
      assert.equal(traced.rows.length, 1);
      assert.equal(traced.rows[0].status, 'ok');
    });

    it('folds turns older than the history window into a running summary sent with later turns', async () => {
      const { convUrl } = await botWithModel({ model: `${providerId}/kawan-test-chat` });
      for (let i = 1; i <= 11; i++) {
        const r = await s.request('POST', `${convUrl}/messages`, {
          token: owner.token,
          body: { content: `Question ${i}` },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      // the 11th turn pushed turn 1 out of the 20-message window: a summary call follows the answer
      const summaryCall = await llm.settled((r) =>
        JSON.stringify(r.body?.messages ?? []).includes('Update the running summary'),
      );
      assert.match(JSON.stringify(summaryCall.body.messages), /User: Question 1\b/);
      for (let i = 0; i < 50; i++) {
        const rows = await s.rt.database.pool.query(
          "select status from llm_calls where purpose = 'summary' and org_id = $1",
          [owner.orgId],
        );
        if (rows.rows.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await s.request('POST', `${convUrl}/messages`, {
        token: owner.token,
        body: { content: 'Question 12' },
      });
      const system = llm.lastChat()!.body.messages[0].content as string;
      assert.match(system, /Summary of the earlier conversation:\nLoans cost 1\.25 percent/);
    });

    it('falls back to the fallback model when the primary fails; both attempts are traced', async () => {
      const { convUrl } = await botWithModel({
        model: `${providerId}/kawan-test-missing`,
        fallbackModel: `${providerId}/kawan-test-backup`,
      });
      const res = await s.request('POST', `${convUrl}/messages`, {
        token: owner.token,
        body: { content: 'Interest?' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.message.model, `${providerId}/kawan-test-backup`);
      const traces = await s.request('GET', `${convUrl}/messages/${res.body.message.id}/traces`, {
        token: owner.token,
      });
      assert.deepEqual(
        traces.body.data.map((t: { status: string; attempt: number }) => [t.status, t.attempt]),
        [
          ['error', 1],
          ['ok', 2],
        ],
      );
    });

    it('a provider error is a 502 provider_error (JSON) and an error event (SSE); the message keeps the error', async () => {
      const { convUrl } = await botWithModel({ model: `${providerId}/kawan-test-chat` });
      const json = await s.request('POST', `${convUrl}/messages`, {
        token: owner.token,
        body: { content: 'Hi [[error:500]]' },
      });
      assert.equal(json.status, 502, JSON.stringify(json.body));
      assert.equal(json.body.error.code, 'provider_error');
      const res = await postSse(`${s.url}${convUrl}/messages`, owner.token, { content: 'Hi [[error:401]]' });
      const events = await readSse(res);
      assert.equal(events.at(-1)!.event, 'error');
      assert.equal(events.at(-1)!.data.code, 'provider_error');
      const history = await s.request('GET', `${convUrl}/messages`, { token: owner.token });
      const last = history.body.data[0];
      assert.equal(last.status, 'error');
      assert.equal(last.error.code, 'provider_error');
    });

    it('a model slower than CHAT_TIMEOUT is stopped with provider_timeout', async () => {
      const { convUrl } = await botWithModel({ model: `${providerId}/kawan-test-chat` });
      const res = await s.request('POST', `${convUrl}/messages`, {
        token: owner.token,
        body: { content: 'Hi [[itl:400]] [[tokens:30]]' },
      });
      assert.equal(res.status, 504, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'provider_timeout');
      const upstream = await llm.settled(
        (r) => r.path.endsWith('/chat/completions') && JSON.stringify(r.body).includes('[[itl:400]]'),
      );
      assert.equal(upstream.outcome, 'aborted', 'the upstream request was cancelled');
    });

    it('a client that disconnects mid-stream still gets the whole answer stored (CHAT_ON_DISCONNECT=finish)', async () => {
      const { convUrl } = await botWithModel({ model: `${providerId}/kawan-test-chat` });
      const ac = new AbortController();
      const res = await postSse(
        `${s.url}${convUrl}/messages`,
        owner.token,
        { content: 'Tell me [[itl:20]] [[reply:one two three four five six seven eight nine ten]]' },
        ac.signal,
      );
      await readSse(res, (e) => (e.event === 'delta' ? 'stop' : undefined)).catch(() => []);
      ac.abort();
      const upstream = await llm.settled((r) => JSON.stringify(r.body).includes('[[itl:20]]'));
      assert.equal(upstream.outcome, 'completed');
      let last;
      for (let i = 0; i < 50; i++) {
        const history = await s.request('GET', `${convUrl}/messages`, { token: owner.token });
        last = history.body.data[0];
        if (last.status !== 'streaming') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(last.status, 'complete');
      assert.equal(last.content, 'one two three four five six seven eight nine ten');
    });
  });
}

describe('[pglite] CHAT_ON_DISCONNECT=cancel stops the model when the client goes away', () => {
  let s: TestServer;
  let llm: LlmTestServer;
  before(async () => {
    llm = await startLlmTestServer({ apiKey: KEY, reply: 'irrelevant', ttftMs: 5, itlMs: 30, tokens: 200 });
    s = await startServer('pglite', { CHAT_ON_DISCONNECT: 'cancel' });
  });
  after(async () => {
    await s?.close();
    await llm?.close();
  });

  it('aborts the upstream request and keeps the partial answer as cancelled', async () => {
    const owner = await registerUser(s);
    const p = await s.request('POST', `/api/v1/orgs/${owner.orgId}/providers`, {
      token: owner.token,
      body: {
        name: 'T',
        preset: 'custom',
        baseUrl: llm.url,
        apiKey: KEY,
        models: [{ id: 'kawan-test-chat' }],
      },
    });
    const c = await createChatbot(s, owner, {
      name: 'B',
      modelSettings: { model: `${p.body.id}/kawan-test-chat` },
    });
    const base = `/api/v1/orgs/${owner.orgId}/chatbots/${c.bot.id}/conversations`;
    const conv = await s.request('POST', base, { token: owner.token, body: {} });
    const ac = new AbortController();
    const res = await postSse(
      `${s.url}${base}/${conv.body.id}/messages`,
      owner.token,
      { content: 'Talk' },
      ac.signal,
    );
    let deltas = 0;
    await readSse(res, (e) => (e.event === 'delta' && ++deltas >= 3 ? 'stop' : undefined)).catch(() => []);
    ac.abort();
    const upstream = await llm.settled((r) => r.path.endsWith('/chat/completions'));
    assert.equal(upstream.outcome, 'aborted');
    let last;
    for (let i = 0; i < 50; i++) {
      const history = await s.request('GET', `${base}/${conv.body.id}/messages`, { token: owner.token });
      last = history.body.data[0];
      if (last.status !== 'streaming') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(last.status, 'cancelled');
    assert.ok(last.content.length > 0, 'the partial answer is kept');
  });
});

describe("[pglite] Kawan's /v1 with the official openai SDK", () => {
  let s: TestServer;
  let owner: TestUser;
  let bot: Awaited<ReturnType<typeof createChatbot>>;
  before(async () => {
    s = await startServer('pglite');
    owner = await registerUser(s);
    bot = await createChatbot(s, owner, { name: 'Pawn helper', slug: 'pawn-helper' });
    const base = `/api/v1/orgs/${owner.orgId}/chatbots/${bot.bot.id}`;
    const up = await uploadFile(s, owner.token, `${base}/documents`, { name: 'rates.txt', content: DOC });
    await waitForDocument(s, owner, bot.bot.id, up.body.document.id);
  });
  after(async () => s?.close());

  it('lists the chatbot as a model and answers non-streamed and streamed completions', async () => {
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: bot.secret, maxRetries: 0 });
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      [bot.bot.id],
    );

    const completion = await client.chat.completions.create({
      model: 'pawn-helper',
      messages: [
        { role: 'system', content: 'ignored: the chatbot decides' },
        { role: 'user', content: 'What is the loan term?' },
      ],
    });
    assert.match(completion.choices[0]!.message.content ?? '', /120 days/);
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
    assert.ok(completion.usage!.total_tokens > 0);

    const stream = await client.chat.completions.create({
      model: bot.bot.id,
      messages: [{ role: 'user', content: 'How much interest do gold pawn loans cost?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /1\.25 percent/);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  it("refuses other orgs' chatbots, unknown models and user tokens", async () => {
    const other = await registerUser(s);
    const otherBot = await createChatbot(s, other, { name: 'Theirs' });
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: otherBot.secret, maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: bot.bot.id, messages: [{ role: 'user', content: 'hi' }] }),
      (err: InstanceType<typeof OpenAI.APIError>) => err.status === 404,
    );
    const orgKey = await createOrgKey(s, owner, ['chat:use']);
    const viaOrgKey = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: orgKey.secret, maxRetries: 0 });
    const list = await viaOrgKey.models.list();
    assert.deepEqual(
      list.data.map((m) => m.id),
      [bot.bot.id],
    );
    await assert.rejects(
      viaOrgKey.chat.completions.create({
        model: 'no-such-bot',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (err: InstanceType<typeof OpenAI.APIError>) => err.status === 404,
    );
    const asUser = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: owner.token, maxRetries: 0 });
    await assert.rejects(
      asUser.models.list(),
      (err: InstanceType<typeof OpenAI.APIError>) => err.status === 401,
    );
  });
});
