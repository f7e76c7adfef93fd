import { and, arrayContains, desc, eq, ilike, inArray, isNotNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { chatbots, chunks, documents } from '../../platform/db/schema.ts';

export type DocumentRow = typeof documents.$inferSelect;
export type ChunkRow = typeof chunks.$inferSelect;
export type DocumentStatus = DocumentRow['status'];

export async function insertDocument(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof documents.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(documents)
    .values({ ...row, orgId })
    .returning();
  return created!;
}

export async function getDocument(db: DbOrTx, orgId: string, chatbotId: string, docId: string) {
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.orgId, orgId), eq(documents.chatbotId, chatbotId), eq(documents.id, docId)));
  return row;
}

export interface DocumentFilter {
  status?: DocumentStatus;
  tag?: string;
  q?: string;
  before?: string;
  limit: number;
}

export async function listDocuments(db: DbOrTx, orgId: string, chatbotId: string, f: DocumentFilter) {
  const where: (SQL | undefined)[] = [
    eq(documents.orgId, orgId),
    eq(documents.chatbotId, chatbotId),
    f.status ? eq(documents.status, f.status) : undefined,
    f.tag ? arrayContains(documents.tags, [f.tag]) : undefined,
    f.q ? ilike(documents.title, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
    f.before ? lt(documents.id, f.before) : undefined,
  ];
  return db
    .select()
    .from(documents)
    .where(and(...where))
    .orderBy(desc(documents.id))
    .limit(f.limit + 1);
}

export async function countDocuments(db: DbOrTx, orgId: string, chatbotId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(documents)
    .where(and(eq(documents.orgId, orgId), eq(documents.chatbotId, chatbotId)));
  return row?.n ?? 0;
}

export async function findDocumentByHash(db: DbOrTx, orgId: string, chatbotId: string, contentHash: string) {
  const [row] = await db
    .select()
    .from(documents)
    .where(
      and(
        eq(documents.orgId, orgId),
        eq(documents.chatbotId, chatbotId),
        eq(documents.contentHash, contentHash),
      ),
    );
  return row;
}

export async function updateDocument(
  db: DbOrTx,
  orgId: string,
  docId: string,
  patch: Partial<Omit<DocumentRow, 'id' | 'orgId' | 'chatbotId' | 'createdAt'>>,
  onlyVersion?: number,
) {
  const [row] = await db
    .update(documents)
    // A patch may set updatedAt itself: ingestion makes it equal indexedAt (see listSearchableChunks).
    .set({ updatedAt: new Date(), ...patch })
    .where(
      and(
        eq(documents.orgId, orgId),
        eq(documents.id, docId),
        onlyVersion === undefined ? undefined : eq(documents.version, onlyVersion),
      ),
    )
    .returning();
  return row;
}

export async function deleteDocument(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  docId: string,
): Promise<boolean> {
  const rows = await db
    .delete(documents)
    .where(and(eq(documents.orgId, orgId), eq(documents.chatbotId, chatbotId), eq(documents.id, docId)))
    .returning({ id: documents.id });
  return rows.length === 1;
}

export async function insertChunks(
  db: DbOrTx,
  orgId: string,
  rows: Omit<typeof chunks.$inferInsert, 'orgId'>[],
) {
  if (rows.length === 0) return;
  await db
    .insert(chunks)
    .values(rows.map((r) => ({ ...r, orgId })))
    // A resumed ingestion keeps the chunks already stored (same text: chunking is deterministic) but writes its
    // own vectors: they depend on the document's title and tags, which may have been edited in between.
    .onConflictDoUpdate({
      target: [chunks.documentId, chunks.version, chunks.ordinal],
      set: { embedding: sql`excluded.embedding` },
    });
}

/** Removes chunks of every version but `keepVersion` (null: all of them). */
export async function deleteChunksExcept(
  db: DbOrTx,
  orgId: string,
  docId: string,
  keepVersion: number | null,
) {
  await db
    .delete(chunks)
    .where(
      and(
        eq(chunks.orgId, orgId),
        eq(chunks.documentId, docId),
        keepVersion === null ? undefined : ne(chunks.version, keepVersion),
      ),
    );
}

export async function deleteChunksOfVersion(db: DbOrTx, orgId: string, docId: string, version: number) {
  await db
    .delete(chunks)
    .where(and(eq(chunks.orgId, orgId), eq(chunks.documentId, docId), eq(chunks.version, version)));
}

export async function listChunks(
  db: DbOrTx,
  orgId: string,
  docId: string,
  version: number,
  afterOrdinal: number,
  limit: number,
) {
  return db
    .select()
    .from(chunks)
    .where(
      and(
        eq(chunks.orgId, orgId),
        eq(chunks.documentId, docId),
        eq(chunks.version, version),
        sql`${chunks.ordinal} > ${afterOrdinal}`,
      ),
    )
    .orderBy(chunks.ordinal)
    .limit(limit + 1);
}

/** Chunks read per query when a chatbot's index is loaded (see listSearchableChunks). */
const SEARCHABLE_BATCH = 10_000;

/**
 * Every searchable chunk of a chatbot: only the indexed version of each document, in document and ordinal order.
 * `vectorCurrent`: nothing has changed the document since it was indexed (ingestion writes updatedAt = indexedAt
 * in the same statement), so the stored embedding was computed from the title and tags it has now and the index
 * may use it as is.
 *
 * Read ~10k chunks at a time, by documents: one query for 100k chunks made the embedded database's memory grow
 * by ~350 MB more, for good (WebAssembly memory never shrinks), and held its only connection for seconds.
 * Batches are separate statements: a document indexed or deleted meanwhile can make this read inconsistent, but
 * such a change also invalidates the index cache, so a read that overlapped it is never cached.
 */
export async function listSearchableChunks(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  batchSize = SEARCHABLE_BATCH,
) {
  const docs = await db
    .select({
      id: documents.id,
      title: documents.title,
      tags: documents.tags,
      metadata: documents.metadata,
      chunkCount: documents.chunkCount,
      vectorCurrent: sql<boolean>`${documents.updatedAt} = ${documents.indexedAt}`,
    })
    .from(documents)
    .where(
      and(
        eq(documents.orgId, orgId),
        eq(documents.chatbotId, chatbotId),
        isNotNull(documents.indexedVersion),
      ),
    )
    .orderBy(documents.id);
  const out = [];
  for (let next = 0; next < docs.length;) {
    const batch = new Map<string, (typeof docs)[number]>();
    for (
      let n = 0;
      next < docs.length &&
      (batch.size === 0 || (n + (docs[next]!.chunkCount ?? 0) <= batchSize && batch.size < 1000));
    ) {
      n += docs[next]!.chunkCount ?? 0;
      batch.set(docs[next]!.id, docs[next++]!);
    }
    const rows = await db
      .select({
        id: chunks.id,
        documentId: chunks.documentId,
        page: chunks.page,
        ordinal: chunks.ordinal,
        charStart: chunks.charStart,
        charEnd: chunks.charEnd,
        heading: chunks.heading,
        text: chunks.text,
        language: chunks.language,
        // Binary array format: pg's text parser of real[] took most of the time of reading 100k chunks.
        embeddingBytes: sql<Buffer | null>`array_send(${chunks.embedding})`,
      })
      .from(chunks)
      .innerJoin(
        documents,
        and(eq(documents.id, chunks.documentId), eq(documents.indexedVersion, chunks.version)),
      )
      .where(
        and(
          eq(chunks.orgId, orgId),
          eq(chunks.chatbotId, chatbotId),
          inArray(chunks.documentId, [...batch.keys()]),
        ),
      );
    // Sorted here: in SQL the sort (texts included) spilled to disk with the default work_mem.
    rows.sort((a, b) =>
      a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.ordinal - b.ordinal,
    );
    for (const r of rows) {
      const doc = batch.get(r.documentId)!;
      out.push({
        id: r.id,
        documentId: r.documentId,
        page: r.page,
        ordinal: r.ordinal,
        charStart: r.charStart,
        charEnd: r.charEnd,
        heading: r.heading,
        text: r.text,
        language: r.language,
        title: doc.title,
        tags: doc.tags,
        metadata: doc.metadata,
        vectorCurrent: doc.vectorCurrent,
        embedding: decodeFloat4Array(r.embeddingBytes),
      });
    }
  }
  return out;
}

/**
 * A one-dimensional real[] in PostgreSQL's binary array format (array_send): ndim, has-nulls flag, element type,
 * then length and lower bound of the dimension, then each element as a length (4) and a big-endian float4.
 * Null for anything else (null, other shapes, null elements), which callers treat as "no stored vector".
 */
export function decodeFloat4Array(bytes: Uint8Array | null): Float32Array | null {
  if (!bytes || bytes.byteLength < 12) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = view.getInt32(0);
  if (ndim === 0) return new Float32Array(0);
  if (ndim !== 1 || view.getInt32(4) !== 0 || bytes.byteLength < 20) return null;
  const length = view.getInt32(12);
  if (bytes.byteLength !== 20 + length * 8) return null;
  const out = new Float32Array(length);
  for (let i = 0, at = 20; i < length; i++, at += 8) {
    if (view.getInt32(at) !== 4) return null;
    out[i] = view.getFloat32(at + 4);
  }
  return out;
}

/**
 * The chatbot's embedder and dimension. `lock` (in a transaction) takes a share lock on the row: the re-embed
 * switch takes an update lock, so an ingestion cannot publish chunks of an embedder being switched away from.
 */
export async function chatbotEmbedder(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  opts: { lock?: boolean } = {},
): Promise<{ embedder: string; embeddingDims: number } | undefined> {
  const q = db
    .select({ embedder: chatbots.embedder, embeddingDims: chatbots.embeddingDims })
    .from(chatbots)
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.id, chatbotId)));
  const [row] = opts.lock ? await q.for('share') : await q;
  return row;
}

/** Overwrites the vectors of some chunks of a chatbot (ids no longer there are skipped). */
export async function updateChunkEmbeddings(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  rows: { id: string; embedding: number[] }[],
) {
  if (rows.length === 0) return;
  await db.execute(sql`
    update ${chunks} set embedding = v.e
    from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, e: r.embedding })))}::jsonb)
      as v(id text, e real[])
    where ${chunks.orgId} = ${orgId} and ${chunks.chatbotId} = ${chatbotId} and ${chunks.id} = v.id`);
}
