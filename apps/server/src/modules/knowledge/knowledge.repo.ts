import { and, arrayContains, desc, eq, ilike, isNotNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { chunks, documents } from '../../platform/db/schema.ts';

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
    .set({ ...patch, updatedAt: new Date() })
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
    .onConflictDoNothing();
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

/** Every searchable chunk of a chatbot: only the indexed version of each document. */
export async function listSearchableChunks(db: DbOrTx, orgId: string, chatbotId: string) {
  return db
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
      embedding: chunks.embedding,
      title: documents.title,
      tags: documents.tags,
      metadata: documents.metadata,
    })
    .from(chunks)
    .innerJoin(
      documents,
      and(eq(documents.id, chunks.documentId), eq(documents.indexedVersion, chunks.version)),
    )
    .where(
      and(eq(chunks.orgId, orgId), eq(chunks.chatbotId, chatbotId), isNotNull(documents.indexedVersion)),
    );
}
