// Small statistics for calibrating the responder's evidence model: balanced logistic regression (to check that the
// shipped weights transfer between collections) and ROC AUC (to compare single features).
import type { Evidence } from '../../apps/server/src/modules/chat/answer/evidence.ts';

export interface Sample {
  group: string;
  positive: boolean;
  evidence: Evidence;
}

export type Weights = { bias: number; coverage: number; unseen: number; vector: number; matched: number };

function featureRow(e: Evidence, withVector: boolean): number[] {
  const row = [e.chunkCoverage, e.unseenShare, Math.log1p(e.matchedTerms)];
  if (withVector) row.push(e.quoteCosine ?? 0);
  return row;
}

/**
 * Logistic regression, every group's positives and negatives weighted to equal total (so a collection with more
 * queries does not dominate, and 0.5 is the balanced operating point), light L2, plain gradient descent on
 * standardised features; returned in raw feature units (the form evidence.ts uses).
 */
export function fitLogistic(samples: readonly Sample[], withVector: boolean, l2: number): Weights {
  const x = samples.map((s) => featureRow(s.evidence, withVector));
  const d = x[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const sd = Array.from(
    { length: d },
    (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / x.length) || 1,
  );
  const z = x.map((r) => r.map((v, j) => (v - mean[j]!) / sd[j]!));
  const counts = new Map<string, number>();
  for (const s of samples)
    counts.set(`${s.group}:${s.positive}`, (counts.get(`${s.group}:${s.positive}`) ?? 0) + 1);
  const w = samples.map((s) => 1 / counts.get(`${s.group}:${s.positive}`)!);
  const wsum = w.reduce((a, b) => a + b, 0);
  const beta = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < 20000; it++) {
    const grad = new Array<number>(d + 1).fill(0);
    z.forEach((r, i) => {
      const p = 1 / (1 + Math.exp(-(r.reduce((s, v, j) => s + v * beta[j]!, 0) + beta[d]!)));
      const g = ((p - (samples[i]!.positive ? 1 : 0)) * w[i]!) / wsum;
      r.forEach((v, j) => (grad[j]! += g * v));
      grad[d]! += g;
    });
    for (let j = 0; j <= d; j++) beta[j]! -= (grad[j]! + (j < d ? l2 * beta[j]! : 0)) * 2;
  }
  const raw = beta.slice(0, d).map((b, j) => b / sd[j]!);
  const bias = beta[d]! - raw.reduce((s, b, j) => s + b * mean[j]!, 0);
  return { bias, coverage: raw[0]!, unseen: raw[1]!, matched: raw[2]!, vector: withVector ? raw[3]! : 0 };
}

/** The evidence model's score with given weights (the formula of evidenceScore in evidence.ts). */
export function scoreWith(w: Weights, e: Evidence): number {
  const z =
    w.bias +
    w.coverage * e.chunkCoverage +
    w.unseen * e.unseenShare +
    w.vector * (e.quoteCosine ?? 0) +
    w.matched * Math.log1p(e.matchedTerms);
  return 1 / (1 + Math.exp(-z));
}

/** ROC AUC of a score separating positives from negatives (ties count half). */
export function auc(scores: readonly { score: number; positive: boolean }[]): number {
  const pos = scores.filter((s) => s.positive).map((s) => s.score);
  const neg = scores.filter((s) => !s.positive).map((s) => s.score);
  if (!pos.length || !neg.length) return NaN;
  let sum = 0;
  for (const p of pos) for (const n of neg) sum += p > n ? 1 : p === n ? 0.5 : 0;
  return sum / (pos.length * neg.length);
}
