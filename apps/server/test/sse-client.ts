import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  data: any;
}

/** Reads a whole SSE response into events (data parsed as JSON when it is JSON). */
export async function readSse(res: Response, onEvent?: (e: SseEvent) => void | 'stop'): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  let stop = false;
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      let data: unknown = m.data;
      try {
        data = JSON.parse(m.data);
      } catch {
        /* raw data such as [DONE] */
      }
      const e = { event: m.event ?? 'message', data };
      events.push(e);
      if (onEvent?.(e) === 'stop') stop = true;
    },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
    if (stop) {
      await reader.cancel();
      break;
    }
  }
  return events;
}

export async function postSse(url: string, token: string, body: unknown, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify(body),
    signal,
  });
}
