import type { Deps } from '../../deps.ts';
import { requireChatbot } from '../chatbots/chatbots.service.ts';
import { listSearchableChunks } from '../knowledge/knowledge.repo.ts';
import { listFaqEntries } from '../knowledge/faqs/faqs.search.ts';
import { listBusinessEntries } from '../business/business.search.ts';
import type { ChatbotRow } from '../chatbots/chatbots.repo.ts';
import {
  addToIndex,
  buildIndex,
  expandQuery,
  searchWithDetails,
  type QueryExpansion,
  type RetrievalIndex,
  type RetrievalItem,
  type SearchMode,
} from './engine.ts';
import { EMBEDDING_DIMS } from './embedder.ts';
import type { Language } from './text.ts';
import { embedderFor, isBuiltinEmbedder } from './embedding-backend.ts';

/**
 * Search over one chatbot's knowledge: the same code serves the API and `kawan eval retrieval`.
 * The chatbot's chunks are loaded once into an in-memory index (BM25F postings + sentence vectors) kept in
 * `indexCache`; ingestion, edits and deletions invalidate it, and with Redis the other processes drop theirs.
 */
type SearchDeps = Pick<Deps, 'db' | 'cache' | 'indexCache'> & Partial<Pick<Deps, 'config' | 'log'>>;

/** Where a hit comes from: a document chunk, an FAQ entry, the org's business profile or a catalogue item. */
export type KnowledgeSource = 'document' | 'faq' | 'business' | 'catalogue';

/** A non-document piece of a chatbot's knowledge, ready for its index (faqs.search.ts, business.search.ts). */
export interface KnowledgeEntry {
  item: RetrievalItem;
  source: Exclude<KnowledgeSource, 'document'>;
  /** the FAQ or catalogue item id; null for the business profile (one per org) */
  sourceId: string | null;
  title: string;
}

interface ChunkInfo {
  source: KnowledgeSource;
  sourceId: string | null;
  documentId: string | null;
  documentTitle: string;
  page: number | null;
  ordinal: number;
  charStart: number;
  charEnd: number;
  heading: string | null;
  text: string;
}

interface ChatbotIndex {
  index: RetrievalIndex;
  chunks: Map<string, ChunkInfo>;
  builtAt: Date;
  /** the embedder whose vectors the index holds: queries must be embedded by the same one */
  embedder: string;
  dims: number;
}

export const indexCacheKey = (orgId: string, botId: string) => `idx:${orgId}:${botId}`;

/**
 * The index item of a document chunk. Ingestion stores `embedItem(chunkItem(…))` as the chunk's embedding, so an
 * index build reuses it instead of embedding every chunk again; both must build the item the same way.
 */
export function chunkItem(c: {
  id: string;
  documentId: string;
  title: string;
  heading: string | null;
  text: string;
  language: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
}): RetrievalItem {
  return {
    id: c.id,
    docId: c.documentId,
    title: c.heading ? `${c.title} ${c.heading}` : c.title,
    text: c.text,
    language: (c.language ?? undefined) as Language | undefined,
    tags: c.tags,
    metadata: c.metadata,
  };
}

async function loadIndex(deps: SearchDeps, orgId: string, botId: string): Promise<ChatbotIndex> {
  return deps.indexCache.getOrLoad(indexCacheKey(orgId, botId), async () => {
    // Read before the chunks: the re-embed switch writes the vectors and the embedder in one transaction and
    // then invalidates this index, so vectors read after this row are of this embedder or the index is dropped.
    const { embedder, embeddingDims } = await requireChatbot(deps, orgId, botId);
    const builtin = isBuiltinEmbedder(embedder);
    const rows = await listSearchableChunks(deps.db, orgId, botId);
    const chunks = new Map<string, ChunkInfo>();
    const index = buildIndex(
      rows.map((r) => {
        chunks.set(r.id, {
          source: 'document',
          sourceId: null,
          documentId: r.documentId,
          documentTitle: r.title,
          page: r.page,
          ordinal: r.ordinal,
          charStart: r.charStart,
          charEnd: r.charEnd,
          heading: r.heading,
          text: r.text,
        });
        const item = chunkItem(r);
        // Ingestion stored embedItem(chunkItem(…)) of this very item unless the title or tags changed since.
        if (builtin && r.vectorCurrent && r.embedding?.length === EMBEDDING_DIMS) item.vector = r.embedding;
        // A provider's vector cannot be recomputed here: it is used even after a title edit (a small drift).
        if (!builtin && r.embedding?.length === embeddingDims) item.vector = r.embedding;
        return item;
      }),
      builtin ? {} : { externalDims: embeddingDims },
    );
    const entries = await loadKnowledgeEntries(deps, orgId, botId, chunks);
    if (entries.length) addToIndex(index, entries);
    return { index, chunks, builtAt: new Date(), embedder, dims: embeddingDims };
  });
}

/** FAQs of the chatbot and the org's business knowledge: items of the same index as the document chunks. */
async function loadKnowledgeEntries(
  deps: SearchDeps,
  orgId: string,
  botId: string,
  chunks: Map<string, ChunkInfo>,
): Promise<RetrievalItem[]> {
  const bot = await requireChatbot(deps, orgId, botId);
  const entries = [
    ...(await listFaqEntries(deps.db, orgId, botId)),
    ...(await listBusinessEntries(deps.db, orgId, bot.language as Language)),
  ];
  return entries.map((e) => {
    chunks.set(e.item.id, {
      source: e.source,
      sourceId: e.sourceId,
      documentId: null,
      documentTitle: e.title,
      page: null,
      ordinal: 0,
      charStart: 0,
      charEnd: e.item.text.length,
      heading: null,
      text: e.item.text,
    });
    return e.item;
  });
}

/** A chatbot searches the org's business profile and catalogue unless its settings say otherwise. */
const usesBusinessKnowledge = (bot: ChatbotRow) =>
  (bot.modelSettings as { useBusinessProfile?: boolean }).useBusinessProfile !== false;

type FilterInput = Pick<SearchInput, 'documentIds' | 'tags' | 'metadata' | 'sources'>;

/** The item filter of a search (undefined when everything is allowed, which keeps the fast path). */
function itemFilter(input: FilterInput, chunks: Map<string, ChunkInfo>, bot: ChatbotRow) {
  const docs = input.documentIds ? new Set(input.documentIds) : null;
  const sources = new Set<KnowledgeSource>(input.sources ?? ['document', 'faq', 'business', 'catalogue']);
  if (!usesBusinessKnowledge(bot)) {
    sources.delete('business');
    sources.delete('catalogue');
  }
  const allSources = sources.size === 4;
  if (!docs && !input.tags?.length && !input.metadata && allSources) return undefined;
  return (item: { id: string; docId: string; tags?: string[]; metadata?: Record<string, unknown> }) =>
    (allSources || sources.has(chunks.get(item.id)!.source)) &&
    (!docs || docs.has(item.docId)) &&
    (!input.tags?.length || input.tags.every((t) => item.tags?.includes(t))) &&
    (!input.metadata || Object.entries(input.metadata).every(([k, v]) => item.metadata?.[k] === v));
}

export interface SearchInput {
  query: string;
  mode: SearchMode;
  topK: number;
  expand: boolean;
  documentIds?: string[];
  tags?: string[];
  metadata?: Record<string, string | number | boolean>;
  /** only these kinds of knowledge (default: all) */
  sources?: KnowledgeSource[];
}

export async function searchChatbot(deps: SearchDeps, orgId: string, botId: string, input: SearchInput) {
  const bot = await requireChatbot(deps, orgId, botId);
  const { index, chunks, embedder, dims } = await loadIndex(deps, orgId, botId);
  const filter = itemFilter(input, chunks, bot);
  const result = searchWithDetails(index, input.query, {
    mode: input.mode,
    topK: input.topK,
    expand: input.expand,
    filter,
    queryVector: await providerQueryVector(deps, bot, embedder, dims, input),
  });
  return {
    query: result.query,
    /** the chatbot's whole index, for callers that need collection statistics (the extractive responder) */
    index,
    hits: result.hits.map((h, rank) => {
      const c = chunks.get(h.id)!;
      return {
        rank: rank + 1,
        source: c.source,
        chunkId: h.id,
        documentId: c.documentId,
        faqId: c.source === 'faq' ? c.sourceId : null,
        itemId: c.source === 'catalogue' ? c.sourceId : null,
        documentTitle: c.documentTitle,
        page: c.page,
        ordinal: c.ordinal,
        charStart: c.charStart,
        charEnd: c.charEnd,
        heading: c.heading,
        text: c.text,
        highlight: highlight(c.text, h.matchedTerms),
        score: h.score,
        scores: h.scores,
      };
    }),
  };
}

/**
 * The query embedded by the provider whose vectors the index holds (none for the built-in embedder, which the
 * engine runs itself, or for keyword search). A provider that fails leaves the search to keywords: knowledge
 * stays searchable while the embedder is down.
 */
async function providerQueryVector(
  deps: SearchDeps,
  bot: ChatbotRow,
  embedder: string,
  dims: number,
  input: SearchInput,
): Promise<Float32Array | undefined> {
  if (isBuiltinEmbedder(embedder) || input.mode === 'keyword' || !input.query.trim() || !deps.config) {
    return undefined;
  }
  try {
    const backend = await embedderFor(
      { db: deps.db, cache: deps.cache, config: deps.config },
      { orgId: bot.orgId, id: bot.id, embedder, embeddingDims: dims },
    );
    return await backend.embedQuery(input.query);
  } catch (err) {
    deps.log?.warn({ err, botId: bot.id }, 'query embedding failed; searching by keyword');
    return undefined;
  }
}

/**
 * The offline expansion of a query over one chatbot's knowledge (the terms search would add), for
 * `POST …/query-expansion`; `expand` false gives only the analysed terms.
 */
export async function expandChatbotQuery(
  deps: SearchDeps,
  orgId: string,
  botId: string,
  query: string,
  expand = true,
): Promise<QueryExpansion> {
  const bot = await requireChatbot(deps, orgId, botId);
  const { index, chunks } = await loadIndex(deps, orgId, botId);
  const filter = itemFilter({}, chunks, bot);
  const accept = filter ? (slot: number) => filter(index.slots[slot]!.item) : undefined;
  return expandQuery(index, query, expand, undefined, accept).details;
}

/** Wraps the matched words in <mark>…</mark>; the rest of the text is HTML-escaped so it is safe to render. */
export function highlight(text: string, words: string[]): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  if (words.length === 0) return escape(text);
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  let out = '';
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    out += `${escape(text.slice(last, m.index))}<mark>${escape(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escape(text.slice(last));
}
