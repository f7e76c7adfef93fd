// Retrieval engine: keyword (BM25F + adaptive RM3), semantic (SIF cosine) and hybrid (z-score fusion) search over
// an in-memory index. The API (index cached per chatbot, fed chunk records from Postgres) and the
// `kawan eval retrieval` CLI call these same functions; bench/retrieval measures them.
import { scoreBm25, takeTop, type WeightedQuery } from './bm25.ts';
import { embedText } from './embedder.ts';
import {
  embeddingNeighbours,
  feedbackCoverage,
  feedbackModel,
  interpolate,
  type EmbeddingExpansionOptions,
  type Rm3Options,
} from './feedback.ts';
import { fuseScores, type FusionOptions } from './fusion.ts';
import {
  cached,
  forEachToken,
  indexLanguages,
  type RetrievalIndex,
  type RetrievalItem,
} from './index-store.ts';
import { analyzeQuery, stem } from './text.ts';
import { TopK, type Scored } from './topk.ts';

export {
  addToIndex,
  buildIndex,
  createIndex,
  embedItem,
  indexLanguages,
  removeFromIndex,
  type IndexOptions,
  type RetrievalIndex,
  type RetrievalItem,
} from './index-store.ts';

export type SearchMode = 'keyword' | 'semantic' | 'hybrid';

export interface SearchTuning {
  rm3: Rm3Options & {
    enabled: boolean;
    /** 'coverage' (default): feedback weight × query coverage of the feedback documents; 'fixed': always full */
    adapt: 'fixed' | 'coverage';
  };
  neighbours: EmbeddingExpansionOptions & {
    /** add nearest words of the query words as extra query terms (default off: measured mixed, see feedback.ts) */
    enabled: boolean;
    /** a neighbour's weight = weight × similarity × its query word's weight */
    weight: number;
  };
  fusion: FusionOptions & {
    /** lexical candidates fused (default 100) */
    depth: number;
    /** best vector-only candidates added when the lexical pool is shallower than `depth` (default 20) */
    vectorDepth: number;
  };
}

export const DEFAULT_TUNING: SearchTuning = {
  rm3: {
    enabled: true,
    adapt: 'coverage',
    fbDocs: 10,
    fbTerms: 20,
    originalWeight: 0.5,
    minDf: 2,
    docPower: 4,
    semanticPower: 1,
    oovFactor: 0.5,
  },
  neighbours: { enabled: false, perWord: 3, minSimilarity: 0.7, minCount: 2, weight: 0.1 },
  fusion: { method: 'zscore', vectorWeight: 0.2, rrfK: 60, depth: 100, vectorDepth: 20 },
};

export interface SearchOptions {
  /** default 'hybrid'; semantic and hybrid fall back to keyword for a query without English word vectors */
  mode?: SearchMode;
  /** hits returned (default 10) */
  topK?: number;
  /** offline query expansion (adaptive RM3 feedback); default true */
  expand?: boolean;
  /** restricts hits and feedback documents (e.g. to some documents or tags) */
  filter?: (item: RetrievalItem) => boolean;
  /**
   * The query's vector from the index's own embedder (a provider's, for an index built with `externalDims`):
   * used when its length is the index's dimension. Without one, an external-vector index searches by keyword.
   */
  queryVector?: Float32Array;
  /** advanced: override parts of the defaults (benchmarks, experiments) */
  tuning?: { [K in keyof SearchTuning]?: Partial<SearchTuning[K]> };
}

export interface SearchHit {
  id: string;
  docId: string;
  score: number;
  scores: { bm25?: number; vector?: number; fused: number };
  /** words of this chunk (as written) that match the unexpanded query: for highlighting */
  matchedTerms: string[];
  item: RetrievalItem;
}

export interface QueryExpansion {
  /** the query's index terms (stems) */
  terms: string[];
  /** terms added by expansion, as a readable word, with their share of the final query */
  expansion: { term: string; word: string; weight: number; source: 'feedback' | 'neighbour' }[];
  /** share of the final query given to feedback (0 when feedback did not run or was damped to nothing) */
  feedbackWeight: number;
}

export interface SearchResult {
  hits: SearchHit[];
  query: QueryExpansion;
  /** the mode that actually ran (semantic/hybrid fall back to keyword without a query vector) */
  mode: SearchMode;
}

function resolveTuning(t: SearchOptions['tuning']): SearchTuning {
  return {
    rm3: { ...DEFAULT_TUNING.rm3, ...t?.rm3 },
    neighbours: { ...DEFAULT_TUNING.neighbours, ...t?.neighbours },
    fusion: { ...DEFAULT_TUNING.fusion, ...t?.fusion },
  };
}

/** The query as index term ids with their frequency, and its surface words. */
function analyzeSearchQuery(index: RetrievalIndex, text: string): { query: WeightedQuery; words: string[] } {
  const query: WeightedQuery = new Map();
  const words: string[] = [];
  for (const tok of analyzeQuery(text, indexLanguages(index))) {
    words.push(tok.token);
    for (const s of tok.stems) {
      const id = index.termIds.get(s);
      if (id !== undefined) query.set(id, (query.get(id) ?? 0) + 1);
    }
  }
  return { query, words };
}

/** Most frequent surface form of each English index term, for showing expansion terms to people. */
function displayWord(index: RetrievalIndex, id: number): string {
  const words = cached(index, 'display-words', () => {
    const best = new Map<number, [string, number]>();
    for (const [word, { id, count }] of index.tokens.en) {
      if (id < 0 || count <= 0) continue;
      const cur = best.get(id);
      if (!cur || count > cur[1]) best.set(id, [word, count]);
    }
    return best;
  });
  return words.get(id)?.[0] ?? index.terms[id]!;
}

interface ExpandedQuery {
  query: WeightedQuery;
  original: Set<number>;
  details: QueryExpansion;
}

/**
 * The weighted query search runs: the analysed query, plus (when `expand`) nearest-word neighbours and adaptive
 * RM3 feedback from a first BM25F pass. Also serves `POST …/query-expansion`.
 */
export function expandQuery(
  index: RetrievalIndex,
  text: string,
  expand = true,
  tuning?: SearchOptions['tuning'],
  accept?: (slot: number) => boolean,
): ExpandedQuery {
  const t = resolveTuning(tuning);
  const { query: q0, words } = analyzeSearchQuery(index, text);
  const original = new Set(q0.keys());
  const details: QueryExpansion = {
    terms: [...original].map((id) => index.terms[id]!),
    expansion: [],
    feedbackWeight: 0,
  };
  if (!expand || q0.size === 0) return { query: q0, original, details };
  const base: WeightedQuery = new Map(q0);
  if (t.neighbours.enabled) {
    for (const nb of embeddingNeighbours(index, words, original, t.neighbours)) {
      const ofWeight = q0.get(index.termIds.get(stem(nb.of, 'en')) ?? -1) ?? 1;
      const w = t.neighbours.weight * nb.similarity * ofWeight;
      if (w <= (base.get(nb.termId) ?? 0)) continue;
      base.set(nb.termId, w);
      details.expansion.push({
        term: index.terms[nb.termId]!,
        word: nb.word,
        weight: w,
        source: 'neighbour',
      });
    }
  }
  if (!t.rm3.enabled) return { query: base, original, details };
  const first = scoreBm25(index, base);
  const fbDocs = takeTop(first, t.rm3.fbDocs, accept);
  const fb = feedbackModel(index, fbDocs, original, t.rm3);
  let lambda = 1 - t.rm3.originalWeight;
  if (t.rm3.adapt === 'coverage') lambda *= feedbackCoverage(index, q0, fbDocs);
  if (fb.size === 0 || lambda <= 0) return { query: base, original, details };
  const query = interpolate(base, fb, lambda);
  const qsum = [...base.values()].reduce((s, v) => s + v, 0) || 1;
  for (const e of details.expansion) e.weight = ((1 - lambda) * e.weight) / qsum;
  details.feedbackWeight = lambda;
  for (const [id, p] of fb) {
    if (base.has(id)) continue;
    details.expansion.push({
      term: index.terms[id]!,
      word: displayWord(index, id),
      weight: lambda * p,
      source: 'feedback',
    });
  }
  return { query, original, details };
}

function vectorScore(index: RetrievalIndex, qv: Float32Array, slot: number): number {
  const v = index.vectors;
  const dims = index.options.dims;
  const base = slot * dims;
  let dot = 0;
  for (let d = 0; d < dims; d++) dot += qv[d]! * v[base + d]!;
  return dot;
}

/** Exhaustive cosine scan (vectors are unit length): one multiply-add per dimension and chunk. */
function vectorSearch(
  index: RetrievalIndex,
  qv: Float32Array,
  k: number,
  accept?: (slot: number) => boolean,
): Scored[] {
  const v = index.vectors;
  const has = index.hasVector;
  const n = index.slots.length;
  const dims = index.options.dims;
  const unrolled = dims - (dims % 4);
  const top = new TopK(k);
  let floor = -Infinity;
  for (let slot = 0, base = 0; slot < n; slot++, base += dims) {
    if (has[slot] === 0) continue;
    // Four partial sums: shorter dependency chains, ~2× faster than the plain loop in V8.
    let a = 0;
    let b = 0;
    let c = 0;
    let e = 0;
    for (let d = 0; d < unrolled; d += 4) {
      a += qv[d]! * v[base + d]!;
      b += qv[d + 1]! * v[base + d + 1]!;
      c += qv[d + 2]! * v[base + d + 2]!;
      e += qv[d + 3]! * v[base + d + 3]!;
    }
    for (let d = unrolled; d < dims; d++) a += qv[d]! * v[base + d]!;
    const dot = a + b + c + e;
    if (dot < floor || (accept && !accept(slot))) continue;
    top.push(slot, dot);
    floor = top.floor;
  }
  return top.sorted();
}

/** Surface words of a chunk whose index term is one of the query's terms. */
function matchedWords(index: RetrievalIndex, slot: number, terms: Set<number>): string[] {
  if (terms.size === 0) return [];
  const doc = index.slots[slot]!;
  const out = new Set<string>();
  forEachToken(index, doc.item, doc.language, ({ id }, _field, token) => {
    if (id >= 0 && terms.has(id)) out.add(token);
  });
  return [...out];
}

function toHit(
  index: RetrievalIndex,
  slot: number,
  scores: SearchHit['scores'],
  terms: Set<number>,
): SearchHit {
  const item = index.slots[slot]!.item;
  return {
    id: item.id,
    docId: item.docId,
    score: scores.fused,
    scores,
    matchedTerms: matchedWords(index, slot, terms),
    item,
  };
}

/** Search, with the details of the query processing (expansion terms, feedback weight, mode that ran). */
export function searchWithDetails(
  index: RetrievalIndex,
  query: string,
  opts: SearchOptions = {},
): SearchResult {
  const t = resolveTuning(opts.tuning);
  const topK = Math.max(0, Math.floor(opts.topK ?? 10));
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
  let mode = opts.mode ?? 'hybrid';
  const details: QueryExpansion = { terms: [], expansion: [], feedbackWeight: 0 };
  if (topK === 0 || index.liveCount === 0 || !query.trim()) return { hits: [], query: details, mode };

  let qv: Float32Array | undefined;
  if (mode !== 'keyword' && index.options.vectors) {
    const v =
      index.options.externalDims === undefined
        ? embedText(query)
        : opts.queryVector?.length === index.options.dims
          ? opts.queryVector
          : undefined;
    if (v?.some((x) => x !== 0)) qv = v;
  }
  // No English word vector for the query (Indonesian, codes, unknown words): lexical search is all there is.
  if (!qv) mode = 'keyword';

  if (mode === 'semantic') {
    const { query: q0 } = analyzeSearchQuery(index, query);
    const terms = new Set(q0.keys());
    const hits = vectorSearch(index, qv!, topK, accept).map((s) =>
      toHit(index, s.slot, { vector: s.score, fused: s.score }, terms),
    );
    return { hits, query: { ...details, terms: [...terms].map((id) => index.terms[id]!) }, mode };
  }

  const expanded = expandQuery(index, query, opts.expand ?? true, opts.tuning, accept);
  const result = scoreBm25(index, expanded.query);
  const depth = mode === 'hybrid' ? Math.max(topK, t.fusion.depth) : topK;
  const ranked = takeTop(result, depth, accept);
  if (mode === 'keyword') {
    const hits = ranked.map((s) =>
      toHit(index, s.slot, { bm25: s.score, fused: s.score }, expanded.original),
    );
    return { hits, query: expanded.details, mode };
  }

  const pool = new Map<number, { lexical: number; vector: number }>();
  for (const s of ranked) pool.set(s.slot, { lexical: s.score, vector: vectorScore(index, qv!, s.slot) });
  // Vector-only candidates matter when few chunks share a word with the query; a full scan is skipped otherwise
  // (it is the costliest step at 100k chunks, and adding its top 20 to a full lexical pool measured no gain).
  if (t.fusion.vectorDepth > 0 && ranked.length < t.fusion.depth) {
    for (const s of vectorSearch(index, qv!, t.fusion.vectorDepth, accept)) {
      if (!pool.has(s.slot)) pool.set(s.slot, { lexical: result.scores[s.slot] ?? 0, vector: s.score });
    }
  }
  const fused = fuseScores(
    [...pool].map(([slot, v]) => ({ slot, ...v })),
    t.fusion,
  ).slice(0, topK);
  const hits = fused.map((f) =>
    toHit(index, f.slot, { bm25: f.lexical, vector: f.vector, fused: f.score }, expanded.original),
  );
  return { hits, query: expanded.details, mode };
}

/** Ranked hits for a query (defaults: hybrid, topK 10, expansion on). */
export function search(index: RetrievalIndex, query: string, opts: SearchOptions = {}): SearchHit[] {
  return searchWithDetails(index, query, opts).hits;
}
