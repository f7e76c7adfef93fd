import { and, desc, eq, ilike, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { chatbots } from '../../platform/db/schema.ts';

export type ChatbotRow = typeof chatbots.$inferSelect;
export type ChatbotWrite = Partial<
  Pick<
    ChatbotRow,
    | 'name'
    | 'slug'
    | 'description'
    | 'systemPrompt'
    | 'modelSettings'
    | 'language'
    | 'status'
    | 'demoMessageLimit'
    | 'embed'
  >
>;

export async function insertChatbot(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof chatbots.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(chatbots)
    .values({ ...row, orgId })
    .onConflictDoNothing()
    .returning();
  return created; // undefined: slug taken in this org
}

export async function getChatbot(db: DbOrTx, orgId: string, botId: string): Promise<ChatbotRow | undefined> {
  const [row] = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.id, botId)));
  return row;
}

export async function chatbotSlugExists(db: DbOrTx, orgId: string, slug: string): Promise<boolean> {
  const [row] = await db
    .select({ id: chatbots.id })
    .from(chatbots)
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.slug, slug)));
  return !!row;
}

export async function listChatbots(
  db: DbOrTx,
  orgId: string,
  f: { before?: string; limit: number; status?: 'active' | 'disabled'; q?: string },
) {
  const pattern = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return db
    .select()
    .from(chatbots)
    .where(
      and(
        eq(chatbots.orgId, orgId),
        f.before ? lt(chatbots.id, f.before) : undefined,
        f.status ? eq(chatbots.status, f.status) : undefined,
        pattern ? or(ilike(chatbots.name, pattern), ilike(chatbots.slug, pattern)) : undefined,
      ),
    )
    .orderBy(desc(chatbots.id))
    .limit(f.limit + 1);
}

export async function updateChatbot(db: DbOrTx, orgId: string, botId: string, patch: ChatbotWrite) {
  const [row] = await db
    .update(chatbots)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.id, botId)))
    .returning();
  return row;
}

export async function deleteChatbot(db: DbOrTx, orgId: string, botId: string): Promise<boolean> {
  const rows = await db
    .delete(chatbots)
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.id, botId)))
    .returning({ id: chatbots.id });
  return rows.length === 1;
}

export async function getChatbotBySlug(
  db: DbOrTx,
  orgId: string,
  slug: string,
): Promise<ChatbotRow | undefined> {
  const [row] = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.slug, slug)));
  return row;
}

/** Switches the knowledge base's embedder (knowledge.reembed, once every vector of the new one is written). */
export async function setChatbotEmbedder(
  db: DbOrTx,
  orgId: string,
  botId: string,
  embedder: string,
  embeddingDims: number,
) {
  await db
    .update(chatbots)
    .set({ embedder, embeddingDims, updatedAt: new Date() })
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.id, botId)));
}

/** Locks the chatbot row for the re-embed switch (ingestion's publish step takes a share lock on it). */
export async function lockChatbot(db: DbOrTx, orgId: string, botId: string) {
  const [row] = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.orgId, orgId), eq(chatbots.id, botId)))
    .for('update');
  return row;
}
