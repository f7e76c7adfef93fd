// Offline query expansion: RM3 pseudo-relevance feedback (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004) made
// safer in three ways that were each measured (bench/retrieval, README there):
//  1. P(D|Q) ∝ (score / top score)^docPower — a softmax-like prior that trusts the best first-pass documents more
//     than a score-proportional one (scale-free: only score ratios matter);
//  2. candidate terms are weighted by their word-vector similarity to the nearest query term (nearest words in the
//     embedding space, restricted to words the feedback documents actually use), which cuts topic drift;
//  3. the feedback weight adapts per query to how completely the feedback documents cover the query
//     (idf-weighted share of query terms they contain): feedback drawn from documents that match one query word
//     out of five is damped, feedback from documents that match the whole query is trusted.
// Standalone nearest-word expansion (embeddingNeighbours) is here too, but off in search by default: on its own it
// helped CISI and hurt Cranfield and the known-item check.
import { bm25Idf, type WeightedQuery } from './bm25.ts';
import { loadWordVectors, lookupWord } from './embedder.ts';
import { cached, forEachToken, lowerBound, type RetrievalIndex } from './index-store.ts';
import type { Scored } from './topk.ts';

export interface Rm3Options {
  /** feedback documents (default 10) */
  fbDocs: number;
  /** expansion terms kept from the feedback model (default 20) */
  fbTerms: number;
  /** weight of the original query when feedback is fully trusted, in [0, 1] (default 0.5) */
  originalWeight: number;
  /** feedback terms must occur in at least this many documents (default 2) */
  minDf: number;
  /** P(D|Q) ∝ (score / top score)^docPower (default 4; 1 = plain score-proportional RM3) */
  docPower: number;
  /** exponent of the word-vector agreement factor max(0, cos(term, nearest query term)) (default 1; 0 = off) */
  semanticPower: number;
  /** factor for terms without a vector (non-English, out of vocabulary) (default 0.5) */
  oovFactor: number;
}

/** Word vector of each index term (stem): count-weighted mean of its surface forms' unit vectors. */
export function termVectors(index: RetrievalIndex): Map<number, Float32Array> {
  return cached(index, 'term-vectors', () => {
    const t = loadWordVectors();
    const out = new Map<number, Float32Array>();
    for (const [word, info] of index.tokens.en) {
      const { count, id } = info;
      if (count <= 0 || id < 0) continue;
      // The word's own vector (not a stem fallback): surface forms carry the meaning.
      const row = t.index.get(word);
      if (row === undefined) continue;
      let v = out.get(id);
      if (!v) out.set(id, (v = new Float32Array(t.dims)));
      const w = count * t.invNorms[row]!;
      for (let d = 0; d < t.dims; d++) v[d]! += w * t.vectors[row * t.dims + d]!;
    }
    for (const v of out.values()) {
      let n = 0;
      for (let d = 0; d < v.length; d++) n += v[d]! * v[d]!;
      n = Math.sqrt(n) || 1;
      for (let d = 0; d < v.length; d++) v[d]! /= n;
    }
    return out;
  });
}

function semanticFactor(v: Float32Array | undefined, queryVectors: Float32Array[], opts: Rm3Options): number {
  if (!v || queryVectors.length === 0) return opts.oovFactor;
  let best = 0;
  for (const q of queryVectors) {
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d]! * q[d]!;
    if (dot > best) best = dot;
  }
  return best ** opts.semanticPower;
}

/** Term counts of a document, re-analysed from its text (the index keeps no forward index). */
function docTermCounts(index: RetrievalIndex, slot: number): { counts: Map<number, number>; length: number } {
  const doc = index.slots[slot]!;
  const counts = new Map<number, number>();
  let length = 0;
  forEachToken(index, doc.item, doc.language, ({ id }) => {
    if (id < 0) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    length++;
  });
  return { counts, length };
}

/**
 * Feedback model P(w|R) ∝ Σ_D P(D|Q) · P(w|D) · agreement(w) over the top documents, P(w|D) = tf / |D|; the
 * `fbTerms` best terms are kept and renormalised to sum 1. Empty when there is nothing to learn from.
 */
export function feedbackModel(
  index: RetrievalIndex,
  top: Scored[],
  queryTerms: Set<number>,
  opts: Rm3Options,
): Map<number, number> {
  const docs = top.slice(0, opts.fbDocs).filter((d) => d.score > 0);
  const terms = new Map<number, number>();
  if (docs.length === 0) return terms;
  const top1 = docs[0]!.score;
  const prior = docs.map((d) => (d.score / top1) ** opts.docPower);
  const total = prior.reduce((s, x) => s + x, 0);
  const model = new Map<number, number>();
  docs.forEach((d, k) => {
    const { counts, length } = docTermCounts(index, d.slot);
    if (length === 0) return;
    const w = prior[k]! / total / length;
    for (const [id, tf] of counts) model.set(id, (model.get(id) ?? 0) + w * tf);
  });
  const vectors = opts.semanticPower > 0 ? termVectors(index) : undefined;
  const queryVectors = vectors ? [...queryTerms].flatMap((id) => vectors.get(id) ?? []) : [];
  const ranked: [number, number][] = [];
  for (const [id, p] of model) {
    if (index.postings[id]!.length < opts.minDf) continue;
    // Query terms keep their feedback mass: RM3's re-weighting of the user's own words is part of its benefit.
    const w = vectors && !queryTerms.has(id) ? p * semanticFactor(vectors.get(id), queryVectors, opts) : p;
    if (w > 0) ranked.push([id, w]);
  }
  ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const kept = ranked.slice(0, opts.fbTerms);
  const mass = kept.reduce((s, [, p]) => s + p, 0);
  for (const [id, p] of kept) terms.set(id, p / mass);
  return terms;
}

function containsSlot(a: Int32Array, n: number, x: number): boolean {
  const i = lowerBound(a, n, x);
  return i < n && a[i] === x;
}

/**
 * Query coverage of the feedback documents in [0, 1]: the idf-weighted share of the query's terms each document
 * contains, averaged over the documents. Scale-free, so the same setting means the same thing on any corpus.
 */
export function feedbackCoverage(index: RetrievalIndex, query: WeightedQuery, docs: Scored[]): number {
  if (docs.length === 0) return 0;
  const n = index.liveCount;
  const weights: [Int32Array, number, number][] = [];
  let total = 0;
  for (const [id, w] of query) {
    const p = index.postings[id]!;
    const v = w * bm25Idf(n, p.length);
    weights.push([p.slots, p.length, v]);
    total += v;
  }
  if (total <= 0) return 0;
  let sum = 0;
  for (const d of docs) {
    let covered = 0;
    for (const [slots, length, v] of weights) if (containsSlot(slots, length, d.slot)) covered += v;
    sum += covered / total;
  }
  return sum / docs.length;
}

/** (1 − λ) · q(w) + λ · P(w|R), with q normalised to sum 1. */
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
  /** unit vectors of the index's words that have one, row-major */
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
    for (const [word, { count, id }] of index.tokens.en) {
      if (count < minCount || id < 0) continue;
      const row = t.index.get(word);
      if (row === undefined || seen.has(row)) continue;
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
  /** neighbours kept per query word (default 3) */
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
 * Nearest index words (word-vector cosine) of each query word, excluding words whose stem is already in the
 * query: at most `perWord` per query word, best first.
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
      if (!queryTermIds.has(id)) found.push({ termId: id, word: m.words[r]!, similarity: dot, of: word });
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
