import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildIndex,
  DEFAULT_TUNING,
  expandQuery,
  search,
  searchWithDetails,
  type RetrievalItem,
} from './engine.ts';
import { feedbackCoverage, feedbackModel, interpolate } from './feedback.ts';

const corpus: RetrievalItem[] = [
  {
    id: '1',
    docId: 'd1',
    title: 'Wing flutter',
    text: 'Flutter of a swept wing at transonic speed; flutter boundary and wing stiffness.',
  },
  {
    id: '2',
    docId: 'd2',
    title: 'Panel flutter',
    text: 'Supersonic panel flutter and the flutter boundary of thin panels.',
  },
  {
    id: '3',
    docId: 'd3',
    title: 'Wing stiffness',
    text: 'Bending stiffness of a swept wing and its aeroelastic response.',
  },
  { id: '4', docId: 'd4', title: 'Heat transfer', text: 'Heat transfer to a flat plate in hypersonic flow.' },
  {
    id: '5',
    docId: 'd5',
    title: 'Boundary layer',
    text: 'Laminar boundary layer on a flat plate with heat transfer.',
  },
];

describe('RM3 feedback', () => {
  const index = buildIndex(corpus);

  it('does not crash and returns nothing on empty, stop-word-only and zero-hit queries', () => {
    for (const q of ['', '   ', 'the of and which', 'zebra giraffe', '¿¡…']) {
      for (const mode of ['keyword', 'hybrid', 'semantic'] as const) {
        const r = searchWithDetails(index, q, { mode, expand: true });
        assert.ok(Array.isArray(r.hits));
        if (mode === 'keyword') assert.equal(r.hits.length, 0, `${mode} "${q}"`);
        // Hybrid may still offer semantic neighbours, but none of them is a lexical match.
        if (mode === 'hybrid') assert.ok(r.hits.every((h) => !h.scores.bm25 && h.matchedTerms.length === 0));
        assert.equal(r.query.feedbackWeight, 0);
      }
    }
  });

  it('builds an empty model from no documents, and a normalised one otherwise', () => {
    assert.equal(feedbackModel(index, [], new Set(), DEFAULT_TUNING.rm3).size, 0);
    assert.equal(feedbackModel(index, [{ slot: 0, score: 0 }], new Set(), DEFAULT_TUNING.rm3).size, 0);
    const model = feedbackModel(
      index,
      [
        { slot: 0, score: 3 },
        { slot: 1, score: 2 },
      ],
      new Set(),
      DEFAULT_TUNING.rm3,
    );
    const sum = [...model.values()].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
    assert.ok(model.size <= DEFAULT_TUNING.rm3.fbTerms);
  });

  it('measures query coverage of the feedback documents in [0, 1]', () => {
    const q = expandQuery(index, 'wing flutter', false).query;
    const full = feedbackCoverage(index, q, [{ slot: 0, score: 1 }]);
    const half = feedbackCoverage(index, q, [{ slot: 1, score: 1 }]);
    assert.equal(full, 1);
    assert.ok(half > 0 && half < 1);
    assert.equal(feedbackCoverage(index, q, []), 0);
  });

  it('interpolates query and feedback models into a distribution', () => {
    const q = interpolate(
      new Map([
        [1, 2],
        [2, 2],
      ]),
      new Map([
        [2, 0.5],
        [3, 0.5],
      ]),
      0.4,
    );
    assert.deepEqual(
      [...q.entries()],
      [
        [1, 0.3],
        [2, 0.3 + 0.2],
        [3, 0.2],
      ],
    );
  });

  it('adds feedback terms with a weight that adapts to the query and keeps the original ranking sensible', () => {
    const r = searchWithDetails(index, 'flutter', { mode: 'keyword' });
    assert.ok(r.query.feedbackWeight > 0 && r.query.feedbackWeight <= 1 - DEFAULT_TUNING.rm3.originalWeight);
    assert.ok(r.query.expansion.length > 0);
    assert.ok(r.query.expansion.every((e) => e.source === 'feedback' && e.weight > 0 && e.word));
    assert.deepEqual(
      r.hits
        .slice(0, 2)
        .map((h) => h.id)
        .sort(),
      ['1', '2'],
    );
    // matchedTerms only name the user's words, not expansion terms.
    for (const h of r.hits) assert.ok(h.matchedTerms.every((w) => w.startsWith('flutter')));
  });

  it('draws feedback only from documents the filter allows', () => {
    const r = searchWithDetails(index, 'flutter', { mode: 'keyword', filter: (item) => item.docId !== 'd1' });
    assert.ok(r.hits.every((h) => h.docId !== 'd1'));
  });

  it('runs standalone nearest-word expansion when enabled', () => {
    const r = searchWithDetails(index, 'aeroplane wing', {
      mode: 'keyword',
      tuning: { neighbours: { enabled: true, minSimilarity: 0.3, minCount: 1 }, rm3: { enabled: false } },
    });
    assert.ok(r.query.expansion.some((e) => e.source === 'neighbour'));
    assert.ok(search(index, 'aeroplane wing', { mode: 'keyword' }).length > 0);
  });
});
