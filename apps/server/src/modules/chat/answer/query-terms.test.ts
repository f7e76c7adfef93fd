import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildIndex } from '../../retrieval/engine.ts';
import { analyzeQuestion, matchTerms, proximity, termStatsFromIndex } from './query-terms.ts';
import { creditOf, creditTable } from './soft-match.ts';

const index = buildIndex([
  { id: 'a', docId: 'd1', text: 'The loan period is 120 days. Interest is charged per 15 days.' },
  { id: 'b', docId: 'd2', text: 'Branches are open from Monday to Friday. Bring your identity card.' },
  { id: 'c', docId: 'd3', text: 'The loan is secured by gold. Gold is appraised by purity.' },
]);
const stats = termStatsFromIndex(index);

describe('analyzeQuestion', () => {
  it('keeps content words only: no stop words, request words or the quantity word of "how long"', () => {
    const terms = analyzeQuestion('Please tell me how long the loan period is', ['en'], stats);
    assert.deepEqual(
      terms.map((t) => t.token),
      ['loan', 'period'],
    );
  });

  it('weights rare terms above common ones, and unseen terms as the rarest', () => {
    const [loan, period, mortgage] = analyzeQuestion('loan period mortgage', ['en'], stats);
    assert.equal(loan!.docFreq, 2);
    assert.equal(period!.docFreq, 1);
    assert.equal(mortgage!.docFreq, 0);
    assert.ok(period!.weight > loan!.weight);
    assert.equal(mortgage!.weight, period!.weight);
  });

  it('merges words with the same stem and weighs 1 each without statistics', () => {
    const terms = analyzeQuestion('loans loan periods', ['en']);
    assert.deepEqual(
      terms.map((t) => [t.stems[0], t.weight, t.docFreq]),
      [
        ['loan', 1, -1],
        ['period', 1, -1],
      ],
    );
  });

  it('drops Indonesian stop words and "berapa lama"', () => {
    const terms = analyzeQuestion('Berapa lama jangka waktu pinjaman gadai?', ['id']);
    assert.deepEqual(
      terms.map((t) => t.token),
      ['jangka', 'waktu', 'pinjaman', 'gadai'],
    );
  });
});

describe('matching and proximity', () => {
  it('finds terms by stem and measures how close they are', () => {
    const terms = analyzeQuestion('loan periods', ['en']);
    const near = matchTerms(['the', 'loan', 'period', 'is', 'long'], 'en', terms);
    assert.deepEqual(near, [[1], [2]]);
    assert.equal(proximity(near), 1);
    const far = matchTerms(['loan', 'a', 'b', 'c', 'd', 'period'], 'en', terms);
    assert.equal(proximity(far), 1 / 5);
    assert.equal(proximity([[3], []]), 1);
  });
});

describe('soft credit', () => {
  it('credits a word said differently and not an unrelated one', () => {
    const [rate, car] = creditTable(['rate', 'car'], ['interest', 'charged', 'gold']);
    assert.ok(Math.max(0, ...rate!.values()) > 0.2, 'rate ~ interest');
    assert.equal(Math.max(0, ...car!.values()), 0, 'car is not gold');
  });

  it('maps cosine to credit linearly between the floor and full credit', () => {
    assert.equal(creditOf(0.2), 0);
    assert.equal(creditOf(0.95), 1);
    assert.ok(creditOf(0.7) > 0 && creditOf(0.7) < 1);
  });
});
