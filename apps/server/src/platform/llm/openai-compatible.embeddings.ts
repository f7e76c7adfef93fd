import type OpenAI from 'openai';
import { ProviderError } from './types.ts';
import { guardCall, toProviderError, withRetries, type RetryPolicy } from './openai-compatible.retry.ts';

export interface EmbedOptions {
  model: string;
  /** ask for this many dimensions (`dimensions`; matryoshka models); the answer is checked against it */
  dims?: number;
  /** texts per request (default 64; OpenAI allows 2048, many self-hosted servers far fewer) */
  batchSize?: number;
  /** requests in flight at once (default 4) */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface EmbedResult {
  /** one vector per input text, in input order */
  vectors: number[][];
  dims: number;
  usage: { promptTokens: number; totalTokens: number };
}

interface EmbedDeps {
  client: OpenAI;
  policy: RetryPolicy;
  timeoutMs: number;
  label: string;
}

/**
 * Embeds `texts` through `POST /v1/embeddings`: split into batches, `concurrency` batches in flight, each
 * retried on its own; the first batch that fails for good aborts the others and its error is thrown.
 */
export async function embedTexts(deps: EmbedDeps, texts: string[], opts: EmbedOptions): Promise<EmbedResult> {
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const vectors: number[][] = new Array(texts.length);
  const usage = { promptTokens: 0, totalTokens: 0 };
  if (texts.length === 0) return { vectors, dims: opts.dims ?? 0, usage };

  const batches: number[] = [];
  for (let start = 0; start < texts.length; start += batchSize) batches.push(start);
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal!.reason);
  if (opts.signal?.aborted) stop.abort(opts.signal.reason);
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  let dims = opts.dims;
  let next = 0;

  const embedBatch = async (start: number) => {
    const input = texts.slice(start, start + batchSize);
    const res = await withRetries(deps.policy, stop.signal, async () => {
      const guard = guardCall(stop.signal, deps.timeoutMs);
      try {
        return await deps.client.embeddings.create(
          {
            model: opts.model,
            input,
            // Floats, not the SDK's default base64: several servers ignore encoding_format and send floats.
            encoding_format: 'float',
            ...(opts.dims ? { dimensions: opts.dims } : {}),
          },
          { signal: guard.signal },
        );
      } catch (err) {
        throw toProviderError(err, { label: deps.label, outer: stop.signal, guard });
      } finally {
        guard.dispose();
      }
    });
    if (!Array.isArray(res.data) || res.data.length !== input.length) {
      throw new ProviderError(
        'provider_error',
        `${deps.label} returned ${res.data?.length ?? 0} embeddings for ${input.length} texts`,
        false,
      );
    }
    for (const item of res.data) {
      const v = item.embedding;
      dims ??= v.length;
      if (v.length !== dims) {
        throw new ProviderError(
          'provider_error',
          `${deps.label} returned ${v.length}-dimensional embeddings, expected ${dims}` +
            (opts.dims ? ' (does the model support `dimensions`?)' : ''),
          false,
        );
      }
      if (!(item.index >= 0 && item.index < input.length) || vectors[start + item.index]) {
        throw new ProviderError('provider_error', `${deps.label} returned a bad embedding index`, false);
      }
      vectors[start + item.index] = v;
    }
    usage.promptTokens += res.usage?.prompt_tokens ?? 0;
    usage.totalTokens += res.usage?.total_tokens ?? 0;
  };

  const worker = async () => {
    while (next < batches.length && !stop.signal.aborted) await embedBatch(batches[next++]!);
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, batches.length) }, () =>
        worker().catch((err: unknown) => {
          stop.abort(err);
          throw err;
        }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { vectors, dims: dims!, usage };
}
