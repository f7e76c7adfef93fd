import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLlmTestServer, type LlmTestServer } from './server.ts';
import { parseDirectives, tokenize } from './script.ts';

/** The wire format itself, read raw: what any OpenAI client (not only ours) relies on. */

let llm: LlmTestServer;
const KEY = 'sk-wire-test-1234567890';

async function post(path: string, body: unknown, key: string | null = KEY) {
  return fetch(`${llm.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
}

const json = (res: Response): Promise<any> => res.json();

function sseEvents(text: string): string[] {
  assert.ok(text.endsWith('\n\n'), 'every event ends with a blank line');
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => {
      assert.ok(e.startsWith('data: '), `event "${e.slice(0, 40)}" starts with data:`);
      return e.slice(6);
    });
}

describe('LLM test server wire format', () => {
  before(async () => {
    llm = await startLlmTestServer({ apiKey: KEY, reply: 'one two three', embeddingDims: 16 });
  });
  after(() => llm.close());

  it('streams chat.completion.chunk events: role first, content, finish_reason, usage, [DONE]', async () => {
    const res = await post('/chat/completions', {
      model: 'kawan-test-chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const events = sseEvents(await res.text());
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
    const content = chunks.flatMap((c) => c.choices.map((ch: any) => ch.delta.content ?? '')).join('');
    assert.equal(content, 'one two three');
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.length, 1);
    assert.equal(finish[0].choices[0].finish_reason, 'stop');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    assert.ok(
      chunks.slice(0, -1).every((c) => c.usage === null),
      'other chunks carry usage: null',
    );
  });

  it('sends no usage chunk unless asked for', async () => {
    const res = await post('/chat/completions', {
      model: 'kawan-test-chat',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const events = sseEvents(await res.text());
    assert.ok(events.slice(0, -1).every((e) => !('usage' in JSON.parse(e))));
  });

  it('answers OpenAI-shaped errors: 401 without or with a wrong key, 404 unknown model, 400 bad body', async () => {
    for (const key of [null, 'sk-wrong']) {
      const res = await post('/chat/completions', { model: 'kawan-test-chat', messages: [] }, key);
      assert.equal(res.status, 401);
      const body = await json(res);
      assert.equal(body.error.code, 'invalid_api_key');
      assert.equal(body.error.type, 'invalid_request_error');
    }
    const unknown = await post('/chat/completions', {
      model: 'gpt-9',
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(unknown.status, 404);
    assert.equal((await json(unknown)).error.code, 'model_not_found');
    const bad = await post('/chat/completions', { model: 'kawan-test-chat', messages: [] });
    assert.equal(bad.status, 400);
    assert.equal((await json(bad)).error.param, 'messages');
    const limited = await post('/chat/completions', {
      model: 'kawan-test-chat',
      messages: [{ role: 'user', content: '[[error:429]] [[retry-after:7]]' }],
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await json(limited)).error.code, 'rate_limit_exceeded');
  });

  it('returns the same embedding as floats or as base64 float32, batched, with usage', async () => {
    const input = ['alpha beta', 'beta gamma', 'alpha beta'];
    const floats = await json(
      await post('/embeddings', { model: 'kawan-test-embed', input, encoding_format: 'float' }),
    );
    const b64 = await json(
      await post('/embeddings', { model: 'kawan-test-embed', input, encoding_format: 'base64' }),
    );
    assert.equal(floats.data.length, 3);
    assert.equal(floats.data[0].embedding.length, 16);
    const decoded = b64.data.map((d: any) => {
      const buf = Buffer.from(d.embedding, 'base64');
      return Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
    });
    assert.deepEqual(
      decoded,
      floats.data.map((d: any) => d.embedding),
    );
    assert.deepEqual(floats.data[0].embedding, floats.data[2].embedding, 'deterministic');
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    assert.ok(Math.abs(dot(floats.data[0].embedding, floats.data[0].embedding) - 1) < 1e-5, 'unit length');
    assert.deepEqual(floats.usage, { prompt_tokens: 6, total_tokens: 6 });
  });

  it('counts requests and records them', async () => {
    const before = llm.counters.chatCompletions;
    await post('/chat/completions', {
      model: 'kawan-test-chat',
      messages: [{ role: 'user', content: 'count me' }],
    });
    assert.equal(llm.counters.chatCompletions, before + 1);
    assert.equal(llm.lastChat()!.body.messages[0].content, 'count me');
    assert.equal(llm.lastChat()!.outcome, 'completed');
    assert.equal(llm.counters.active, 0);
  });
});

describe('LLM test server directives', () => {
  it('parses directives, JSON arguments with brackets included, and strips them from the text', () => {
    const d = parseDirectives(
      'Weather in [[tool:get_weather {"city":"Jakarta","x":[[1],"]]"]}]] Jakarta? [[tokens:40]] [[error:500x2]] [[echo]]',
    );
    assert.deepEqual(d.tools, [{ name: 'get_weather', arguments: '{"city":"Jakarta","x":[[1],"]]"]}' }]);
    assert.equal(d.tokens, 40);
    assert.deepEqual(d.error, { status: 500, times: 2 });
    assert.equal(d.echo, true);
    assert.equal(d.text, 'Weather in Jakarta?');
    assert.throws(() => parseDirectives('[[nonsense:1]]'), /unknown directive/);
    assert.equal(parseDirectives('a [[ not a directive').text, 'a [[ not a directive');
  });

  it('tokenizes like a model: leading spaces kept, cycled to an exact count', () => {
    assert.deepEqual(tokenize('Hello big world'), ['Hello', ' big', ' world']);
    assert.deepEqual(tokenize('a b', 5), ['a', ' b', ' a', ' b', ' a']);
  });
});
