// The in-memory retrieval index of one chatbot: an inverted index with per-field term frequencies (BM25F), field
// lengths, document frequencies, SIF sentence vectors, and the corpus's words (for embedding-space expansion).
// Pure data + functions; the caller caches one per chatbot and feeds it chunk records.
import {
  addWordVector,
  EMBEDDING_DIMS,
  finishSentenceVector,
  loadWordVectors,
  lookupWord,
  sifWeight,
} from './embedder.ts';
import { guessLanguageOfTokens, isStopWord, LANGUAGES, stem, tokenize, type Language } from './text.ts';

export interface RetrievalItem {
  /** chunk id (unique in the index) */
  id: string;
  /** document the chunk belongs to (removal works per document) */
  docId: string;
  /** document or section title: a separate, weighted BM25F field (tags join it) */
  title?: string;
  text: string;
  /** 'en' | 'id'; guessed from the text when absent */
  language?: Language;
  tags?: string[];
  metadata?: Record<string, unknown>;
  /**
   * Precomputed sentence vector (embedItem(item), e.g. stored in pgvector): skips the embedding step, about a
   * third of the build time. Must come from the same word-vector table.
   */
  vector?: ArrayLike<number>;
}

export interface IndexOptions {
  /** BM25 term-frequency saturation (default 1.2) */
  k1?: number;
  /** BM25 length normalisation of the body (default 0.75) */
  b?: number;
  /** BM25F weight of a title occurrence relative to a body occurrence (default 2; 0 ignores titles) */
  titleWeight?: number;
  /** BM25F length normalisation of the title (default 0.5: titles are short and alike in length) */
  titleB?: number;
  /** compute sentence vectors for semantic / hybrid search (default true) */
  vectors?: boolean;
  /** language of a text too short to guess (default 'en') */
  defaultLanguage?: Language;
  /**
   * Dimension of vectors from an external embedder (a provider's /v1/embeddings). Set, the index never computes
   * built-in vectors: only items whose `vector` has this length get one. Unset (default): built-in SIF vectors.
   */
  externalDims?: number;
}

export type ResolvedIndexOptions = Required<Omit<IndexOptions, 'externalDims'>> & {
  externalDims?: number;
  /** floats per stored vector: externalDims, or the built-in EMBEDDING_DIMS */
  dims: number;
};

export const DEFAULT_INDEX_OPTIONS: ResolvedIndexOptions = {
  k1: 1.2,
  b: 0.75,
  titleWeight: 2,
  titleB: 0.5,
  vectors: true,
  defaultLanguage: 'en',
  dims: EMBEDDING_DIMS,
};

/** Title tf is packed into the top 4 bits of a posting's Uint16, body tf into the low 12. */
const TITLE_TF_MAX = 15;
const BODY_TF_MAX = 4095;

export interface Postings {
  slots: Int32Array;
  tfs: Uint16Array;
  length: number;
}

export interface DocSlot {
  item: RetrievalItem;
  language: Language;
  lenTitle: number;
  lenBody: number;
}

/** What analysis knows about one surface token in one language (memoised per index: one Map lookup per token). */
export interface TokenInfo {
  /** term id in the index, −1 for stop words and for terms not yet indexed */
  id: number;
  /** stem, null for a stop word */
  term: string | null;
  /** embedding row (English only), −1 when none */
  row: number;
  /** SIF weight of the row */
  weight: number;
  /** occurrences in live documents (English: candidates of embedding-space expansion) */
  count: number;
}

export interface RetrievalIndex {
  options: ResolvedIndexOptions;
  /** slot → document (undefined once removed); slots are never reused, so postings stay sorted by slot */
  slots: (DocSlot | undefined)[];
  byId: Map<string, number>;
  byDocId: Map<string, number[]>;
  termIds: Map<string, number>;
  terms: string[];
  postings: Postings[];
  tokens: Record<Language, Map<string, TokenInfo>>;
  liveCount: number;
  totalTitleLen: number;
  totalBodyLen: number;
  languageCounts: Record<Language, number>;
  /** row-major slot × options.dims, unit vectors (zero rows for items without a vector) */
  vectors: Float32Array;
  /** 1 when the slot has a vector */
  hasVector: Uint8Array;
  /** bumped by every change; caches derived from the index compare it */
  version: number;
  cache: Map<string, { version: number; value: unknown }>;
}

export function createIndex(opts: IndexOptions = {}): RetrievalIndex {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  return {
    options: { ...DEFAULT_INDEX_OPTIONS, ...given, dims: opts.externalDims ?? EMBEDDING_DIMS },
    slots: [],
    byId: new Map(),
    byDocId: new Map(),
    termIds: new Map(),
    terms: [],
    postings: [],
    tokens: { en: new Map(), id: new Map() },
    liveCount: 0,
    totalTitleLen: 0,
    totalBodyLen: 0,
    languageCounts: { en: 0, id: 0 },
    vectors: new Float32Array(0),
    hasVector: new Uint8Array(0),
    version: 0,
    cache: new Map(),
  };
}

/** Analysis of a token in a language, memoised in the index. */
export function tokenInfo(index: RetrievalIndex, token: string, language: Language): TokenInfo {
  const memo = index.tokens[language];
  let info = memo.get(token);
  if (!info) {
    const term = isStopWord(token, language) ? null : stem(token, language);
    let row = -1;
    let weight = 0;
    if (language === 'en' && term !== null && index.options.vectors) {
      row = lookupWord(token) ?? -1;
      if (row >= 0) weight = sifWeight(loadWordVectors(), row);
    }
    info = { id: term === null ? -1 : (index.termIds.get(term) ?? -1), term, row, weight, count: 0 };
    memo.set(token, info);
  } else if (info.id < 0 && info.term !== null) {
    // The term may have been indexed (through another surface form) since this token was first seen.
    info.id = index.termIds.get(info.term) ?? -1;
  }
  return info;
}

function fieldText(item: RetrievalItem): string {
  return [item.title ?? '', ...(item.tags ?? [])].join(' \n ');
}

/** Tokens of a document's fields: [title (+ tags), body]. */
export function itemTokens(item: RetrievalItem): [string[], string[]] {
  const title = fieldText(item);
  return [title.trim() ? tokenize(title) : [], tokenize(item.text)];
}

export function itemLanguage(
  item: RetrievalItem,
  tokens: [string[], string[]],
  fallback: Language,
): Language {
  return (
    item.language ??
    guessLanguageOfTokens(tokens[0].length ? [...tokens[0], ...tokens[1]] : tokens[1], fallback)
  );
}

/** Visits the analysed tokens of a document: field 0 = title (+ tags), 1 = body. */
export function forEachToken(
  index: RetrievalIndex,
  item: RetrievalItem,
  language: Language,
  visit: (info: TokenInfo, field: 0 | 1, token: string) => void,
  tokens: [string[], string[]] = itemTokens(item),
): void {
  for (const t of tokens[0]) visit(tokenInfo(index, t, language), 0, t);
  for (const t of tokens[1]) visit(tokenInfo(index, t, language), 1, t);
}

/**
 * The sentence vector the index computes for an item (title, tags and text; zero for non-English items): store it
 * with the chunk and pass it back as `item.vector` to make later index builds cheaper.
 */
export function embedItem(item: RetrievalItem, defaultLanguage: Language = 'en'): Float32Array {
  const tokens = itemTokens(item);
  const vec = new Float32Array(EMBEDDING_DIMS);
  if (itemLanguage(item, tokens, defaultLanguage) !== 'en') return vec;
  const table = loadWordVectors();
  let known = 0;
  for (const t of [...tokens[0], ...tokens[1]]) {
    if (isStopWord(t, 'en')) continue;
    const row = lookupWord(t);
    if (row === undefined) continue;
    addWordVector(table, row, sifWeight(table, row), vec);
    known++;
  }
  return known > 0 ? finishSentenceVector(vec) : vec;
}

/** Builds an index over the items (one chunk per item). A later item with an existing id replaces the earlier. */
export function buildIndex(items: Iterable<RetrievalItem>, opts: IndexOptions = {}): RetrievalIndex {
  const index = createIndex(opts);
  addToIndex(index, items);
  return index;
}

function termId(index: RetrievalIndex, term: string): number {
  let id = index.termIds.get(term);
  if (id === undefined) {
    id = index.terms.length;
    index.termIds.set(term, id);
    index.terms.push(term);
    index.postings.push({ slots: new Int32Array(2), tfs: new Uint16Array(2), length: 0 });
  }
  return id;
}

function appendPosting(p: Postings, slot: number, packed: number): void {
  if (p.length === p.slots.length) {
    const slots = new Int32Array(p.slots.length * 2);
    slots.set(p.slots);
    const tfs = new Uint16Array(p.tfs.length * 2);
    tfs.set(p.tfs);
    p.slots = slots;
    p.tfs = tfs;
  }
  p.slots[p.length] = slot;
  p.tfs[p.length] = packed;
  p.length++;
}

function growVectors(index: RetrievalIndex, slots: number): void {
  if (slots <= index.hasVector.length) return;
  const cap = Math.max(64, slots * 2);
  const vectors = new Float32Array(cap * index.options.dims);
  vectors.set(index.vectors);
  const has = new Uint8Array(cap);
  has.set(index.hasVector);
  index.vectors = vectors;
  index.hasVector = has;
}

// Per-document term-frequency scratch indexed by term id (cheaper than a Map per document); zeroed after use.
let tfTitle = new Uint32Array(1024);
let tfBody = new Uint32Array(1024);
const touched: number[] = [];
function growTfScratch(size: number): void {
  const cap = Math.max(size, tfBody.length * 2);
  const t = new Uint32Array(cap);
  t.set(tfTitle);
  tfTitle = t;
  const b = new Uint32Array(cap);
  b.set(tfBody);
  tfBody = b;
}

/** Adds items (chunks). An item whose id is already indexed replaces the old one. */
export function addToIndex(index: RetrievalIndex, items: Iterable<RetrievalItem>): void {
  const useVectors = index.options.vectors;
  const dims = index.options.dims;
  // External vectors come only with the items: the built-in table must not fill in for a missing one.
  const external = index.options.externalDims !== undefined;
  const table = useVectors && !external ? loadWordVectors() : undefined;
  const vec = new Float32Array(EMBEDDING_DIMS);
  for (const item of items) {
    const old = index.byId.get(item.id);
    if (old !== undefined) removeSlot(index, old);
    const slot = index.slots.length;
    const tokens = itemTokens(item);
    const given = useVectors && item.vector?.length === dims ? item.vector : undefined;
    const language = itemLanguage(item, tokens, index.options.defaultLanguage);
    const lens = [0, 0];
    let known = 0;
    vec.fill(0);
    touched.length = 0;
    forEachToken(
      index,
      item,
      language,
      (info, field) => {
        info.count++;
        if (info.term === null) return;
        if (info.id < 0) info.id = termId(index, info.term);
        const id = info.id;
        if (id >= tfBody.length) growTfScratch(id + 1);
        if (tfTitle[id] === 0 && tfBody[id] === 0) touched.push(id);
        if (field === 0) tfTitle[id]!++;
        else tfBody[id]!++;
        lens[field]!++;
        if (table && !given && info.row >= 0) {
          addWordVector(table, info.row, info.weight, vec);
          known++;
        }
      },
      tokens,
    );
    for (const id of touched) {
      const packed = (Math.min(tfTitle[id]!, TITLE_TF_MAX) << 12) | Math.min(tfBody[id]!, BODY_TF_MAX);
      appendPosting(index.postings[id]!, slot, packed);
      tfTitle[id] = 0;
      tfBody[id] = 0;
    }
    if (useVectors) {
      growVectors(index, slot + 1);
      if (given) {
        index.vectors.set(given, slot * dims);
        index.hasVector[slot] = Array.prototype.some.call(given, (x: number) => x !== 0) ? 1 : 0;
      } else if (known > 0) {
        index.vectors.set(finishSentenceVector(vec), slot * dims);
        index.hasVector[slot] = 1;
      }
    }
    // The index holds its own copy of a given vector: keeping the caller's too would double that memory.
    const kept = item.vector === undefined ? item : { ...item, vector: undefined };
    index.slots.push({ item: kept, language, lenTitle: lens[0]!, lenBody: lens[1]! });
    index.byId.set(item.id, slot);
    const siblings = index.byDocId.get(item.docId);
    if (siblings) siblings.push(slot);
    else index.byDocId.set(item.docId, [slot]);
    index.liveCount++;
    index.totalTitleLen += lens[0]!;
    index.totalBodyLen += lens[1]!;
    index.languageCounts[language]++;
  }
  // Doubling leaves up to half of each array unused: trim after a batch (appends regrow as needed).
  for (const p of index.postings) {
    if (p.slots.length > p.length + 8 && p.slots.length > p.length * 1.25) {
      p.slots = p.slots.slice(0, p.length);
      p.tfs = p.tfs.slice(0, p.length);
    }
  }
  const n = index.slots.length;
  if (index.hasVector.length > n + 64 && index.hasVector.length > n * 1.25) {
    index.vectors = index.vectors.slice(0, n * dims);
    index.hasVector = index.hasVector.slice(0, n);
  }
  index.version++;
}

/** Removes every chunk of a document; returns how many were removed. */
export function removeFromIndex(index: RetrievalIndex, docId: string): number {
  const slots = index.byDocId.get(docId);
  if (!slots) return 0;
  const n = slots.length;
  for (const slot of [...slots]) removeSlot(index, slot);
  return n;
}

function removeSlot(index: RetrievalIndex, slot: number): void {
  const doc = index.slots[slot];
  if (!doc) return;
  // Re-analysing the text finds the postings to delete without keeping a forward index in memory.
  const ids = new Set<number>();
  forEachToken(index, doc.item, doc.language, (info) => {
    info.count--;
    if (info.id >= 0) ids.add(info.id);
  });
  for (const id of ids) {
    const p = index.postings[id]!;
    const at = lowerBound(p.slots, p.length, slot);
    if (at < p.length && p.slots[at] === slot) {
      p.slots.copyWithin(at, at + 1, p.length);
      p.tfs.copyWithin(at, at + 1, p.length);
      p.length--;
    }
  }
  if (slot < index.hasVector.length) {
    const dims = index.options.dims;
    index.vectors.fill(0, slot * dims, (slot + 1) * dims);
    index.hasVector[slot] = 0;
  }
  index.slots[slot] = undefined;
  index.byId.delete(doc.item.id);
  const rest = (index.byDocId.get(doc.item.docId) ?? []).filter((s) => s !== slot);
  if (rest.length) index.byDocId.set(doc.item.docId, rest);
  else index.byDocId.delete(doc.item.docId);
  index.liveCount--;
  index.totalTitleLen -= doc.lenTitle;
  index.totalBodyLen -= doc.lenBody;
  index.languageCounts[doc.language]--;
  index.version++;
}

export function lowerBound(a: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Languages present in the index (queries are analysed with all of them); the default for an empty index. */
export function indexLanguages(index: RetrievalIndex): Language[] {
  const langs = LANGUAGES.filter((l) => index.languageCounts[l] > 0);
  return langs.length ? langs : [index.options.defaultLanguage];
}

/** Memoises a value derived from the index until the index changes. */
export function cached<T>(index: RetrievalIndex, key: string, compute: () => T): T {
  const hit = index.cache.get(key);
  if (hit && hit.version === index.version) return hit.value as T;
  const value = compute();
  index.cache.set(key, { version: index.version, value });
  return value;
}
