// BM25F scoring over the inverted index (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework"):
//   tf̃(t,d)   = Σ_f w_f · tf_f(t,d) / B_f(d),   B_f(d) = 1 − b_f + b_f · len_f(d) / avglen_f
//   score(q,d) = Σ_t qw(t) · idf(t) · tf̃ · (k1 + 1) / (k1 + tf̃)
//   idf(t)     = ln(1 + (N − df + 0.5) / (df + 0.5))        (Lucene's form: always > 0, even for df > N/2)
// With titleWeight 0 (or items without titles) this is exactly classic BM25 on the body.
import { cached, type RetrievalIndex } from './index-store.ts';
import { TopK, type Scored } from './topk.ts';

/** Query as term id → weight (query term frequency, or a feedback-model probability). */
export type WeightedQuery = Map<number, number>;

export function bm25Idf(n: number, df: number): number {
  if (df <= 0 || n <= 0) return 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

interface LengthNorms {
  invTitle: Float32Array;
  invBody: Float32Array;
}

/** 1 / B_f(d) per slot, recomputed when the index changes (average lengths move with every add/remove). */
function lengthNorms(index: RetrievalIndex): LengthNorms {
  return cached(index, 'bm25-norms', () => {
    const { b, titleB } = index.options;
    const n = index.slots.length;
    const live = Math.max(1, index.liveCount);
    const avgTitle = index.totalTitleLen / live || 1;
    const avgBody = index.totalBodyLen / live || 1;
    const invTitle = new Float32Array(n);
    const invBody = new Float32Array(n);
    for (let s = 0; s < n; s++) {
      const d = index.slots[s];
      if (!d) continue;
      invTitle[s] = 1 / (1 - titleB + (titleB * d.lenTitle) / avgTitle);
      invBody[s] = 1 / (1 - b + (b * d.lenBody) / avgBody);
    }
    return { invTitle, invBody };
  });
}

/** Scratch accumulator reused across queries (search is synchronous, so one per index is enough). */
function scratch(index: RetrievalIndex): Float64Array {
  return cached(index, 'bm25-scratch', () => new Float64Array(index.slots.length));
}

export interface ScoreResult {
  /** score per slot (only `touched` slots are non-zero); valid until the next scoring call on this index */
  scores: Float64Array;
  touched: number[];
}

/** BM25F scores of every document matching at least one query term. */
export function scoreBm25(index: RetrievalIndex, query: WeightedQuery): ScoreResult {
  const { k1, titleWeight } = index.options;
  const { invTitle, invBody } = lengthNorms(index);
  const acc = scratch(index);
  const touched: number[] = [];
  const n = index.liveCount;
  const k1p1 = k1 + 1;
  for (const [id, qw] of query) {
    const p = index.postings[id];
    if (!p || p.length === 0 || qw === 0) continue;
    const w = qw * bm25Idf(n, p.length) * k1p1;
    const { slots, tfs } = p;
    for (let j = 0; j < p.length; j++) {
      const slot = slots[j]!;
      const packed = tfs[j]!;
      const tf = titleWeight * (packed >>> 12) * invTitle[slot]! + (packed & 0xfff) * invBody[slot]!;
      if (tf === 0) continue;
      if (acc[slot] === 0) touched.push(slot);
      acc[slot]! += (w * tf) / (k1 + tf);
    }
  }
  return { scores: acc, touched };
}

/** Best `k` scored slots that pass `accept` (the scores stay readable until releaseScores). */
export function takeTop(result: ScoreResult, k: number, accept?: (slot: number) => boolean): Scored[] {
  const top = new TopK(k);
  const { scores, touched } = result;
  for (const slot of touched) {
    const s = scores[slot]!;
    if (s >= top.floor && (!accept || accept(slot))) top.push(slot, s);
  }
  return top.sorted();
}

/** Clears the shared accumulator; call once done with a ScoreResult, before the next scoring call. */
export function releaseScores(result: ScoreResult): void {
  for (const slot of result.touched) result.scores[slot] = 0;
  result.touched.length = 0;
}
