// The in-memory retrieval index of one chatbot: an inverted index with per-field term frequencies (BM25F), field
// lengths, document frequencies, SIF sentence vectors, and the corpus's surface words (for embedding-space query
// expansion). Pure data + functions; the caller caches one per chatbot and feeds it chunk records.
import { embedTokens, EMBEDDING_DIMS } from './embedder.ts';
import { guessLanguage, isStopWord, LANGUAGES, stem, tokenize, type Language } from './text.ts';

export interface RetrievalItem {
  /** chunk id (unique in the index) */
  id: string;
  /** document the chunk belongs to (add/remove work per document) */
  docId: string;
  /** document or section title: indexed as a separate, weighted BM25F field (tags join it) */
  title?: string;
  text: string;
  /** 'en' | 'id'; guessed from the text when absent */
  language?: Language;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export interface IndexOptions {
  /** BM25 term-frequency saturation (default 1.2) */
  k1?: number;
  /** BM25 length normalisation of the body (default 0.75) */
  b?: number;
  /** BM25F weight of a title occurrence relative to a body occurrence (default 2; 0 ignores titles) */
  titleWeight?: number;
  /** BM25F length normalisation of the title (default 0.5: titles are short and similar in length) */
  titleB?: number;
  /** compute sentence vectors for semantic / hybrid search (default true) */
  vectors?: boolean;
  /** language when a text is too short to guess (default 'en') */
  defaultLanguage?: Language;
}

export type ResolvedIndexOptions = Required<IndexOptions>;

export const DEFAULT_INDEX_OPTIONS: ResolvedIndexOptions = {
  k1: 1.2,
  b: 0.75,
  titleWeight: 2,
  titleB: 0.5,
  vectors: true,
  defaultLanguage: 'en',
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
  /** true when the item has an embedding (English text with known words) */
  hasVector: boolean;
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
  /** surface word (English docs) → occurrences; the candidates of embedding-space expansion */
  surfaces: Map<string, number>;
  liveCount: number;
  totalTitleLen: number;
  totalBodyLen: number;
  languageCounts: Record<Language, number>;
  /** row-major slot × EMBEDDING_DIMS (zero rows for items without a vector) */
  vectors: Float32Array;
  /** bumped by every change; caches derived from the index compare it */
  version: number;
  /** per-version caches (length norms, expansion matrices…) */
  cache: Map<string, { version: number; value: unknown }>;
}

export interface AnalyzedDoc {
  language: Language;
  titleTerms: string[];
  bodyTerms: string[];
  /** all tokens, for the embedder */
  tokens: string[];
}

/** Tokens of a document's fields and their index terms, in the document's language. */
export function analyzeItem(item: RetrievalItem, defaultLanguage: Language): AnalyzedDoc {
  const titleText = [item.title ?? '', ...(item.tags ?? [])].join(' \n ');
  const titleTokens = tokenize(titleText);
  const bodyTokens = tokenize(item.text);
  const language = item.language ?? guessLanguage(`${item.title ?? ''} ${item.text}`, defaultLanguage);
  const terms = (tokens: string[]) => {
    const out: string[] = [];
    for (const t of tokens) if (!isStopWord(t, language)) out.push(stem(t, language));
    return out;
  };
  return {
    language,
    titleTerms: terms(titleTokens),
    bodyTerms: terms(bodyTokens),
    tokens: titleTokens.length ? [...titleTokens, ...bodyTokens] : bodyTokens,
  };
}

export function createIndex(opts: IndexOptions = {}): RetrievalIndex {
  return {
    options: { ...DEFAULT_INDEX_OPTIONS, ...stripUndefined(opts) },
    slots: [],
    byId: new Map(),
    byDocId: new Map(),
    termIds: new Map(),
    terms: [],
    postings: [],
    surfaces: new Map(),
    liveCount: 0,
    totalTitleLen: 0,
    totalBodyLen: 0,
    languageCounts: { en: 0, id: 0 },
    vectors: new Float32Array(0),
    version: 0,
    cache: new Map(),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Builds an index over the items (one chunk per item). Later items with an existing id replace earlier ones. */
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

function countTerms(terms: string[], into: Map<string, [number, number]>, field: 0 | 1): void {
  for (const t of terms) {
    let c = into.get(t);
    if (!c) into.set(t, (c = [0, 0]));
    c[field]++;
  }
}

/** Adds items (chunks). An item whose id is already indexed replaces the old one. */
export function addToIndex(index: RetrievalIndex, items: Iterable<RetrievalItem>): void {
  const dims = EMBEDDING_DIMS;
  for (const item of items) {
    if (index.byId.has(item.id)) removeSlot(index, index.byId.get(item.id)!);
    const slot = index.slots.length;
    const doc = analyzeItem(item, index.options.defaultLanguage);
    const counts = new Map<string, [number, number]>();
    countTerms(doc.titleTerms, counts, 0);
    countTerms(doc.bodyTerms, counts, 1);
    for (const [term, [tfTitle, tfBody]] of counts) {
      const packed = (Math.min(tfTitle, TITLE_TF_MAX) << 12) | Math.min(tfBody, BODY_TF_MAX);
      appendPosting(index.postings[termId(index, term)]!, slot, packed);
    }
    let hasVector = false;
    if (index.options.vectors) {
      if ((slot + 1) * dims > index.vectors.length) {
        const grown = new Float32Array(Math.max(64, (slot + 1) * 2) * dims);
        grown.set(index.vectors);
        index.vectors = grown;
      }
      if (doc.language === 'en') {
        const v = embedTokens(doc.tokens);
        hasVector = v.some((x) => x !== 0);
        index.vectors.set(v, slot * dims);
      }
    }
    if (doc.language === 'en') {
      for (const t of doc.tokens) index.surfaces.set(t, (index.surfaces.get(t) ?? 0) + 1);
    }
    index.slots.push({
      item,
      language: doc.language,
      lenTitle: doc.titleTerms.length,
      lenBody: doc.bodyTerms.length,
      hasVector,
    });
    index.byId.set(item.id, slot);
    const siblings = index.byDocId.get(item.docId);
    if (siblings) siblings.push(slot);
    else index.byDocId.set(item.docId, [slot]);
    index.liveCount++;
    index.totalTitleLen += doc.titleTerms.length;
    index.totalBodyLen += doc.bodyTerms.length;
    index.languageCounts[doc.language]++;
  }
  index.version++;
}

/** Removes every chunk of a document; returns how many were removed. */
export function removeFromIndex(index: RetrievalIndex, docId: string): number {
  const slots = index.byDocId.get(docId);
  if (!slots) return 0;
  for (const slot of [...slots]) removeSlot(index, slot);
  index.version++;
  return slots.length;
}

function removeSlot(index: RetrievalIndex, slot: number): void {
  const doc = index.slots[slot];
  if (!doc) return;
  // Re-analysing the text finds the postings to delete without keeping a forward index in memory.
  const analyzed = analyzeItem(doc.item, index.options.defaultLanguage);
  const seen = new Set([...analyzed.titleTerms, ...analyzed.bodyTerms]);
  for (const term of seen) {
    const id = index.termIds.get(term);
    if (id === undefined) continue;
    const p = index.postings[id]!;
    const at = lowerBound(p.slots, p.length, slot);
    if (at < p.length && p.slots[at] === slot) {
      p.slots.copyWithin(at, at + 1, p.length);
      p.tfs.copyWithin(at, at + 1, p.length);
      p.length--;
    }
  }
  if (doc.language === 'en') {
    for (const t of analyzed.tokens) {
      const c = (index.surfaces.get(t) ?? 0) - 1;
      if (c > 0) index.surfaces.set(t, c);
      else index.surfaces.delete(t);
    }
  }
  if (index.options.vectors && slot * EMBEDDING_DIMS < index.vectors.length) {
    index.vectors.fill(0, slot * EMBEDDING_DIMS, (slot + 1) * EMBEDDING_DIMS);
  }
  index.slots[slot] = undefined;
  index.byId.delete(doc.item.id);
  const siblings = index.byDocId.get(doc.item.docId);
  if (siblings) {
    const rest = siblings.filter((s) => s !== slot);
    if (rest.length) index.byDocId.set(doc.item.docId, rest);
    else index.byDocId.delete(doc.item.docId);
  }
  index.liveCount--;
  index.totalTitleLen -= doc.lenTitle;
  index.totalBodyLen -= doc.lenBody;
  index.languageCounts[doc.language]--;
  index.version++;
}

function lowerBound(a: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Languages present in the index (queries are analysed with all of them); 'en' for an empty index. */
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

/** Document frequency of a term id (postings hold live documents only). */
export function documentFrequency(index: RetrievalIndex, id: number): number {
  return index.postings[id]?.length ?? 0;
}
