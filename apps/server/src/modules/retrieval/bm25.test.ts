import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bm25Idf } from './bm25.ts';
import { addToIndex, buildIndex, removeFromIndex, search, type RetrievalItem } from './engine.ts';

const tiny: RetrievalItem[] = [
  { id: 'a', docId: 'A', text: 'cat sat mat' },
  { id: 'b', docId: 'B', text: 'cat cat dog' },
  { id: 'c', docId: 'C', text: 'bird' },
];

const keyword = { mode: 'keyword', expand: false, topK: 10 } as const;

describe('bm25Idf', () => {
  it('is the Lucene form ln(1 + (N − df + 0.5) / (df + 0.5))', () => {
    assert.equal(bm25Idf(3, 2), Math.log(1 + 1.5 / 2.5));
    assert.equal(bm25Idf(1000, 1), Math.log(1 + 999.5 / 1.5));
  });

  it('stays positive for terms in every document and in more than half of them', () => {
    assert.ok(bm25Idf(10, 10) > 0);
    assert.ok(bm25Idf(10, 9) > bm25Idf(10, 10));
    assert.ok(bm25Idf(1, 1) > 0);
  });

  it('is 0 for unknown terms and an empty collection, and falls as df grows', () => {
    assert.equal(bm25Idf(10, 0), 0);
    assert.equal(bm25Idf(0, 0), 0);
    for (let df = 1; df < 10; df++) assert.ok(bm25Idf(10, df) > bm25Idf(10, df + 1));
  });
});

describe('BM25 scoring', () => {
  it('matches the formula computed by hand on a tiny corpus', () => {
    const index = buildIndex(tiny, { titleWeight: 0, vectors: false });
    const hits = search(index, 'cat', keyword);
    assert.deepEqual(
      hits.map((h) => h.id),
      ['b', 'a'],
    );
    // N = 3, df(cat) = 2, lengths 3, 3, 1 → avgdl = 7/3; k1 = 1.2, b = 0.75.
    const idf = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5));
    const norm = 1 - 0.75 + (0.75 * 3) / (7 / 3);
    const bm25 = (tf: number) => (idf * (tf / norm) * 2.2) / (1.2 + tf / norm);
    assert.ok(Math.abs(hits[0]!.score - bm25(2)) < 1e-9);
    assert.ok(Math.abs(hits[1]!.score - bm25(1)) < 1e-9);
    // The same number written out: ln 1.6 · (2/1.2142857 · 2.2) / (1.2 + 2/1.2142857).
    assert.ok(Math.abs(hits[0]!.score - 0.598186) < 1e-6);
    assert.equal(hits[0]!.scores.bm25, hits[0]!.score);
  });

  it('sums over query terms and counts repeated query words', () => {
    const index = buildIndex(tiny, { titleWeight: 0, vectors: false });
    const cat = search(index, 'cat', keyword);
    const dog = search(index, 'dog', keyword);
    const both = search(index, 'cat dog', keyword);
    assert.ok(Math.abs(both[0]!.score - (cat[0]!.score + dog[0]!.score)) < 1e-9);
    const twice = search(index, 'dog dog', keyword);
    assert.ok(Math.abs(twice[0]!.score - 2 * dog[0]!.score) < 1e-9);
  });

  it('weights title occurrences (BM25F) and reduces to BM25 with title weight 0', () => {
    const items: RetrievalItem[] = [
      { id: 't', docId: 'T', title: 'turbine blades', text: 'a study of cooling in gas engines' },
      { id: 'u', docId: 'U', title: 'gas engines', text: 'a study of cooling in turbine blades' },
    ];
    const plain = buildIndex(items, { titleWeight: 0, vectors: false });
    const [p1, p2] = search(plain, 'turbine', keyword);
    assert.equal(p1!.id, 'u');
    assert.equal(p2, undefined, 'titles are ignored with weight 0');
    const f = buildIndex(items, { vectors: false });
    assert.deepEqual(
      search(f, 'turbine', keyword).map((h) => h.id),
      ['t', 'u'],
    );
  });

  it('reports the words to highlight as written in the chunk', () => {
    const index = buildIndex(
      [{ id: 'x', docId: 'X', text: 'Flutter of wings: the wing fluttered at Mach 2.5' }],
      { vectors: false },
    );
    const [hit] = search(index, 'wing flutter', keyword);
    assert.deepEqual(new Set(hit!.matchedTerms), new Set(['flutter', 'wings', 'wing', 'fluttered']));
  });

  it('updates df, lengths and results when documents are added and removed', () => {
    const index = buildIndex(tiny, { titleWeight: 0, vectors: false });
    const before = search(index, 'cat', keyword)[0]!.score;
    addToIndex(index, [{ id: 'd', docId: 'D', text: 'cat' }]);
    assert.equal(search(index, 'cat', keyword).length, 3);
    assert.equal(removeFromIndex(index, 'D'), 1);
    assert.equal(removeFromIndex(index, 'D'), 0);
    const after = search(index, 'cat', keyword);
    assert.equal(after.length, 2);
    assert.ok(Math.abs(after[0]!.score - before) < 1e-9, 'back to the same statistics');
    // Re-adding an id replaces the old chunk.
    addToIndex(index, [{ id: 'a', docId: 'A', text: 'dog only' }]);
    assert.deepEqual(
      search(index, 'cat', keyword).map((h) => h.id),
      ['b'],
    );
  });

  it('returns nothing for empty, stop-word-only or unknown queries and an empty index', () => {
    const index = buildIndex(tiny, { vectors: false });
    assert.deepEqual(search(index, '', keyword), []);
    assert.deepEqual(search(index, 'the of and', keyword), []);
    assert.deepEqual(search(index, 'zebra', keyword), []);
    assert.deepEqual(search(buildIndex([]), 'cat'), []);
  });

  it('applies the filter to the hits', () => {
    const index = buildIndex(tiny, { vectors: false });
    const hits = search(index, 'cat', { ...keyword, filter: (item) => item.docId !== 'B' });
    assert.deepEqual(
      hits.map((h) => h.id),
      ['a'],
    );
  });
});
