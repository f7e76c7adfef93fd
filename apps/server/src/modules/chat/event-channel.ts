/**
 * A one-producer, one-consumer queue of events. The producer (a chat turn) never waits for the consumer, so a
 * slow or vanished client cannot stall generation; the consumer iterates with for-await. When the consumer
 * stops early (client disconnected), `onDetach` fires and later events are dropped.
 */
export interface EventChannel<T> extends AsyncIterable<T> {
  push(event: T): void;
  close(): void;
  /** the consumer is gone (client disconnected): drop queued and future events, fire onDetach once */
  detach(): void;
  readonly detached: boolean;
}

/**
 * `merge(queued, next)` may fold an event into the last one still waiting in the queue (return the combined
 * event, or null to queue `next` separately): a consumer that falls behind then gets fewer, larger events.
 */
export function createEventChannel<T>(
  onDetach?: () => void,
  merge?: (queued: T, next: T) => T | null,
): EventChannel<T> {
  const queue: T[] = [];
  let closed = false;
  let detached = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const detach = () => {
    if (closed || detached) return;
    detached = true;
    queue.length = 0;
    notify();
    onDetach?.();
  };
  return {
    get detached() {
      return detached;
    },
    push(event) {
      if (closed || detached) return;
      const last = queue.length ? queue[queue.length - 1]! : undefined;
      const merged = last !== undefined && merge ? merge(last, event) : null;
      if (merged !== null) queue[queue.length - 1] = merged;
      else queue.push(event);
      notify();
    },
    close() {
      closed = true;
      notify();
    },
    detach,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          while (queue.length && !detached) yield queue.shift()!;
          if (closed || detached) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        detach(); // the consumer left the loop early (break/throw); a no-op after close()
      }
    },
  };
}
