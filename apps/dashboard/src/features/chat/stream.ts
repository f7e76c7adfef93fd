import { createParser } from 'eventsource-parser';
import { rawFetch } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { BotRef, Citation, SendBody, TurnResult, Usage } from './chat.api';

export interface StreamHandlers {
  onDelta: (text: string) => void;
  onCitation: (c: Citation) => void;
  onUsage?: (u: Usage) => void;
}

/** How a streamed turn ended. `error` covers both an `error` event and a failed request. */
export type StreamOutcome =
  | { kind: 'done'; result: TurnResult }
  | { kind: 'error'; error: ApiError; stored: boolean }
  | { kind: 'aborted'; stored: boolean };

/**
 * Asks one question and reads the answer as server-sent events (`delta`…, `citation`…, `usage`, `done`, or
 * `error`). `stored` tells whether the server had accepted the turn (it stores the question before the first
 * byte), so the caller knows whether the history now holds it.
 */
export async function streamMessage(
  b: BotRef,
  convId: string,
  body: SendBody,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  let res: Response;
  try {
    res = await rawFetch(
      `/api/v1/orgs/${encodeURIComponent(b.orgId)}/chatbots/${encodeURIComponent(b.botId)}/conversations/${encodeURIComponent(convId)}/messages`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(body),
        signal,
      },
    );
  } catch (err) {
    if (signal.aborted) return { kind: 'aborted', stored: false };
    return { kind: 'error', error: asApiError(err), stored: false };
  }

  let outcome: StreamOutcome | null = null;
  const parser = createParser({
    onEvent(ev) {
      if (outcome) return;
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return; // not one of ours
      }
      switch (ev.event) {
        case 'delta':
          handlers.onDelta((data as { text: string }).text);
          break;
        case 'citation':
          handlers.onCitation(data as Citation);
          break;
        case 'usage':
          handlers.onUsage?.(data as Usage);
          break;
        case 'done':
          outcome = { kind: 'done', result: data as TurnResult };
          break;
        case 'error': {
          const e = data as { code: string; message: string };
          outcome = { kind: 'error', error: new ApiError(0, e.code, e.message), stored: true };
          break;
        }
      }
    },
  });

  const reader = res.body?.getReader();
  if (!reader)
    return { kind: 'error', error: new ApiError(0, 'stream_ended', 'No response body'), stored: true };
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (outcome) break;
    }
  } catch (err) {
    if (signal.aborted) return { kind: 'aborted', stored: true };
    return { kind: 'error', error: asApiError(err), stored: true };
  } finally {
    void reader.cancel().catch(() => {});
  }
  if (outcome) return outcome;
  if (signal.aborted) return { kind: 'aborted', stored: true };
  return { kind: 'error', error: new ApiError(0, 'stream_ended', 'The stream ended early'), stored: true };
}

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
}
