import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { JobSpec } from '../../platform/jobs/jobs.ts';
import { newId } from '../../platform/ids.ts';
import { parseDocument } from './parsing/parse-document.ts';
import { ParseError } from './parsing/errors.ts';
import { chunkPages, type Chunk } from './parsing/chunk.ts';
import type { ParsedPage } from './parsing/types.ts';
import { embedItem } from '../retrieval/index-store.ts';
import { guessLanguage } from '../retrieval/text.ts';
import { chunkItem, indexCacheKey } from '../retrieval/retrieval.service.ts';
import * as repo from './knowledge.repo.ts';
import { embedderFor, isBuiltinEmbedder } from '../retrieval/embedding-backend.ts';

export const ingestJob = {
  name: 'knowledge.ingest',
  payload: z.object({
    orgId: z.string(),
    chatbotId: z.string(),
    documentId: z.string(),
    version: z.number().int(),
  }),
  retryLimit: 3,
  retryDelaySeconds: 5,
  expireInSeconds: 30 * 60,
} satisfies JobSpec<z.ZodType>;

type IngestDeps = Pick<Deps, 'db' | 'files' | 'config' | 'log' | 'indexCache' | 'cache'>;
const INSERT_BATCH = 200;

/**
 * Ingests one version of one document. Idempotent, so a retry or a resume after kill -9 converges: chunking is
 * deterministic and chunks are keyed by (document, version, ordinal), so a re-run adds only what is missing (and
 * rewrites the vectors of what is there: they follow the document's current title and tags).
 * The version becomes searchable in the one transaction that marks the document indexed.
 */
export async function ingestDocument(
  deps: IngestDeps,
  job: z.infer<typeof ingestJob.payload>,
): Promise<void> {
  const { orgId, chatbotId, documentId, version } = job;
  const doc = await repo.getDocument(deps.db, orgId, chatbotId, documentId);
  if (!doc || doc.version !== version || doc.indexedVersion === version) return; // deleted, superseded or done

  let lastProgress = -1;
  const progress = async (status: repo.DocumentStatus, pct: number) => {
    const rounded = Math.floor(pct);
    if (rounded === lastProgress && status === doc.status) return;
    lastProgress = rounded;
    doc.status = status;
    await repo.updateDocument(deps.db, orgId, documentId, { status, progress: rounded }, version);
  };

  try {
    await progress('parsing', 1);
    const bytes = await deps.files.get(`${orgId}/${chatbotId}/${documentId}/v${version}`);
    const pending: Promise<unknown>[] = [];
    const parsed = await parseDocument(new Uint8Array(bytes), {
      filename: doc.filename,
      declaredMime: doc.mimeType,
      maxPages: deps.config.MAX_PAGES_PER_DOCUMENT,
      onProgress: (pct) => void pending.push(progress('parsing', 1 + pct * 0.49)),
    });
    await Promise.all(pending);

    await progress('chunking', 50);
    const pieces = await chunkInSlices(parsed.pages);
    const language = guessLanguage(
      parsed.pages
        .map((p) => p.text)
        .join('\n')
        .slice(0, 20_000),
    );
    // The title the document will have once indexed: its stored vectors are computed with it (chunkItem).
    const title = doc.title === doc.filename && parsed.title ? parsed.title : doc.title;

    await progress('embedding', 55);
    // The knowledge base's embedder as of now; the indexed transaction below checks it has not been switched.
    const embedder = await repo.chatbotEmbedder(deps.db, orgId, chatbotId);
    const provider =
      embedder && !isBuiltinEmbedder(embedder.embedder)
        ? await embedderFor(deps, { orgId, id: chatbotId, ...embedder })
        : null;
    for (let i = 0; i < pieces.length; i += INSERT_BATCH) {
      const batch = pieces.slice(i, i + INSERT_BATCH);
      const rows = batch.map((c) => ({
        id: newId('chunk'),
        chatbotId,
        documentId,
        version,
        ordinal: c.ordinal,
        page: c.page,
        charStart: c.charStart,
        charEnd: c.charEnd,
        heading: c.heading ?? null,
        text: c.text,
        tokenCount: c.tokenCount,
        language,
      }));
      const items = rows.map((row) => chunkItem({ ...row, title, tags: doc.tags, metadata: doc.metadata }));
      // Built-in: exactly the vector the search index would compute for this chunk, so index builds reuse it.
      // A provider embeds the batch in a few requests (batched, bounded concurrency, each retried).
      const vectors = provider ? await provider.embedDocuments(items) : items.map((item) => embedItem(item));
      await repo.insertChunks(
        deps.db,
        orgId,
        rows.map((row, k) => ({ ...row, embedding: Array.from(vectors[k]!) })),
      );
      await progress(
        'embedding',
        55 + (44 * Math.min(pieces.length, i + INSERT_BATCH)) / Math.max(1, pieces.length),
      );
    }

    const indexed = await deps.db.transaction(async (tx) => {
      // The re-embed switch (reembed.job.ts) locks this row too: chunks embedded by an embedder the knowledge
      // base left meanwhile must not become searchable; the retry embeds them with the new one.
      const now = await repo.chatbotEmbedder(tx, orgId, chatbotId, { lock: true });
      if (now && embedder && now.embedder !== embedder.embedder) {
        throw new Error('the chatbot embedder changed during ingestion; retrying with the new one');
      }
      const at = new Date();
      const row = await repo.updateDocument(
        tx,
        orgId,
        documentId,
        {
          status: 'indexed',
          progress: 100,
          indexedVersion: version,
          // updatedAt = indexedAt marks the stored vectors as current (listSearchableChunks)…
          indexedAt: at,
          updatedAt: at,
          chunkCount: pieces.length,
          pageCount: parsed.pages.length,
          language,
          title,
          error: null,
          errorCode: null,
        },
        version,
      );
      if (row && !sameStrings(row.tags, doc.tags)) {
        // …unless the tags were edited while the chunks were being embedded: then the index embeds them itself.
        await repo.updateDocument(tx, orgId, documentId, { updatedAt: new Date(at.getTime() + 1) }, version);
      }
      if (row) await repo.deleteChunksExcept(tx, orgId, documentId, version); // older versions leave with it
      return row;
    });
    if (indexed) deps.indexCache.invalidate(indexCacheKey(orgId, chatbotId));
  } catch (err) {
    if (err instanceof ParseError) {
      // The file itself is the problem: retrying cannot help. Record why and stop.
      await repo.updateDocument(
        deps.db,
        orgId,
        documentId,
        { status: 'failed', error: err.message, errorCode: err.code },
        version,
      );
      await repo.deleteChunksOfVersion(deps.db, orgId, documentId, version);
      return;
    }
    await repo.updateDocument(
      deps.db,
      orgId,
      documentId,
      { status: 'failed', error: 'Ingestion failed unexpectedly; it will be retried', errorCode: 'internal' },
      version,
    );
    throw err;
  }
}

const sameStrings = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const PAGES_PER_SLICE = 20;

/**
 * chunkPages, a few pages at a time with a turn of the event loop in between: chunking a 1,000-page PDF takes
 * over a second of CPU, which in one piece would stall every request this process serves. The chunks are the
 * same as from one call: a chunk never spans pages, and the only state carried from page to page is the ordinal
 * and the current heading, which are carried here.
 */
export async function chunkInSlices(pages: ParsedPage[]): Promise<Chunk[]> {
  const out: Chunk[] = [];
  let heading: string | undefined;
  for (let i = 0; i < pages.length; i += PAGES_PER_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const c of chunkPages(pages.slice(i, i + PAGES_PER_SLICE))) {
      // Chunks of a slice before its first heading inherit the heading in force (chunkPages never unsets one).
      if (c.heading === undefined && heading !== undefined) c.heading = heading;
      heading = c.heading;
      out.push({ ...c, ordinal: out.length });
    }
  }
  return out;
}
