import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, embedText, loadWordVectors, nearestWords, sifWeight, wordVector } from './embedder.ts';
import { buildIndex, embedItem, searchWithDetails, type RetrievalItem } from './engine.ts';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('word vectors', () => {
  it('loads the shipped table once', () => {
    const t = loadWordVectors();
    assert.equal(t.dims, 100);
    assert.ok(t.count >= 50_000);
    assert.equal(loadWordVectors(), t);
  });

  it('puts aircraft nearer airplane than banana', () => {
    const aircraft = wordVector('aircraft')!;
    assert.ok(cosine(aircraft, wordVector('airplane')!) > 0.6);
    assert.ok(cosine(aircraft, wordVector('airplane')!) > cosine(aircraft, wordVector('banana')!) + 0.4);
  });

  it('finds nearest words, optionally restricted to a vocabulary', () => {
    const near = nearestWords('aircraft', 10).map((n) => n.word);
    assert.ok(near.includes('airplane') || near.includes('planes'), near.join(' '));
    assert.ok(!near.includes('aircraft'));
    const restricted = nearestWords('aircraft', 3, (w) => w.startsWith('heli'));
    assert.ok(restricted.length > 0 && restricted.every((n) => n.word.startsWith('heli')));
    assert.deepEqual(nearestWords('qwxzvbnm', 5), []);
  });

  it('falls back to the stem for inflected forms and gives frequent words a lower SIF weight', () => {
    assert.ok(wordVector('aircrafts') !== null);
    const t = loadWordVectors();
    assert.ok(sifWeight(t, t.index.get('time')!) < sifWeight(t, t.index.get('turbine')!));
  });
});

describe('embedText', () => {
  it('returns unit vectors with the common component removed', () => {
    const v = embedText('Supersonic flow over a swept wing');
    assert.ok(Math.abs(norm(v) - 1) < 1e-5);
    const c = loadWordVectors().commonComponent;
    assert.ok(Math.abs(cosine(v, c)) < 1e-5);
  });

  it('ranks paraphrases above unrelated sentences', () => {
    const a = embedText('The cat rested on the carpet.');
    const b = embedText('A kitten slept on the rug.');
    const c = embedText('Quarterly revenue grew in the banking sector.');
    assert.ok(cosine(a, b) > cosine(a, c) + 0.2);
  });

  it('is all zeros for stop words, unknown words and empty text', () => {
    for (const text of ['', 'the of and', 'qwxzvbnm zzkkqq']) assert.equal(norm(embedText(text)), 0);
  });
});

describe('semantic search', () => {
  const index = buildIndex([
    { id: 'en1', docId: 'a', text: 'Jet aircraft engines and airplane wings.' },
    { id: 'en2', docId: 'b', text: 'Bananas, apples and other tropical fruit.' },
    {
      id: 'id1',
      docId: 'c',
      text: 'Pesawat terbang dan mesin jet untuk penerbangan jarak jauh di Indonesia.',
    },
  ]);

  it('finds the semantically closest chunk without shared words', () => {
    const r = searchWithDetails(index, 'airliner', { mode: 'semantic', topK: 1 });
    assert.equal(r.mode, 'semantic');
    assert.equal(r.hits[0]!.id, 'en1');
    assert.ok(r.hits[0]!.scores.vector! > 0);
  });

  it('falls back to lexical search for a query without English vectors (Indonesian)', () => {
    const r = searchWithDetails(index, 'penerbangan', { mode: 'semantic' });
    assert.equal(r.mode, 'keyword');
    assert.equal(r.hits[0]!.id, 'id1');
    // Sastrawi reduces both "terbang" and "penerbangan" to the stem terbang.
    assert.deepEqual(new Set(r.hits[0]!.matchedTerms), new Set(['terbang', 'penerbangan']));
  });
});

describe('precomputed item vectors', () => {
  it('embedItem gives exactly the vector the index computes, and the index accepts it back', () => {
    const items: RetrievalItem[] = [
      {
        id: '1',
        docId: 'a',
        title: 'Gold loans',
        tags: ['pawn'],
        text: 'Interest on a gold loan is charged monthly.',
      },
      { id: '2', docId: 'b', text: 'Bunga pinjaman emas dihitung setiap bulan untuk nasabah.' },
    ];
    const computed = buildIndex(items);
    const given = buildIndex(items.map((item) => ({ ...item, vector: embedItem(item) })));
    assert.deepEqual(given.vectors, computed.vectors);
    assert.deepEqual(given.hasVector, computed.hasVector);
    assert.equal(computed.hasVector[1], 0, 'Indonesian chunks have no vector');
  });
});
