// Offline query expansion: RM3 pseudo-relevance feedback (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004) and
// nearest words in the embedding space, restricted to words that occur in the index.
import { bm25Idf, type WeightedQuery } from './bm25.ts';
import { loadWordVectors, lookupWord } from './embedder.ts';
import { analyzeItem, cached, type RetrievalIndex } from './index-store.ts';
import { stem, ENGLISH_STOP_WORDS } from './text.ts';
import type { Scored } from './topk.ts';

export interface Rm3Options {
  /** feedback documents (default 10) */
  fbDocs: number;
  /** expansion terms kept from the feedback model (default 20) */
  fbTerms: number;
  /** weight of the original query in the interpolation, in [0, 1] (the feedback model gets 1 − this) */
  originalWeight: number;
  /** feedback terms must occur in at least this many documents (default 2: a term of one document says little) */
  minDf: number;
  /** exponent of idf multiplied into a term's feedback weight when choosing terms (0 = plain RM3) */
  idfPower: number;
  /** leave the original query terms out of the feedback model (their weights stay as the user gave them) */
  excludeQueryTerms: boolean;
}

export interface FeedbackModel {
  /** term id → P(w | R), over the selected terms, summing to 1 */
  terms: Map<number, number>;
  /** KL divergence (nats) of the selected feedback model from the collection model: the "clarity" of the query */
  clarity: number;
}

/** Term counts of a document, re-analysed from its text (the index keeps no forward index). */
function docTermCounts(index: RetrievalIndex, slot: number): { counts: Map<number, number>; length: number } {
  const doc = index.slots[slot]!;
  const analyzed = analyzeItem(doc.item, index.options.defaultLanguage);
  const counts = new Map<number, number>();
  let length = 0;
  for (const terms of [analyzed.titleTerms, analyzed.bodyTerms]) {
    for (const t of terms) {
      const id = index.termIds.get(t);
      if (id === undefined) continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      length++;
    }
  }
  return { counts, length };
}

/** Collection term counts per id (for clarity); computed once per index version. */
function collectionLength(index: RetrievalIndex): number {
  return cached(index, 'collection-length', () => index.totalTitleLen + index.totalBodyLen || 1);
}

/**
 * RM1 feedback model from the top documents: P(w|R) ∝ Σ_D P(D|Q) · P(w|D), with P(D|Q) ∝ the first-pass score
 * and P(w|D) = tf / |D|; the `fbTerms` best terms (optionally weighted by idf^idfPower) are kept and renormalised.
 */
export function feedbackModel(
  index: RetrievalIndex,
  top: Scored[],
  opts: Rm3Options,
  queryTerms?: Set<number>,
): FeedbackModel {
  const docs = top.slice(0, opts.fbDocs).filter((d) => d.score > 0);
  const empty = { terms: new Map<number, number>(), clarity: 0 };
  if (docs.length === 0) return empty;
  const total = docs.reduce((s, d) => s + d.score, 0);
  const model = new Map<number, number>();
  for (const d of docs) {
    const { counts, length } = docTermCounts(index, d.slot);
    if (length === 0) continue;
    const w = d.score / total / length;
    for (const [id, tf] of counts) model.set(id, (model.get(id) ?? 0) + w * tf);
  }
  const n = index.liveCount;
  const ranked: [number, number, number][] = [];
  for (const [id, p] of model) {
    const df = index.postings[id]!.length;
    if (df < opts.minDf) continue;
    if (opts.excludeQueryTerms && queryTerms?.has(id)) continue;
    const sel = opts.idfPower ? p * bm25Idf(n, df) ** opts.idfPower : p;
    ranked.push([id, p, sel]);
  }
  ranked.sort((a, b) => b[2] - a[2] || a[0] - b[0]);
  const kept = ranked.slice(0, opts.fbTerms);
  const mass = kept.reduce((s, [, p]) => s + p, 0);
  if (mass <= 0) return empty;
  const terms = new Map<number, number>();
  const collLen = collectionLength(index);
  let clarity = 0;
  for (const [id, p] of kept) {
    const pr = p / mass;
    terms.set(id, pr);
    // Collection probability from postings: Σ tf over the postings of the term (title + body).
    const pc = collectionFrequency(index, id) / collLen;
    clarity += pr * Math.log(pr / pc);
  }
  return { terms, clarity };
}

function collectionFrequency(index: RetrievalIndex, id: number): number {
  const cf = cached(index, 'collection-frequency', () => new Map<number, number>());
  let v = cf.get(id);
  if (v === undefined) {
    const p = index.postings[id]!;
    v = 0;
    for (let j = 0; j < p.length; j++) v += (p.tfs[j]! >>> 12) + (p.tfs[j]! & 0xfff);
    cf.set(id, v);
  }
  return v || 1;
}

/** (1 − λ) · q(w) + λ · P(w|R), both normalised to sum 1. */
export function interpolate(
  original: WeightedQuery,
  feedback: Map<number, number>,
  lambda: number,
): WeightedQuery {
  const out: WeightedQuery = new Map();
  const qsum = [...original.values()].reduce((s, v) => s + v, 0) || 1;
  for (const [id, w] of original) out.set(id, (1 - lambda) * (w / qsum));
  if (lambda > 0) for (const [id, p] of feedback) out.set(id, (out.get(id) ?? 0) + lambda * p);
  return out;
}

interface ExpansionMatrix {
  /** normalised vectors of the index's words that have one, row-major */
  vectors: Float32Array;
  /** term id (stem in the index) of each row */
  termIds: Int32Array;
  words: string[];
  rows: number;
}

/** Vectors of the index's own English words (≥ minCount occurrences), so neighbours are always searchable. */
function expansionMatrix(index: RetrievalIndex, minCount: number): ExpansionMatrix {
  return cached(index, `expansion-matrix-${minCount}`, () => {
    const t = loadWordVectors();
    const dims = t.dims;
    const seen = new Set<number>();
    const rowsOf: number[] = [];
    const termIds: number[] = [];
    const words: string[] = [];
    for (const [word, count] of index.surfaces) {
      if (count < minCount || ENGLISH_STOP_WORDS.has(word)) continue;
      const row = t.index.get(word);
      if (row === undefined || seen.has(row)) continue;
      const id = index.termIds.get(stem(word, 'en'));
      if (id === undefined) continue;
      seen.add(row);
      rowsOf.push(row);
      termIds.push(id);
      words.push(word);
    }
    const vectors = new Float32Array(rowsOf.length * dims);
    rowsOf.forEach((row, r) => {
      const inv = t.invNorms[row]!;
      for (let d = 0; d < dims; d++) vectors[r * dims + d] = t.vectors[row * dims + d]! * inv;
    });
    return { vectors, termIds: Int32Array.from(termIds), words, rows: rowsOf.length };
  });
}

export interface EmbeddingExpansionOptions {
  /** neighbours considered per query word (default 5) */
  perWord: number;
  /** minimum cosine similarity of a neighbour (default 0.6) */
  minSimilarity: number;
  /** corpus occurrences a neighbour word needs (default 2) */
  minCount: number;
}

export interface Neighbour {
  termId: number;
  word: string;
  similarity: number;
  /** the query word it is a neighbour of */
  of: string;
}

/**
 * Nearest index words (by word-vector cosine) of each query word, excluding words whose stem is already in the
 * query. Returns at most `perWord` neighbours per query word, best first.
 */
export function embeddingNeighbours(
  index: RetrievalIndex,
  queryWords: string[],
  queryTermIds: Set<number>,
  opts: EmbeddingExpansionOptions,
): Neighbour[] {
  const t = loadWordVectors();
  const m = expansionMatrix(index, opts.minCount);
  if (m.rows === 0) return [];
  const dims = t.dims;
  const out: Neighbour[] = [];
  const q = new Float32Array(dims);
  for (const word of new Set(queryWords)) {
    const row = lookupWord(word);
    if (row === undefined) continue;
    const inv = t.invNorms[row]!;
    for (let d = 0; d < dims; d++) q[d] = t.vectors[row * dims + d]! * inv;
    const found: Neighbour[] = [];
    for (let r = 0; r < m.rows; r++) {
      let dot = 0;
      for (let d = 0, base = r * dims; d < dims; d++) dot += q[d]! * m.vectors[base + d]!;
      if (dot < opts.minSimilarity) continue;
      const id = m.termIds[r]!;
      if (queryTermIds.has(id)) continue;
      found.push({ termId: id, word: m.words[r]!, similarity: dot, of: word });
    }
    found.sort((a, b) => b.similarity - a.similarity);
    const perTerm = new Set<number>();
    for (const f of found) {
      if (perTerm.has(f.termId)) continue;
      perTerm.add(f.termId);
      out.push(f);
      if (perTerm.size >= opts.perWord) break;
    }
  }
  return out;
}
