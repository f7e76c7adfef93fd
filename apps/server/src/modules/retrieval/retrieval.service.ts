import type { Deps } from '../../deps.ts';
import { requireChatbot } from '../chatbots/chatbots.service.ts';
import { listSearchableChunks } from '../knowledge/knowledge.repo.ts';
import { buildIndex, searchWithDetails, type RetrievalIndex, type SearchMode } from './engine.ts';
import type { Language } from './text.ts';

/**
 * Search over one chatbot's knowledge: the same code serves the API and `kawan eval retrieval`.
 * The chatbot's chunks are loaded once into an in-memory index (BM25F postings + sentence vectors) kept in
 * `indexCache`; ingestion, edits and deletions invalidate it, and with Redis the other processes drop theirs.
 */
type SearchDeps = Pick<Deps, 'db' | 'cache' | 'indexCache'>;

interface ChunkInfo {
  documentId: string;
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
}

export const indexCacheKey = (orgId: string, botId: string) => `idx:${orgId}:${botId}`;

async function loadIndex(deps: SearchDeps, orgId: string, botId: string): Promise<ChatbotIndex> {
  return deps.indexCache.getOrLoad(indexCacheKey(orgId, botId), async () => {
    const rows = await listSearchableChunks(deps.db, orgId, botId);
    const chunks = new Map<string, ChunkInfo>();
    const index = buildIndex(
      rows.map((r) => {
        chunks.set(r.id, {
          documentId: r.documentId,
          documentTitle: r.title,
          page: r.page,
          ordinal: r.ordinal,
          charStart: r.charStart,
          charEnd: r.charEnd,
          heading: r.heading,
          text: r.text,
        });
        return {
          id: r.id,
          docId: r.documentId,
          title: r.heading ? `${r.title} ${r.heading}` : r.title,
          text: r.text,
          language: (r.language ?? undefined) as Language | undefined,
          tags: r.tags,
          metadata: r.metadata,
        };
      }),
    );
    return { index, chunks, builtAt: new Date() };
  });
}

export interface SearchInput {
  query: string;
  mode: SearchMode;
  topK: number;
  expand: boolean;
  documentIds?: string[];
  tags?: string[];
  metadata?: Record<string, string | number | boolean>;
}

export async function searchChatbot(deps: SearchDeps, orgId: string, botId: string, input: SearchInput) {
  await requireChatbot(deps, orgId, botId);
  const { index, chunks } = await loadIndex(deps, orgId, botId);
  const docs = input.documentIds ? new Set(input.documentIds) : null;
  const filter =
    docs || input.tags?.length || input.metadata
      ? (item: { docId: string; tags?: string[]; metadata?: Record<string, unknown> }) =>
          (!docs || docs.has(item.docId)) &&
          (!input.tags?.length || input.tags.every((t) => item.tags?.includes(t))) &&
          (!input.metadata || Object.entries(input.metadata).every(([k, v]) => item.metadata?.[k] === v))
      : undefined;
  const result = searchWithDetails(index, input.query, {
    mode: input.mode,
    topK: input.topK,
    expand: input.expand,
    filter,
  });
  return {
    query: result.query,
    hits: result.hits.map((h, rank) => {
      const c = chunks.get(h.id)!;
      return {
        rank: rank + 1,
        chunkId: h.id,
        documentId: c.documentId,
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
