// Retrieval engine: keyword (BM25F + adaptive RM3 + embedding-neighbour expansion), semantic (SIF cosine) and
// hybrid (guarded score fusion) search over an in-memory index. The API (index cached per chatbot, fed chunk
// records from Postgres) and the `kawan eval retrieval` CLI call these same functions.
import { releaseScores, scoreBm25, takeTop, type WeightedQuery } from './bm25.ts';
import { EMBEDDING_DIMS, embedText } from './embedder.ts';
import {
  embeddingNeighbours,
  feedbackModel,
  interpolate,
  type EmbeddingExpansionOptions,
  type Rm3Options,
} from './feedback.ts';
import { fuseScores, type FusionOptions } from './fusion.ts';
import { analyzeItem, indexLanguages, type RetrievalIndex, type RetrievalItem } from './index-store.ts';
import { proximityScores, type ProximityOptions } from './proximity.ts';
import { analyzeQuery } from './text.ts';
import { TopK, type Scored } from './topk.ts';

export {
  addToIndex,
  buildIndex,
  createIndex,
  removeFromIndex,
  type IndexOptions,
  type RetrievalIndex,
  type RetrievalItem,
} from './index-store.ts';

export type SearchMode = 'keyword' | 'semantic' | 'hybrid';

export interface SearchTuning {
  rm3: Rm3Options & {
    enabled: boolean;
    /**
     * How the feedback weight (1 − originalWeight at most) adapts per query:
     * 'fixed' — always the maximum; 'coverage' — scaled by how completely the feedback documents match the query
     * (idf-weighted share of query terms they contain), so feedback from a set of documents that only touch one
     * query word is damped.
     */
    adapt: 'fixed' | 'coverage' | 'length' | 'length-coverage';
    /** Dirichlet prior of the 'length' adaptation: λ = (1 − originalWeight) · μ / (|q| + μ) */
    mu: number;
    /** exponent applied to the coverage (≥ 1 damps partial matches harder) */
    coveragePower: number;
  };
  neighbours: EmbeddingExpansionOptions & {
    enabled: boolean;
    /** weight of a neighbour relative to its query word's weight, times its similarity */
    weight: number;
  };
  proximity: ProximityOptions;
  fusion: FusionOptions & {
    /** lexical candidates fused (default 100) */
    depth: number;
    /** vector-only candidates added to the pool (default 20) */
    vectorDepth: number;
  };
}

export const DEFAULT_TUNING: SearchTuning = {
  rm3: {
    enabled: true,
    fbDocs: 10,
    fbTerms: 20,
    originalWeight: 0.5,
    minDf: 2,
    idfPower: 0,
    excludeQueryTerms: false,
    adapt: 'fixed',
    coveragePower: 1,
    mu: 10,
  },
  proximity: { enabled: true, depth: 50, window: 5, weight: 1 },
  neighbours: { enabled: false, perWord: 3, minSimilarity: 0.6, minCount: 2, weight: 0.3 },
  fusion: {
    method: 'zscore',
    vectorWeight: 0.3,
    rrfK: 60,
    agreement: true,
    depth: 100,
    vectorDepth: 20,
  },
};

export interface SearchOptions {
  mode?: SearchMode;
  /** hits returned (default 10) */
  topK?: number;
  /** offline query expansion (RM3 feedback + embedding neighbours); default true */
  expand?: boolean;
  filter?: (item: RetrievalItem) => boolean;
  /** advanced: override parts of the tuned defaults (benchmarks, experiments) */
  tuning?: DeepPartial<SearchTuning>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

export interface SearchHit {
  id: string;
  docId: string;
  score: number;
  scores: { bm25?: number; vector?: number; fused: number };
  /** words of this chunk that match the (unexpanded) query, as they appear in the text: for highlighting */
  matchedTerms: string[];
  item: RetrievalItem;
}

export interface QueryExpansion {
  /** index terms of the query after analysis (stems) */
  terms: string[];
  /** added terms with their weight in the final query (stems) */
  expansion: { term: string; weight: number; source: 'feedback' | 'neighbour' }[];
  /** share of the final query given to feedback terms (0 when feedback was skipped) */
  feedbackWeight: number;
}

export interface SearchResult {
  hits: SearchHit[];
  query: QueryExpansion;
}

function resolveTuning(t?: DeepPartial<SearchTuning>): SearchTuning {
  return {
    rm3: { ...DEFAULT_TUNING.rm3, ...t?.rm3 },
    neighbours: { ...DEFAULT_TUNING.neighbours, ...t?.neighbours },
    proximity: { ...DEFAULT_TUNING.proximity, ...t?.proximity },
    fusion: { ...DEFAULT_TUNING.fusion, ...t?.fusion },
  };
}

interface LexicalResult {
  ranked: Scored[];
  /** slot → final lexical score for every matching document (pool lookups) */
  scoreOf: (slot: number) => number;
  originalTerms: Set<number>;
  expansion: QueryExpansion;
}

function originalQuery(
  index: RetrievalIndex,
  text: string,
): { query: WeightedQuery; words: string[]; pairs: [number, number][] } {
  const query: WeightedQuery = new Map();
  const words: string[] = [];
  const sequence: number[] = [];
  for (const tok of analyzeQuery(text, indexLanguages(index))) {
    words.push(tok.token);
    let first: number | undefined;
    for (const s of tok.stems) {
      const id = index.termIds.get(s);
      if (id === undefined) continue;
      query.set(id, (query.get(id) ?? 0) + 1);
      first ??= id;
    }
    if (first !== undefined) sequence.push(first);
  }
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  for (let i = 1; i < sequence.length; i++) {
    const a = sequence[i - 1]!;
    const b = sequence[i]!;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (a === b || seen.has(key)) continue;
    seen.add(key);
    pairs.push([a, b]);
  }
  return { query, words, pairs };
}

/** idf-weighted share of the query's terms that a document contains, averaged over the feedback documents. */
function feedbackCoverage(index: RetrievalIndex, query: WeightedQuery, docs: Scored[]): number {
  if (docs.length === 0) return 0;
  const n = index.liveCount;
  let total = 0;
  const weights = new Map<number, number>();
  for (const [id, w] of query) {
    const df = index.postings[id]!.length;
    const v = w * Math.log(1 + (n - df + 0.5) / (df + 0.5));
    weights.set(id, v);
    total += v;
  }
  if (total <= 0) return 0;
  let sum = 0;
  for (const d of docs) {
    let covered = 0;
    for (const [id, v] of weights) {
      const p = index.postings[id]!;
      if (containsSlot(p.slots, p.length, d.slot)) covered += v;
    }
    sum += covered / total;
  }
  return sum / docs.length;
}

function containsSlot(a: Int32Array, n: number, x: number): boolean {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && a[lo] === x;
}

function lexicalSearch(
  index: RetrievalIndex,
  text: string,
  depth: number,
  expand: boolean,
  accept: ((slot: number) => boolean) | undefined,
  t: SearchTuning,
): LexicalResult {
  const { query: q0, words, pairs } = originalQuery(index, text);
  const originalTerms = new Set(q0.keys());
  const expansion: QueryExpansion = {
    terms: [...q0.keys()].map((id) => index.terms[id]!),
    expansion: [],
    feedbackWeight: 0,
  };
  let query = q0;
  if (expand && q0.size > 0) {
    const base: WeightedQuery = new Map(q0);
    if (t.neighbours.enabled) {
      const qsum = [...q0.values()].reduce((s, v) => s + v, 0);
      for (const nb of embeddingNeighbours(index, words, originalTerms, t.neighbours)) {
        const ofWeight = q0.get(index.termIds.get(nb.of) ?? -1) ?? qsum / Math.max(1, words.length);
        const w = t.neighbours.weight * nb.similarity * ofWeight;
        if (w > (base.get(nb.termId) ?? 0)) base.set(nb.termId, w);
        expansion.expansion.push({ term: index.terms[nb.termId]!, weight: w, source: 'neighbour' });
      }
    }
    if (t.rm3.enabled) {
      const first = scoreBm25(index, base);
      const fbDocs = takeTop(first, t.rm3.fbDocs, accept);
      releaseScores(first);
      const fb = feedbackModel(index, fbDocs, t.rm3, originalTerms);
      let lambda = 1 - t.rm3.originalWeight;
      if (t.rm3.adapt === 'coverage' || t.rm3.adapt === 'length-coverage') {
        lambda *= feedbackCoverage(index, q0, fbDocs) ** t.rm3.coveragePower;
      }
      if (t.rm3.adapt === 'length' || t.rm3.adapt === 'length-coverage') {
        const qlen = [...q0.values()].reduce((a, b) => a + b, 0);
        lambda = (lambda * t.rm3.mu) / (qlen + t.rm3.mu) / (1 - t.rm3.originalWeight || 1);
      }
      if (fb.terms.size > 0 && lambda > 0) {
        query = interpolate(base, fb.terms, lambda);
        expansion.feedbackWeight = lambda;
        for (const [id, p] of fb.terms) {
          if (!base.has(id))
            expansion.expansion.push({ term: index.terms[id]!, weight: lambda * p, source: 'feedback' });
        }
      } else {
        query = base;
      }
    } else {
      query = base;
    }
  }
  const result = scoreBm25(index, query);
  const proximity = t.proximity.enabled && pairs.length > 0;
  let ranked = takeTop(result, proximity ? Math.max(depth, t.proximity.depth) : depth, accept);
  const lookup = new Map<number, number>();
  for (const slot of result.touched) lookup.set(slot, result.scores[slot]!);
  releaseScores(result);
  if (proximity) {
    const head = ranked.slice(0, t.proximity.depth);
    const weights = new Map([...originalTerms].map((id) => [id, query.get(id) ?? 0]));
    const bonus = proximityScores(index, head.map((h) => h.slot), pairs, weights, t.proximity);
    // Re-scored candidates must stay above the un-scored tail: the bonus only reorders within the head.
    for (const h of head) h.score += bonus.get(h.slot) ?? 0;
    head.sort((a, b) => b.score - a.score || a.slot - b.slot);
    const tailTop = ranked[t.proximity.depth]?.score ?? -Infinity;
    const floor = head[head.length - 1]?.score ?? 0;
    const shift = tailTop > floor ? tailTop - floor : 0;
    for (const h of head) {
      h.score += shift;
      lookup.set(h.slot, h.score);
    }
    ranked = [...head, ...ranked.slice(t.proximity.depth)].slice(0, depth);
  }
  return { ranked, scoreOf: (slot) => lookup.get(slot) ?? 0, originalTerms, expansion };
}

function vectorScore(index: RetrievalIndex, qv: Float32Array, slot: number): number {
  const base = slot * EMBEDDING_DIMS;
  if (base >= index.vectors.length) return 0;
  let dot = 0;
  for (let d = 0; d < EMBEDDING_DIMS; d++) dot += qv[d]! * index.vectors[base + d]!;
  return dot;
}

function vectorSearch(
  index: RetrievalIndex,
  qv: Float32Array,
  k: number,
  accept: ((slot: number) => boolean) | undefined,
): Scored[] {
  const top = new TopK(k);
  const v = index.vectors;
  const dims = EMBEDDING_DIMS;
  for (let slot = 0; slot < index.slots.length; slot++) {
    const doc = index.slots[slot];
    if (!doc?.hasVector) continue;
    let dot = 0;
    for (let d = 0, base = slot * dims; d < dims; d++) dot += qv[d]! * v[base + d]!;
    if (dot >= top.floor && (!accept || accept(slot))) top.push(slot, dot);
  }
  return top.sorted();
}

function matchedTerms(index: RetrievalIndex, slot: number, originalTerms: Set<number>): string[] {
  const doc = index.slots[slot]!;
  const analyzed = analyzeItem(doc.item, index.options.defaultLanguage);
  const out = new Set<string>();
  const check = (tokens: string[], terms: string[]) => {
    // analyzeItem drops stop words, so tokens and terms are not aligned: re-stem the tokens instead.
    void terms;
    for (const tok of tokens) {
      const id = index.termIds.get(stemOf(tok, doc.language));
      if (id !== undefined && originalTerms.has(id)) out.add(tok);
    }
  };
  check(analyzed.tokens, []);
  return [...out];
}

import { isStopWord, stem as stemToken, type Language } from './text.ts';
function stemOf(token: string, language: Language): string {
  return isStopWord(token, language) ? '' : stemToken(token, language);
}

function toHit(
  index: RetrievalIndex,
  slot: number,
  score: number,
  scores: SearchHit['scores'],
  originalTerms: Set<number>,
): SearchHit {
  const item = index.slots[slot]!.item;
  return {
    id: item.id,
    docId: item.docId,
    score,
    scores,
    matchedTerms: originalTerms.size ? matchedTerms(index, slot, originalTerms) : [],
    item,
  };
}

/** Search with the details of the query processing (expansion terms, feedback weight). */
export function searchWithDetails(
  index: RetrievalIndex,
  query: string,
  opts: SearchOptions = {},
): SearchResult {
  const t = resolveTuning(opts.tuning);
  const mode = opts.mode ?? 'hybrid';
  const topK = Math.max(0, opts.topK ?? 10);
  const expand = opts.expand ?? true;
  let accept: ((slot: number) => boolean) | undefined;
  if (opts.filter) {
    const filter = opts.filter;
    const memo = new Map<number, boolean>();
    accept = (slot) => {
      let ok = memo.get(slot);
      if (ok === undefined) memo.set(slot, (ok = filter(index.slots[slot]!.item)));
      return ok;
    };
  }
  const emptyExpansion: QueryExpansion = { terms: [], expansion: [], feedbackWeight: 0 };
  if (topK === 0 || index.liveCount === 0 || !query.trim()) return { hits: [], query: emptyExpansion };

  const qv = mode === 'keyword' || !index.options.vectors ? null : embedText(query);
  const hasQueryVector = qv !== null && qv.some((x) => x !== 0);

  if (mode === 'semantic' && hasQueryVector) {
    const { originalTerms, expansion } = {
      originalTerms: originalQuery(index, query).query,
      expansion: emptyExpansion,
    };
    const terms = new Set(originalTerms.keys());
    const hits = vectorSearch(index, qv!, topK, accept).map((s) =>
      toHit(index, s.slot, s.score, { vector: s.score, fused: s.score }, terms),
    );
    return { hits, query: { ...expansion, terms: [...terms].map((id) => index.terms[id]!) } };
  }

  // Keyword mode, hybrid, and semantic search for a query the embedder cannot represent (e.g. Indonesian).
  const depth = mode === 'hybrid' && hasQueryVector ? Math.max(topK, t.fusion.depth) : topK;
  const lex = lexicalSearch(index, query, depth, expand, accept, t);
  if (mode !== 'hybrid' || !hasQueryVector) {
    const hits = lex.ranked.map((s) =>
      toHit(index, s.slot, s.score, { bm25: s.score, fused: s.score }, lex.originalTerms),
    );
    return { hits, query: lex.expansion };
  }

  const pool = new Map<number, { lexical: number; vector: number }>();
  for (const s of lex.ranked) pool.set(s.slot, { lexical: s.score, vector: vectorScore(index, qv!, s.slot) });
  if (t.fusion.vectorDepth > 0) {
    for (const s of vectorSearch(index, qv!, t.fusion.vectorDepth, accept)) {
      if (!pool.has(s.slot)) pool.set(s.slot, { lexical: lex.scoreOf(s.slot), vector: s.score });
    }
  }
  const fused = fuseScores(
    [...pool].map(([slot, v]) => ({ slot, ...v })),
    t.fusion,
  ).slice(0, topK);
  const hits = fused.map((f) =>
    toHit(index, f.slot, f.score, { bm25: f.lexical, vector: f.vector, fused: f.score }, lex.originalTerms),
  );
  return { hits, query: lex.expansion };
}

/** Ranked hits for a query (see SearchOptions; defaults: hybrid, topK 10, expansion on). */
export function search(index: RetrievalIndex, query: string, opts: SearchOptions = {}): SearchHit[] {
  return searchWithDetails(index, query, opts).hits;
}
