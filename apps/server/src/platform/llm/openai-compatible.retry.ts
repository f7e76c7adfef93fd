import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ProviderError } from './types.ts';

/**
 * Timeouts, error mapping and retries for calls to an OpenAI-compatible server.
 *
 * Retries are ours, not the SDK's (it runs with maxRetries 0): the SDK waits out any Retry-After however long
 * and its back-off sleep ignores the abort signal, while a chat request needs a bounded wait that stops the
 * moment the client goes away. A stream is only retried before its first chunk reached the caller.
 */

export interface RetryPolicy {
  maxRetries: number;
  /** first back-off; doubles per attempt (with jitter) */
  baseDelayMs: number;
  /** longest single wait, Retry-After included: a server asking for more is not waited for */
  maxDelayMs: number;
}

/** Retry-After of a 429/503, in ms, kept beside the error it came with. */
const retryAfterOf = new WeakMap<ProviderError, number>();

/**
 * One attempt's abort signal: fires when the caller's signal does, or when the server has been silent for
 * `timeoutMs` (until the response starts, and — for streams, via `touch()` per chunk — between chunks).
 */
export interface CallGuard {
  signal: AbortSignal;
  touch(): void;
  timedOut(): boolean;
  dispose(): void;
}

export function guardCall(outer: AbortSignal | undefined, timeoutMs: number): CallGuard {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new ProviderError('provider_timeout', `No answer within ${timeoutMs} ms`, true));
  }, timeoutMs);
  const onAbort = () => controller.abort(outer!.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    touch: () => void timer.refresh(),
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Why the caller's own signal fired: its deadline (AbortSignal.timeout) or the client going away. */
export function abortedByCaller(outer: AbortSignal): ProviderError {
  const reason = outer.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError'
    ? new ProviderError('provider_timeout', 'The model call ran out of time', false)
    : new ProviderError('cancelled', 'The model call was cancelled', false);
}

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/** Any failure of one attempt, as the ProviderError callers branch on. */
export function toProviderError(
  err: unknown,
  ctx: { label: string; outer?: AbortSignal; guard?: CallGuard },
): ProviderError {
  if (ctx.outer?.aborted) return abortedByCaller(ctx.outer);
  if (ctx.guard?.timedOut() || err instanceof APIConnectionTimeoutError) {
    return new ProviderError('provider_timeout', `${ctx.label} did not answer in time`, true);
  }
  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError) {
    return new ProviderError('cancelled', 'The model call was cancelled', false);
  }
  if (err instanceof APIConnectionError) {
    const cause = (err.cause as { cause?: { code?: string }; message?: string } | undefined) ?? {};
    const detail = cause.cause?.code ?? cause.message ?? err.message;
    return new ProviderError('provider_error', `Cannot reach ${ctx.label} (${detail})`, true);
  }
  if (err instanceof APIError) {
    const status = err.status;
    const message = clip(`${ctx.label}: ${err.message}`);
    if (status === 401 || status === 403) return new ProviderError('provider_auth', message, false, status);
    if (status === 429 || status === 503) {
      const e = new ProviderError(
        status === 429 ? 'provider_rate_limited' : 'provider_error',
        message,
        true,
        status,
      );
      const after = retryAfterMs(err.headers);
      if (after !== undefined) retryAfterOf.set(e, after);
      return e;
    }
    if (status === 408) return new ProviderError('provider_timeout', message, true, status);
    // No status: an error event inside a stream (the server failed mid-answer).
    if (status === undefined || status >= 500)
      return new ProviderError('provider_error', message, true, status);
    return new ProviderError('provider_error', message, false, status);
  }
  // undici reports a connection lost mid-body as TypeError('terminated').
  if (err instanceof TypeError && /terminated|socket|fetch failed|ECONNRESET/i.test(String(err.message))) {
    return new ProviderError('provider_error', `${ctx.label} closed the connection mid-answer`, true);
  }
  return new ProviderError(
    'provider_error',
    clip(`${ctx.label}: ${(err as Error)?.message ?? String(err)}`),
    false,
  );
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms)) return Math.max(0, ms);
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The wait before retry number `attempt + 1`, or null when the server asks for longer than we wait. */
export function backoffDelay(err: ProviderError, attempt: number, policy: RetryPolicy): number | null {
  const asked = retryAfterOf.get(err);
  if (asked !== undefined) return asked <= policy.maxDelayMs ? asked : null;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp * (0.75 + Math.random() * 0.25);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedByCaller(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedByCaller(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `attempt` until it succeeds, fails for good, or the retries are spent. */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      await waitBeforeRetry(err, n, policy, signal);
    }
  }
}

/** Throws `err` when it must not be retried; otherwise waits the back-off (abortable) and returns. */
export async function waitBeforeRetry(
  err: ProviderError,
  attempt: number,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!err.retryable || attempt >= policy.maxRetries || signal?.aborted) throw err;
  const delay = backoffDelay(err, attempt, policy);
  if (delay === null) throw err;
  await sleep(delay, signal);
}
