import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEventChannel } from './event-channel.ts';

type E = { kind: 'a' | 'b'; n: number };
const sumA = (q: E, next: E) =>
  q.kind === 'a' && next.kind === 'a' ? { kind: 'a' as const, n: q.n + next.n } : null;

describe('event channel', () => {
  it('merges events that queue behind each other, and only those the merge function accepts', async () => {
    const ch = createEventChannel<E>(undefined, sumA);
    ch.push({ kind: 'a', n: 1 });
    ch.push({ kind: 'a', n: 2 });
    ch.push({ kind: 'b', n: 10 });
    ch.push({ kind: 'a', n: 3 });
    ch.push({ kind: 'a', n: 4 });
    ch.close();
    const got: E[] = [];
    for await (const e of ch) got.push(e);
    assert.deepEqual(got, [
      { kind: 'a', n: 3 },
      { kind: 'b', n: 10 },
      { kind: 'a', n: 7 },
    ]);
  });

  it('a consumer that keeps up gets every event as pushed', async () => {
    const ch = createEventChannel<E>(undefined, sumA);
    const got: E[] = [];
    const reading = (async () => {
      for await (const e of ch) got.push(e);
    })();
    for (let i = 1; i <= 3; i++) {
      ch.push({ kind: 'a', n: i });
      await new Promise((r) => setImmediate(r)); // let the consumer take it before the next push
    }
    ch.close();
    await reading;
    assert.deepEqual(
      got.map((e) => e.n),
      [1, 2, 3],
    );
  });

  it('detach drops queued events and fires onDetach once', async () => {
    let detached = 0;
    const ch = createEventChannel<E>(() => detached++);
    ch.push({ kind: 'a', n: 1 });
    ch.detach();
    ch.detach();
    ch.push({ kind: 'a', n: 2 });
    const got: E[] = [];
    for await (const e of ch) got.push(e);
    assert.deepEqual(got, []);
    assert.equal(detached, 1);
  });
});
