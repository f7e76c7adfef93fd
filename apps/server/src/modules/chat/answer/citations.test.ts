import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { citedNumbers, parseCitations } from './citations.ts';
import type { Source } from './context.ts';

const sources: Source[] = [1, 2, 3, 4].map((n) => ({
  n,
  chunkId: `chk_${n}`,
  documentId: `doc_${n}`,
  documentTitle: `Document ${n}`,
  page: n === 4 ? null : n,
  charStart: 100 * n,
  charEnd: 100 * n + 50,
  text: `text of source ${n}`.padEnd(50, '.'),
}));

describe('parseCitations', () => {
  it('resolves [n] and [n, m] markers in order of first citation, deduplicated', () => {
    const text =
      'Loans last 120 days [2]. Interest is 1.2% per 15 days [1, 2]; branches close at 15:00 [4][2].';
    const cits = parseCitations(text, sources);
    assert.deepEqual(
      cits.map((c) => c.n),
      [2, 1, 4],
    );
    const [two] = cits;
    assert.deepEqual(two, {
      n: 2,
      chunkId: 'chk_2',
      documentId: 'doc_2',
      documentTitle: 'Document 2',
      page: 2,
      quote: sources[1]!.text,
      charStart: 200,
      charEnd: 250,
    });
  });

  it('ignores numbers without a source and markers inside code', () => {
    const text = 'See [7] and [0]. Use `arr[1]` or\n```ts\nconst y = xs[3];\n```\nas shown in [3].';
    assert.deepEqual(
      parseCitations(text, sources).map((c) => c.n),
      [3],
    );
  });

  it('accepts semicolons and short ranges, not absurd ones', () => {
    assert.deepEqual(citedNumbers('[1; 3] and [2–4]', 4), [1, 3, 2, 4]);
    assert.deepEqual(citedNumbers('[1-400]', 4), []);
    assert.deepEqual(citedNumbers('no markers, [a], [1.5]', 4), []);
  });

  it('returns nothing without sources', () => {
    assert.deepEqual(parseCitations('as said in [1]', []), []);
  });

  it('highlights only what the model saw of a source cut to fit', () => {
    const cut: Source = { ...sources[0]!, text: 'text of source 1 …' };
    const [c] = parseCitations('[1]', [cut]);
    assert.equal(c!.charStart, 100);
    assert.equal(c!.charEnd, 100 + 'text of source 1 '.length);
  });
});
