import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { makeTinyGguf } from '../../../../../scripts/make-tiny-gguf.ts';
import { createLocalGgufProvider, localModelFromConfig, type LocalGgufProvider } from './local-gguf.ts';
import { toChatHistory } from './local-gguf.messages.ts';
import { ProviderError, type ChatChunk, type ChatRequest } from './types.ts';

// The real local-model path end to end: a generated random-weight GGUF, node-llama-cpp's prebuilt CPU binary,
// one thread. Random weights say nothing sensible, so answers are checked where the grammar makes them checkable.

const Triage = z.object({ mood: z.enum(['happy', 'sad', 'calm']), urgent: z.boolean() }).strict();
const triageSchema = { name: 'triage', schema: z.toJSONSchema(Triage) as Record<string, unknown> };
const ask = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [
    { role: 'system', content: 'Classify the message.' },
    { role: 'user', content: 'My order arrived broken!' },
  ],
  ...extra,
});

async function drain(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

test('OpenAI-shaped messages become a chat history that ends with the turn to generate', () => {
  const history = toChatHistory([
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Look' },
        { type: 'image_url', image_url: { url: 'data:,' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', name: 'lookup', content: '42' },
  ]);
  assert.deepEqual(history, [
    { type: 'system', text: 'Be brief.' },
    { type: 'user', text: 'Look' },
    { type: 'model', response: ['[called lookup({"q":1})]'] },
    { type: 'user', text: 'Result of tool lookup:\n42' },
    { type: 'model', response: [] },
  ]);
  // a trailing assistant message is continued rather than answered
  assert.deepEqual(toChatHistory([{ role: 'assistant', content: '{"mood":' }]).at(-1), {
    type: 'model',
    response: ['{"mood":'],
  });
});

describe('local GGUF provider (node-llama-cpp, threads 1)', () => {
  let dir: string;
  let provider: LocalGgufProvider;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kawan-gguf-'));
    makeTinyGguf(path.join(dir, 'tiny-chatml.gguf'), { seed: 1 });
    makeTinyGguf(path.join(dir, 'tiny-plain.gguf'), { seed: 2, chatTemplate: false });
    provider = createLocalGgufProvider({
      modelPaths: [path.join(dir, 'tiny-chatml.gguf'), path.join(dir, 'tiny-plain.gguf')],
      threads: 1,
      contextSize: 512,
    });
  });
  after(async () => {
    await provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the generator is deterministic per seed', () => {
    const a = makeTinyGguf(path.join(dir, 'a.gguf'), { seed: 9 });
    const b = makeTinyGguf(path.join(dir, 'b.gguf'), { seed: 9 });
    const c = makeTinyGguf(path.join(dir, 'c.gguf'), { seed: 10 });
    assert.deepEqual(fs.readFileSync(a), fs.readFileSync(b));
    assert.notDeepEqual(fs.readFileSync(a), fs.readFileSync(c));
  });

  test('lists the configured GGUF files with their context window', async () => {
    const models = await provider.listModels();
    assert.deepEqual(
      models.map((m) => [m.id, m.provider, m.contextWindow, m.vision, m.tools]),
      [
        ['tiny-chatml.gguf', 'local-gguf', 512, false, false],
        ['tiny-plain.gguf', 'local-gguf', 512, false, false],
      ],
    );
  });

  for (const model of ['tiny-chatml.gguf', 'tiny-plain.gguf']) {
    test(`structured output with an enum and a boolean field satisfies the schema (${model})`, async () => {
      for (const temperature of [0, 0.8, 1.5]) {
        const r = await provider.complete(ask(model, { jsonSchema: triageSchema, temperature }));
        Triage.parse(JSON.parse(r.text));
        assert.equal(r.finishReason, 'stop');
        assert.ok(r.usage.promptTokens > 10, `prompt tokens ${r.usage.promptTokens}`);
        assert.ok(r.usage.completionTokens >= 5, `completion tokens ${r.usage.completionTokens}`);
        assert.equal(r.usage.totalTokens, r.usage.promptTokens + r.usage.completionTokens);
      }
    });
  }

  test('streams deltas, then exactly one done chunk with usage', async () => {
    const chunks = await drain(provider.stream(ask('tiny-chatml.gguf', { jsonSchema: triageSchema })));
    const done = chunks.at(-1);
    assert.equal(done?.type, 'done');
    const deltas = chunks.slice(0, -1);
    assert.ok(deltas.length > 1, 'more than one delta');
    assert.ok(deltas.every((c) => c.type === 'delta'));
    const text = deltas.map((c) => (c.type === 'delta' ? c.text : '')).join('');
    Triage.parse(JSON.parse(text));
    if (done?.type === 'done') assert.ok(done.usage.completionTokens > 0 && done.usage.promptTokens > 0);
  });

  test('maxTokens bounds free text and finishes with length (or an end token)', async () => {
    const chunks = await drain(provider.stream(ask('tiny-chatml.gguf', { maxTokens: 6 })));
    const done = chunks.at(-1);
    assert.equal(done?.type, 'done');
    if (done?.type !== 'done') return;
    assert.ok(['length', 'stop'].includes(done.finishReason));
    assert.ok(done.usage.completionTokens <= 6, `completion tokens ${done.usage.completionTokens}`);
  });

  test('an aborted request stops with a cancelled error, and the model serves the next one', async () => {
    const ac = new AbortController();
    let deltas = 0;
    await assert.rejects(
      (async () => {
        for await (const c of provider.stream(
          ask('tiny-chatml.gguf', { maxTokens: 400, signal: ac.signal }),
        )) {
          if (c.type === 'done') assert.fail('finished although aborted');
          deltas++;
          ac.abort();
        }
      })(),
      (err: unknown) => err instanceof ProviderError && err.code === 'cancelled',
    );
    assert.equal(deltas, 1);

    const pre = new AbortController();
    pre.abort();
    await assert.rejects(provider.complete(ask('tiny-chatml.gguf', { signal: pre.signal })), {
      code: 'cancelled',
    });

    const r = await provider.complete(ask('tiny-chatml.gguf', { jsonSchema: triageSchema }));
    Triage.parse(JSON.parse(r.text));
  });

  test('a reader that stops early frees the sequence; concurrent requests queue for it', async () => {
    for await (const c of provider.stream(ask('tiny-chatml.gguf', { maxTokens: 400 }))) {
      if (c.type === 'delta') break;
    }
    const results = await Promise.all(
      [1, 2, 3].map(() => provider.complete(ask('tiny-chatml.gguf', { jsonSchema: triageSchema }))),
    );
    for (const r of results) Triage.parse(JSON.parse(r.text));
  });

  test('loads a model lazily, once, however many requests arrive together', async () => {
    const loads: object[] = [];
    const log = {
      info: (obj: object, msg: string) => msg === 'local model loaded' && loads.push(obj),
      warn: () => {},
    };
    const fresh = createLocalGgufProvider({
      modelPaths: [path.join(dir, 'tiny-chatml.gguf')],
      contextSize: 256,
      log,
    });
    try {
      await fresh.listModels();
      assert.equal(loads.length, 0, 'listing does not load');
      const results = await Promise.all(
        [1, 2, 3].map(() => fresh.complete(ask('tiny-chatml.gguf', { jsonSchema: triageSchema }))),
      );
      for (const r of results) Triage.parse(JSON.parse(r.text));
      await fresh.complete(ask('tiny-chatml.gguf', { jsonSchema: triageSchema }));
      assert.equal(loads.length, 1);
      assert.equal((loads[0] as { threads: number }).threads, 1);
    } finally {
      await fresh.close();
    }
  });

  test('models are named by file name (or local/<file>); unknown ones and malformed schemas are errors', async () => {
    await assert.rejects(provider.complete(ask('nope.gguf')), { code: 'provider_error', status: 404 });
    const byRef = await provider.complete(ask('local/tiny-plain.gguf', { jsonSchema: triageSchema }));
    Triage.parse(JSON.parse(byRef.text));
    await assert.rejects(
      provider.complete(ask('tiny-chatml.gguf', { jsonSchema: { name: 'x', schema: { oneOf: 5 } } })),
      { code: 'provider_error', status: 400 },
    );
  });

  test('LOCAL_MODEL_PATH: unset means no local model; a bare name is looked up in MODELS_DIR', async () => {
    const base = { LOCAL_MODEL_THREADS: 1, LOCAL_MODEL_CONTEXT: 256, DATA_DIR: dir, MODELS_DIR: undefined };
    assert.equal(localModelFromConfig({ ...base, LOCAL_MODEL_PATH: undefined }), null);
    const fromDir = localModelFromConfig({ ...base, MODELS_DIR: dir, LOCAL_MODEL_PATH: 'tiny-plain.gguf' });
    assert.deepEqual(
      (await fromDir!.listModels()).map((m) => [m.id, m.contextWindow]),
      [['tiny-plain.gguf', 256]],
    );
    await fromDir!.close();
  });
});
