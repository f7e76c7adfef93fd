// The one client both loads go through: a streamed POST read with eventsource-parser (as apps/server/test/sse-client.ts
// does), timed from just before fetch to the first content token and to the end of the body. Only the
// classification of an event differs between Kawan's events (delta/done/error) and OpenAI's chunks.
import { performance } from 'node:perf_hooks';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type Kind = 'direct' | 'kawan';

export interface Sample {
  kind: Kind;
  round: number;
  client: number;
  turn: number;
  /** ms from just before fetch to the first non-empty content token; null when none arrived */
  ttftMs: number | null;
  /** ms from just before fetch to the end of the response body */
  totalMs: number | null;
  error: string | null;
  tokens: number;
  /** Kawan only, from its `done` event: the model's first token as Kawan timed it, and the turn's latency */
  kawanUpstreamTtftMs?: number | null;
  kawanLatencyMs?: number | null;
}

export interface RequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one parsed event means: a content token, the end of the answer, a failure, or nothing. */
type Verdict =
  | { type: 'token' }
  | { type: 'done'; info?: Pick<Sample, 'kawanUpstreamTtftMs' | 'kawanLatencyMs'> }
  | { type: 'error'; message: string }
  | null;

type Classify = (event: string, data: unknown) => Verdict;

/** Kawan's SSE: `delta` {text}…, `citation`…, `usage`, then `done` {message} or `error` {code}. */
const classifyKawan: Classify = (event, data) => {
  const d = data as Record<string, any>;
  if (event === 'delta') return d?.text ? { type: 'token' } : null;
  if (event === 'error') return { type: 'error', message: `kawan error event: ${d?.code ?? '?'}` };
  if (event === 'done') {
    const m = d?.message;
    if (m?.status !== 'complete') return { type: 'error', message: `kawan done with status ${m?.status}` };
    return {
      type: 'done',
      info: { kawanUpstreamTtftMs: m.ttftMs ?? null, kawanLatencyMs: m.latencyMs ?? null },
    };
  }
  return null;
};

/** OpenAI's stream: `chat.completion.chunk` data lines, an `{error}` line on failure, then `data: [DONE]`. */
const classifyOpenAI: Classify = (_event, data) => {
  if (data === '[DONE]') return { type: 'done' };
  const d = data as Record<string, any>;
  if (d?.error) return { type: 'error', message: `upstream error: ${d.error.message ?? '?'}` };
  return d?.choices?.[0]?.delta?.content ? { type: 'token' } : null;
};

export const classifiers: Record<Kind, Classify> = { kawan: classifyKawan, direct: classifyOpenAI };

/**
 * One streamed request. Never throws: a failure is recorded in `error` (HTTP status, transport error, error
 * event, missing end, or fewer content tokens than `expectTokens`).
 */
export async function streamOnce(
  kind: Kind,
  spec: RequestSpec,
  expectTokens: number,
  timeoutMs: number,
): Promise<
  Pick<Sample, 'ttftMs' | 'totalMs' | 'error' | 'tokens' | 'kawanUpstreamTtftMs' | 'kawanLatencyMs'>
> {
  const classify = classifiers[kind];
  const t0 = performance.now();
  let ttftMs: number | null = null;
  let tokens = 0;
  let done = false;
  let error: string | null = null;
  let info: Pick<Sample, 'kawanUpstreamTtftMs' | 'kawanLatencyMs'> = {};
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      let data: unknown = m.data;
      try {
        data = JSON.parse(m.data);
      } catch {
        /* raw data such as [DONE] */
      }
      const v = classify(m.event ?? 'message', data);
      if (!v) return;
      if (v.type === 'token') {
        if (ttftMs === null) ttftMs = performance.now() - t0;
        tokens++;
      } else if (v.type === 'done') {
        done = true;
        if (v.info) info = v.info;
      } else error ??= v.message;
    },
  });
  try {
    const res = await fetch(spec.url, {
      method: 'POST',
      headers: spec.headers,
      body: spec.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200 || !res.body) {
      const text = await res.text().catch(() => '');
      return { ttftMs, totalMs: null, tokens, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    return { ttftMs, totalMs: null, tokens, error: `transport: ${(err as Error).message}` };
  }
  const totalMs = performance.now() - t0;
  if (!error && !done) error = 'stream ended without its final event';
  if (!error && tokens !== expectTokens) error = `${tokens} content tokens, expected ${expectTokens}`;
  return { ttftMs, totalMs, tokens, error, ...info };
}
