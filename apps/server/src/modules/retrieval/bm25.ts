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
  invTitle: Float64Array;
  invBody: Float64Array;
}

/** 1 / B_f(d) per slot, recomputed when the index changes (average lengths move with every add/remove). */
function lengthNorms(index: RetrievalIndex): LengthNorms {
  return cached(index, 'bm25-norms', () => {
    const { b, titleB } = index.options;
    const n = index.slots.length;
    const live = Math.max(1, index.liveCount);
    const avgTitle = index.totalTitleLen / live || 1;
    const avgBody = index.totalBodyLen / live || 1;
    const invTitle = new Float64Array(n);
    const invBody = new Float64Array(n);
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
  /**
   * Dense score per slot (0 = no query term matched). Shared scratch memory: valid until the next scoring call
   * on this index.
   */
  scores: Float64Array;
}

/** BM25F scores of every document for a weighted query (dense accumulation: no per-hit bookkeeping). */
export function scoreBm25(index: RetrievalIndex, query: WeightedQuery): ScoreResult {
  const { k1, titleWeight } = index.options;
  const { invTitle, invBody } = lengthNorms(index);
  const acc = scratch(index);
  acc.fill(0);
  const n = index.liveCount;
  const k1p1 = k1 + 1;
  for (const [id, qw] of query) {
    const p = index.postings[id];
    if (!p || p.length === 0 || qw <= 0) continue;
    const w = qw * bm25Idf(n, p.length) * k1p1;
    const { slots, tfs } = p;
    for (let j = 0; j < p.length; j++) {
      const slot = slots[j]!;
      const packed = tfs[j]!;
      const tf = titleWeight * (packed >>> 12) * invTitle[slot]! + (packed & 0xfff) * invBody[slot]!;
      if (tf > 0) acc[slot]! += (w * tf) / (k1 + tf);
    }
  }
  return { scores: acc };
}

/** Best `k` scored slots (score > 0) that pass `accept`, best first. */
export function takeTop(result: ScoreResult, k: number, accept?: (slot: number) => boolean): Scored[] {
  const top = new TopK(k);
  const { scores } = result;
  let floor = 0;
  for (let slot = 0; slot < scores.length; slot++) {
    const s = scores[slot]!;
    if (s <= 0 || s < floor || (accept && !accept(slot))) continue;
    top.push(slot, s);
    floor = Math.max(top.floor, 0);
  }
  return top.sorted();
}
