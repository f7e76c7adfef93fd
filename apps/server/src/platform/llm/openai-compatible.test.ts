import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLlmTestServer, type LlmTestServer } from '../../../test/llm-server/server.ts';
import { hashedEmbedding } from '../../../test/llm-server/embeddings.ts';
import { OpenAICompatibleProvider, type OpenAICompatibleConfig } from './openai-compatible.ts';
import { ProviderError, collectStream, type ChatChunk, type ChatRequest } from './types.ts';

const KEY = 'sk-test-0123456789abcdef';
const MODEL = 'kawan-test-chat';

let llm: LlmTestServer;

function provider(over: Partial<OpenAICompatibleConfig> = {}) {
  return new OpenAICompatibleProvider({
    id: 'prv_test',
    preset: 'custom',
    baseUrl: llm.url,
    apiKey: KEY,
    timeoutMs: 5_000,
    maxRetries: 2,
    retryBaseDelayMs: 5,
    ...over,
  });
}

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: MODEL,
  messages: [
    { role: 'system', content: 'You are a test.' },
    { role: 'user', content },
  ],
  ...extra,
});

async function drain(stream: AsyncIterable<ChatChunk>) {
  const chunks: ChatChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

async function providerError(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** Requests the test server received whose last message mentions `marker`. */
const received = (marker: string) =>
  llm.requests.filter((r) => JSON.stringify(r.body?.messages ?? r.body?.input ?? '').includes(marker));

describe('OpenAI-compatible provider against the LLM test server', () => {
  before(async () => {
    llm = await startLlmTestServer({
      apiKey: KEY,
      reply: 'Kawan answers from the documents.',
      models: [
        { id: MODEL },
        { id: 'kawan-test-vision', context_length: 32_768 },
        { id: 'kawan-test-embed' },
      ],
    });
  });
  after(() => llm.close());

  it('streams deltas, then one done chunk with the usage the server reported', async () => {
    const chunks = await drain(provider().stream(ask('hello [[tokens:7]]')));
    const deltas = chunks.filter((c) => c.type === 'delta');
    assert.equal(deltas.length, 7);
    assert.equal(deltas.map((d) => d.text).join(''), 'Kawan answers from the documents. Kawan answers');
    const done = chunks.at(-1)!;
    assert.equal(chunks.filter((c) => c.type === 'done').length, 1);
    assert.ok(done.type === 'done');
    assert.equal(done.finishReason, 'stop');
    assert.equal(done.usage.completionTokens, 7);
    assert.ok(done.usage.promptTokens > 0);
    assert.equal(done.usage.totalTokens, done.usage.promptTokens + 7);

    const req = llm.lastChat()!;
    assert.equal(req.body.stream, true);
    assert.deepEqual(req.body.stream_options, { include_usage: true });
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
  });

  it('completes without streaming (a JSON answer) and passes temperature and max tokens on', async () => {
    const r = await provider().complete(ask('echo me please [[echo]]', { temperature: 0.3, maxTokens: 50 }));
    assert.equal(r.text, 'echo me please');
    assert.equal(r.finishReason, 'stop');
    assert.deepEqual(r.toolCalls, []);
    assert.equal(r.usage.completionTokens, 3);
    const body = llm.lastChat()!.body;
    assert.equal(body.stream, false);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.max_tokens, 50);
  });

  it('reports finish_reason length when max tokens cut the answer', async () => {
    const r = await collectStream(provider().stream(ask('long [[tokens:30]]', { maxTokens: 4 })));
    assert.equal(r.finishReason, 'length');
    assert.equal(r.usage.completionTokens, 4);
  });

  it('assembles streamed tool-call deltas (id and name first, arguments in pieces), parallel calls too', async () => {
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } },
      { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object' } } },
    ];
    const prompt =
      'weather? [[tool:get_weather {"city":"Jakarta","units":["c",["nested"]]}]] [[tool:get_time {"tz":"Asia/Jakarta"}]]';
    const chunks = await drain(provider().stream(ask(prompt, { tools })));
    const toolChunks = chunks.filter((c) => c.type === 'tool_call');
    assert.ok(toolChunks.length > 2, 'arguments arrive in several pieces');
    const r = await collectStream(
      (async function* () {
        yield* chunks;
      })(),
    );
    assert.equal(r.finishReason, 'tool_calls');
    assert.equal(r.toolCalls.length, 2);
    assert.equal(r.toolCalls[0]!.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(r.toolCalls[0]!.function.arguments), {
      city: 'Jakarta',
      units: ['c', ['nested']],
    });
    assert.equal(r.toolCalls[1]!.function.name, 'get_time');
    assert.deepEqual(JSON.parse(r.toolCalls[1]!.function.arguments), { tz: 'Asia/Jakarta' });
    assert.match(r.toolCalls[0]!.id, /^call_/);
    assert.notEqual(r.toolCalls[0]!.id, r.toolCalls[1]!.id);
    assert.deepEqual(llm.lastChat()!.body.tools, tools);

    const whole = await provider().complete(ask(prompt, { tools }));
    assert.equal(whole.finishReason, 'tool_calls');
    assert.deepEqual(
      whole.toolCalls.map((t) => [t.function.name, JSON.parse(t.function.arguments)]),
      r.toolCalls.map((t) => [t.function.name, JSON.parse(t.function.arguments)]),
    );
  });

  it('maps 401 to provider_auth without retrying', async () => {
    const e = await providerError(drain(provider({ apiKey: 'sk-wrong-key-123456' }).stream(ask('auth-401'))));
    assert.equal(e.code, 'provider_auth');
    assert.equal(e.retryable, false);
    assert.equal(e.status, 401);
    assert.equal(received('auth-401').length, 1);
  });

  it('maps 429 to provider_rate_limited and retries after Retry-After, up to maxRetries', async () => {
    const e = await providerError(provider().complete(ask('rl-1 [[error:429]] [[retry-after:0]]')));
    assert.equal(e.code, 'provider_rate_limited');
    assert.equal(e.retryable, true);
    assert.equal(e.status, 429);
    assert.equal(received('rl-1').length, 3, 'one attempt + maxRetries (2)');
  });

  it('does not wait out a Retry-After longer than the back-off bound', async () => {
    const p = provider({ retryMaxDelayMs: 1_000 });
    const e = await providerError(drain(p.stream(ask('rl-2 [[error:429]] [[retry-after:60]]'))));
    assert.equal(e.code, 'provider_rate_limited');
    assert.equal(received('rl-2').length, 1);
  });

  it('maps 500 to a retryable provider_error; retries on 500 then succeeds', async () => {
    const e = await providerError(drain(provider().stream(ask('err-500 [[error:500]]'))));
    assert.equal(e.code, 'provider_error');
    assert.equal(e.retryable, true);
    assert.equal(e.status, 500);
    assert.equal(received('err-500').length, 3);

    const streamed = await collectStream(provider().stream(ask('flaky-stream [[error:500x1]] [[tokens:3]]')));
    assert.equal(streamed.finishReason, 'stop');
    assert.equal(streamed.usage.completionTokens, 3);
    assert.deepEqual(
      received('flaky-stream').map((r) => r.status),
      [500, 200],
    );

    const whole = await provider().complete(ask('flaky-json [[error:503x2]] [[retry-after:0]] [[tokens:2]]'));
    assert.equal(whole.usage.completionTokens, 2);
    assert.deepEqual(
      received('flaky-json').map((r) => r.status),
      [503, 503, 200],
    );
  });

  it('maps 400 to a provider_error that is not retried', async () => {
    const e = await providerError(provider().complete(ask('bad [[error:400]]')));
    assert.equal(e.code, 'provider_error');
    assert.equal(e.retryable, false);
    assert.equal(e.status, 400);
    assert.equal(received('bad [[error:400]]').length, 1);
  });

  it('times out a silent server with provider_timeout (before the answer, and between tokens)', async () => {
    const p = provider({ timeoutMs: 150, maxRetries: 0 });
    const before = await providerError(p.complete(ask('slow-start [[delay:3000]]')));
    assert.equal(before.code, 'provider_timeout');
    assert.equal(before.retryable, true);
    assert.equal(
      (await llm.settled((r) => JSON.stringify(r.body).includes('slow-start'))).outcome,
      'aborted',
    );

    // A wider limit here, so a busy machine cannot delay the first token past it.
    const slower = provider({ timeoutMs: 1_000, maxRetries: 0 });
    const texts: string[] = [];
    const midway = await providerError(
      (async () => {
        for await (const c of slower.stream(ask('stalls [[stall:5000]] [[tokens:5]]'))) {
          if (c.type === 'delta') texts.push(c.text);
        }
      })(),
    );
    assert.equal(midway.code, 'provider_timeout');
    assert.equal(texts.length, 1, 'the first token arrived, then silence');
    assert.equal((await llm.settled((r) => JSON.stringify(r.body).includes('stalls'))).outcome, 'aborted');
  });

  it('treats the caller’s own deadline (AbortSignal.timeout) as provider_timeout', async () => {
    const e = await providerError(
      drain(provider().stream(ask('deadline [[ttft:3000]]', { signal: AbortSignal.timeout(100) }))),
    );
    assert.equal(e.code, 'provider_timeout');
    assert.equal(e.retryable, false);
  });

  it('aborting mid-stream stops the upstream request: the server sees the connection close', async () => {
    const controller = new AbortController();
    const texts: string[] = [];
    const e = await providerError(
      (async () => {
        for await (const c of provider().stream(
          ask('abort-me [[tokens:200]] [[itl:20]]', { signal: controller.signal }),
        )) {
          if (c.type === 'delta') texts.push(c.text);
          if (texts.length === 3) controller.abort();
        }
      })(),
    );
    assert.equal(e.code, 'cancelled');
    assert.equal(e.retryable, false);
    const rec = await llm.settled((r) => JSON.stringify(r.body).includes('abort-me'));
    assert.equal(rec.outcome, 'aborted');
    assert.equal(received('abort-me').length, 1, 'a cancelled call is not retried');
    assert.ok(texts.length < 200);
  });

  it('a caller that stops reading (break) also closes the upstream request', async () => {
    for await (const c of provider().stream(ask('break-me [[tokens:200]] [[itl:20]]'))) {
      if (c.type === 'delta') break;
    }
    const rec = await llm.settled((r) => JSON.stringify(r.body).includes('break-me'));
    assert.equal(rec.outcome, 'aborted');
  });

  it('a connection lost mid-answer is a retryable provider_error, not retried once text was sent', async () => {
    const texts: string[] = [];
    const e = await providerError(
      (async () => {
        for await (const c of provider().stream(ask('drop-me [[drop:3]] [[tokens:10]]'))) {
          if (c.type === 'delta') texts.push(c.text);
        }
      })(),
    );
    assert.equal(e.code, 'provider_error');
    assert.equal(e.retryable, true);
    assert.equal(texts.length, 3);
    assert.equal(received('drop-me').length, 1);
  });

  it('an error event inside the stream becomes a provider_error', async () => {
    const e = await providerError(drain(provider().stream(ask('mid [[mid-error:2]] [[tokens:6]]'))));
    assert.equal(e.code, 'provider_error');
    assert.match(e.message, /crashed mid-stream/);
  });

  it('an unreachable server is a retryable provider_error', async () => {
    const p = provider({ baseUrl: 'http://127.0.0.1:1/v1', maxRetries: 0 });
    const e = await providerError(p.complete(ask('nobody home')));
    assert.equal(e.code, 'provider_error');
    assert.equal(e.retryable, true);
    assert.match(e.message, /Cannot reach/);
  });

  it('lists models with traits from the server’s fields and the model names', async () => {
    const models = await provider().listModels();
    assert.deepEqual(
      models.map((m) => m.id),
      [MODEL, 'kawan-test-vision', 'kawan-test-embed'],
    );
    const vision = models.find((m) => m.id === 'kawan-test-vision')!;
    assert.equal(vision.vision, true);
    assert.equal(vision.contextWindow, 32_768);
    assert.equal(vision.provider, 'prv_test');
    assert.equal(models.find((m) => m.id === MODEL)!.vision, false);
  });

  it('sends no Authorization header to a server without a key', async () => {
    const open = await startLlmTestServer({ apiKey: null });
    try {
      const p = new OpenAICompatibleProvider({
        id: 'prv_ollama',
        preset: 'ollama',
        baseUrl: open.url,
        apiKey: null,
        timeoutMs: 5_000,
        maxRetries: 0,
      });
      const r = await p.complete(ask('no key [[tokens:2]]'));
      assert.equal(r.usage.completionTokens, 2);
      assert.equal(open.lastChat()!.headers.authorization, undefined);
    } finally {
      await open.close();
    }
  });

  it('embeds texts in batches, a few at a time, in input order, retrying a failed batch', async () => {
    const before = llm.counters.embeddings;
    const texts = Array.from({ length: 10 }, (_, i) => `document number ${i} about topic ${i % 3}`);
    texts[3] = 'flaky batch [[error:500x1]]'; // directives are read from a batch's first input
    const r = await provider().embedTexts(texts, {
      model: 'kawan-test-embed',
      dims: 32,
      batchSize: 3,
      concurrency: 2,
    });
    assert.equal(r.vectors.length, 10);
    assert.equal(r.dims, 32);
    texts.forEach((t, i) =>
      assert.deepEqual(r.vectors[i], Array.from(hashedEmbedding(t, 32)), `vector ${i}`),
    );
    assert.equal(llm.counters.embeddings - before, 4 + 1, '4 batches, one of them retried once');
    assert.ok(r.usage.promptTokens > 0);
    const sent = llm.requests.filter((q) => q.path === '/v1/embeddings').slice(-5);
    assert.ok(sent.every((q) => q.body.dimensions === 32 && q.body.encoding_format === 'float'));
    assert.ok(sent.every((q) => q.body.input.length <= 3));

    assert.deepEqual((await provider().embedTexts([], { model: 'kawan-test-embed' })).vectors, []);
  });

  it('fails an embedding run with the batch’s error when retries do not help', async () => {
    const e = await providerError(
      provider({ maxRetries: 1 }).embedTexts(['ok text', 'x', 'broken [[error:500]]', 'more'], {
        model: 'kawan-test-embed',
        batchSize: 2,
      }),
    );
    assert.equal(e.code, 'provider_error');
    assert.equal(e.status, 500);
    const unknownModel = await providerError(provider().embedTexts(['a'], { model: 'no-such-model' }));
    assert.equal(unknownModel.status, 404);
    assert.equal(unknownModel.retryable, false);
  });
});
