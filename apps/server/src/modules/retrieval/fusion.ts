// Fusion of a strong lexical ranking with a weak semantic one.
//
// Plain RRF gives both lists an equal say, so a static embedder's noisy top ranks push good BM25 hits down
// (measured: −0.04 nDCG@10 on Cranfield, −0.02 on CISI, −0.2 on the known-item check). Instead each signal is
// standardised per query over the candidate pool (z-scores: scale-free, no per-collection calibration) and the
// vector signal enters with a weight well below the lexical one: one standard deviation of cosine moves a document
// by `vectorWeight` standard deviations of BM25. It can break near-ties among lexical candidates, never overturn
// a clear lexical margin.
import { better } from './topk.ts';

export interface FusionOptions {
  /** 'zscore' (default) or 'rrf' (reciprocal rank fusion, for comparison) */
  method: 'zscore' | 'rrf';
  /** weight of the vector signal relative to the lexical one (default 0.2) */
  vectorWeight: number;
  /** RRF constant k (rrf only, default 60) */
  rrfK: number;
}

export interface FusionInput {
  slot: number;
  lexical: number;
  vector: number;
}

export interface Fused extends FusionInput {
  score: number;
}

function meanStd(xs: number[]): [number, number] {
  const n = xs.length || 1;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  return [mean, Math.sqrt(v) || 1];
}

/** 0-based rank of each value, best (highest) first; ties by position. */
function ranks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const r = new Array<number>(values.length);
  order.forEach(([, i], k) => (r[i] = k));
  return r;
}

/**
 * Fuses lexical and vector scores of a candidate pool and returns it sorted best first. For a fixed pool the
 * fused score is non-decreasing in each input score (z-scores are affine in the raw scores with positive slope;
 * ranks only improve as a score grows).
 */
export function fuseScores(pool: FusionInput[], opts: FusionOptions): Fused[] {
  if (pool.length === 0) return [];
  const lex = pool.map((p) => p.lexical);
  const vec = pool.map((p) => p.vector);
  let fused: number[];
  if (opts.method === 'rrf') {
    const rl = ranks(lex);
    const rv = ranks(vec);
    fused = pool.map((_, i) => 1 / (opts.rrfK + rl[i]! + 1) + opts.vectorWeight / (opts.rrfK + rv[i]! + 1));
  } else {
    const [ml, sl] = meanStd(lex);
    const [mv, sv] = meanStd(vec);
    fused = pool.map((p) => (p.lexical - ml) / sl + (opts.vectorWeight * (p.vector - mv)) / sv);
  }
  const out = pool.map((p, i) => ({ ...p, score: fused[i]! }));
  return out.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}
