import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDirectives, type Directives } from './script.ts';
import { Refusal, modelNotFound } from './errors.ts';
import {
  completionJson,
  lastUserText,
  planAnswer,
  streamAnswer,
  type Behaviour,
  type ChatBody,
} from './chat.ts';
import { embeddingInputs, embeddingsResponse, type EmbeddingsBody } from './embeddings.ts';

/**
 * A protocol-faithful OpenAI-compatible server for tests and benchmarks — the one stand-in the project allows,
 * because no model weights exist on this machine. It speaks the wire format the official `openai` SDK, Ollama,
 * vLLM and llama.cpp clients expect: `GET /v1/models`, `POST /v1/chat/completions` (JSON, or SSE with
 * `chat.completion.chunk` events and `data: [DONE]`), `POST /v1/embeddings` (float or base64), Bearer auth
 * and OpenAI-shaped errors. What it answers is configured per server (`LlmTestServerOptions`) and per
 * request by directives in the last user message (script.ts).
 *
 * In-process:  const llm = await startLlmTestServer({ apiKey: 'sk-test' });  … llm.url …  await llm.close();
 * Standalone:  node --import tsx apps/server/test/llm-server/main.ts --port 0 --ttft 300 --itl 15 --tokens 150
 */

export interface ModelEntry {
  id: string;
  /** extra fields some servers add (vLLM `max_model_len`, Groq `context_window`…) are passed through */
  [field: string]: unknown;
}

export interface LlmTestServerOptions extends Partial<Behaviour> {
  host?: string;
  port?: number;
  /** Bearer token every request must carry; null/undefined = no auth (like Ollama) */
  apiKey?: string | null;
  models?: ModelEntry[];
  /** answer a model that is not in `models` with 404 model_not_found (OpenAI does); default true */
  strictModels?: boolean;
  /** default embedding dimensions (a request's `dimensions` wins) */
  embeddingDims?: number;
  /** most inputs one embeddings request may carry (OpenAI: 2048) */
  maxEmbeddingBatch?: number;
  /** keep request records (bodies included); benchmarks turn this off. Default true, newest 10 000 kept */
  record?: boolean;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  stream: boolean;
  status: number;
  /** pending while the answer is being written; aborted when the client closed the connection first */
  outcome: 'pending' | 'completed' | 'aborted';
  receivedAt: number;
  endedAt?: number;
}

export interface Counters {
  requests: number;
  chatCompletions: number;
  streams: number;
  embeddings: number;
  embeddingInputs: number;
  models: number;
  errors: number;
  completed: number;
  aborted: number;
  /** answers being written right now */
  active: number;
}

export interface LlmTestServer {
  /** base URL with `/v1`, what an OpenAI client takes as baseURL */
  url: string;
  port: number;
  requests: RecordedRequest[];
  counters: Counters;
  /** the last chat-completions request, for assertions */
  lastChat(): RecordedRequest | undefined;
  /** change the default behaviour for later requests */
  configure(patch: Partial<Behaviour>): void;
  /** resolves with the first recorded request matching `match` once it has ended (completed or aborted) */
  settled(match: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MODELS: ModelEntry[] = [
  { id: 'kawan-test-chat' },
  { id: 'kawan-test-vision' },
  { id: 'kawan-test-embed' },
];

export async function startLlmTestServer(opts: LlmTestServerOptions = {}): Promise<LlmTestServer> {
  const behaviour: Behaviour = {
    ttftMs: opts.ttftMs ?? 0,
    itlMs: opts.itlMs ?? 0,
    tokens: opts.tokens,
    reply: opts.reply ?? 'Hello from the Kawan test model.',
    retryAfterSeconds: opts.retryAfterSeconds ?? 1,
  };
  const models = opts.models ?? DEFAULT_MODELS;
  const modelIds = new Set(models.map((m) => m.id));
  const strictModels = opts.strictModels ?? true;
  const record = opts.record ?? true;
  const requests: RecordedRequest[] = [];
  const counters: Counters = {
    requests: 0,
    chatCompletions: 0,
    streams: 0,
    embeddings: 0,
    embeddingInputs: 0,
    models: 0,
    errors: 0,
    completed: 0,
    aborted: 0,
    active: 0,
  };
  // `[[error:500x2]]`: how often each prompt has failed so far.
  const failures = new Map<string, number>();
  const waiters = new Set<{
    match: (r: RecordedRequest) => boolean;
    resolve: (r: RecordedRequest) => void;
  }>();
  let seq = 0;

  const server = http.createServer({ keepAliveTimeout: 30_000, noDelay: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        seq: ++seq,
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0]!,
        headers: req.headers,
        body: undefined,
        stream: false,
        status: 200,
        outcome: 'pending',
        receivedAt: Date.now(),
      };
      counters.requests++;
      counters.active++;
      if (record) {
        requests.push(rec);
        if (requests.length > 10_000) requests.shift();
      }
      const timers = new Set<NodeJS.Timeout>();
      let ended = false;
      const end = (outcome: 'completed' | 'aborted') => {
        if (ended) return;
        ended = true;
        for (const t of timers) clearTimeout(t);
        rec.outcome = outcome;
        rec.endedAt = Date.now();
        counters.active--;
        counters[outcome]++;
        for (const w of waiters) {
          if (w.match(rec)) {
            waiters.delete(w);
            w.resolve(rec);
          }
        }
      };
      res.on('close', () => end(res.writableFinished ? 'completed' : 'aborted'));
      const ctl = {
        closed: () => ended,
        schedule(fn: () => void, ms: number) {
          const t = setTimeout(() => {
            timers.delete(t);
            fn();
          }, ms);
          timers.add(t);
        },
        drop: () => {
          res.destroy();
          end('aborted');
        },
        finished: () => {},
      };
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        rec.body = text ? JSON.parse(text) : undefined;
      } catch {
        return sendError(res, rec, new Refusal(400, 'We could not parse the JSON body of your request.'));
      }
      route(req, res, rec, ctl);
    });
  });

  function sendError(res: ServerResponse, rec: RecordedRequest, refusal: Refusal) {
    counters.errors++;
    rec.status = refusal.status;
    res.writeHead(refusal.status, { 'content-type': 'application/json', ...refusal.headers });
    res.end(refusal.body());
  }

  /** `[[error:N]]` / `[[error:NxK]]`: the error to answer with, unless this prompt already failed K times. */
  function scriptedFailure(key: string, d: Directives): Refusal | null {
    if (!d.error) return null;
    const seen = failures.get(key) ?? 0;
    if (d.error.times !== null && seen >= d.error.times) return null;
    failures.set(key, seen + 1);
    const retryAfter = String(d.retryAfter ?? behaviour.retryAfterSeconds);
    return new Refusal(
      d.error.status,
      undefined,
      null,
      d.error.status === 429 ? { 'retry-after': retryAfter } : {},
    );
  }

  function sendJson(res: ServerResponse, body: unknown) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function route(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, ctl: Ctl) {
    try {
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        throw new Refusal(
          401,
          given
            ? `Incorrect API key provided: ${given.slice(0, 3)}***${given.slice(-4)}.`
            : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        );
      }
      const key = `${rec.method} ${rec.path}`;
      if (key === 'GET /v1/models') {
        counters.models++;
        const created = 1_700_000_000;
        return sendJson(res, {
          object: 'list',
          data: models.map((m) => ({ object: 'model', created, owned_by: 'kawan-test', ...m })),
        });
      }
      if (key === 'POST /v1/chat/completions') return chat(res, rec, ctl);
      if (key === 'POST /v1/embeddings') return embed(res, rec);
      throw new Refusal(404, `Unknown request URL: ${rec.method} ${rec.path}.`);
    } catch (err) {
      // A malformed body that slipped past validation must not take the whole server (and a benchmark) down.
      sendError(res, rec, err instanceof Refusal ? err : new Refusal(500, `Test server bug: ${String(err)}`));
    }
  }

  type Ctl = Parameters<typeof streamAnswer>[4];

  const directives = (text: string) => {
    try {
      return parseDirectives(text);
    } catch (err) {
      throw new Refusal(400, (err as Error).message);
    }
  };

  function chat(res: ServerResponse, rec: RecordedRequest, ctl: Ctl) {
    counters.chatCompletions++;
    const body = rec.body as ChatBody | undefined;
    if (!body || typeof body.model !== 'string') {
      throw new Refusal(400, 'you must provide a model parameter', 'model');
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      throw new Refusal(400, "'messages' must contain at least one message", 'messages');
    }
    if (strictModels && !modelIds.has(body.model)) throw modelNotFound(body.model);
    rec.stream = body.stream === true;
    const prompt = lastUserText(body.messages);
    const d = directives(prompt);
    const answer = () => {
      if (ctl.closed()) return;
      const failure = scriptedFailure(`chat:${prompt}`, d);
      if (failure) return sendError(res, rec, failure);
      const plan = planAnswer(body, d, behaviour);
      if (!rec.stream) {
        const genMs = plan.ttft + plan.stall + plan.itl * Math.max(0, plan.tokens.length - 1);
        return ctl.schedule(() => sendJson(res, completionJson(body, plan)), genMs);
      }
      counters.streams++;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.flushHeaders();
      streamAnswer(res, body, plan, d, ctl);
    };
    if (d.delay) ctl.schedule(answer, d.delay);
    else answer();
  }

  function embed(res: ServerResponse, rec: RecordedRequest) {
    counters.embeddings++;
    const body = rec.body as EmbeddingsBody | undefined;
    const inputs = embeddingInputs(body, opts.maxEmbeddingBatch ?? 2048);
    const model = body!.model as string;
    if (strictModels && !modelIds.has(model)) throw modelNotFound(model);
    // Directives work here too, read from the first input: [[error:500x1]], [[error:429]].
    const failure = scriptedFailure(`embed:${inputs[0]}`, directives(inputs[0]!));
    if (failure) throw failure;
    const dims = body!.dimensions ?? opts.embeddingDims ?? 256;
    const response = embeddingsResponse(model, inputs, dims, body!.encoding_format === 'base64');
    counters.embeddingInputs += inputs.length;
    sendJson(res, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';

  return {
    url: `http://${host}:${port}/v1`,
    port,
    requests,
    counters,
    lastChat: () => requests.findLast((r) => r.path === '/v1/chat/completions'),
    configure: (patch) => Object.assign(behaviour, patch),
    settled(match, timeoutMs = 10_000) {
      const done = requests.find((r) => r.outcome !== 'pending' && match(r));
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no matching request ended within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    reset() {
      requests.length = 0;
      failures.clear();
      for (const k of Object.keys(counters) as (keyof Counters)[]) if (k !== 'active') counters[k] = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
