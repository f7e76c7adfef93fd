import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fuseScores, type FusionInput, type FusionOptions } from './fusion.ts';

const zscore: FusionOptions = { method: 'zscore', vectorWeight: 0.2, rrfK: 60 };
const rrf: FusionOptions = { method: 'rrf', vectorWeight: 1, rrfK: 60 };

// Deterministic pseudo-random pools.
function pool(seed: number, n: number): FusionInput[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => ({ slot: i, lexical: 1 + 10 * rnd(), vector: rnd() * 2 - 1 }));
}

const rankOf = (fused: { slot: number }[], slot: number) => fused.findIndex((f) => f.slot === slot);

describe('fuseScores', () => {
  it('returns the pool sorted best first and handles an empty pool', () => {
    assert.deepEqual(fuseScores([], zscore), []);
    const out = fuseScores(pool(1, 20), zscore);
    assert.equal(out.length, 20);
    for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.score >= out[i]!.score);
  });

  for (const opts of [zscore, rrf]) {
    it(`is monotone (${opts.method}): raising one input score never lowers that candidate's rank`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const base = pool(seed, 30);
        for (const field of ['lexical', 'vector'] as const) {
          const target = seed % 30;
          const before = rankOf(fuseScores(base, opts), target);
          const raised = base.map((p) => (p.slot === target ? { ...p, [field]: p[field] + 0.5 } : p));
          const after = rankOf(fuseScores(raised, opts), target);
          assert.ok(after <= before, `seed ${seed} ${field}: ${before} → ${after}`);
        }
      }
    });
  }

  it('keeps the lexical order when the vector signal is flat', () => {
    const p = pool(7, 15).map((x) => ({ ...x, vector: 0.3 }));
    const byLexical = [...p].sort((a, b) => b.lexical - a.lexical).map((x) => x.slot);
    assert.deepEqual(
      fuseScores(p, zscore).map((f) => f.slot),
      byLexical,
    );
  });

  it('cannot let the weak vector signal overturn a clear lexical margin', () => {
    // Candidate 0 leads lexically by two standard deviations; candidate 1 has by far the best vector score.
    const p: FusionInput[] = [
      { slot: 0, lexical: 20, vector: -1 },
      { slot: 1, lexical: 10, vector: 1 },
      { slot: 2, lexical: 10, vector: 0 },
      { slot: 3, lexical: 9, vector: 0 },
    ];
    assert.equal(fuseScores(p, zscore)[0]!.slot, 0);
    // It does break a lexical near-tie.
    assert.equal(fuseScores(p, zscore)[1]!.slot, 1);
  });
});
