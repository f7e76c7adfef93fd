import { and, asc, desc, eq, gt, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { conversations, llmCalls, messageFeedback, messages } from '../../platform/db/schema.ts';

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type LlmCallRow = typeof llmCalls.$inferSelect;
export type ChatMode = MessageRow['mode'];

/** Who owns a conversation: exactly one of these is set. Conversations are private to their owner. */
export type Owner = { userId: string } | { apiKeyId: string } | { guestSessionId: string };

function ownerWhere(owner: Owner): SQL {
  if ('userId' in owner) return eq(conversations.userId, owner.userId);
  if ('apiKeyId' in owner) return eq(conversations.apiKeyId, owner.apiKeyId);
  return eq(conversations.guestSessionId, owner.guestSessionId);
}

export async function insertConversation(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof conversations.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(conversations)
    .values({ ...row, orgId })
    .returning();
  return created!;
}

/** `owner` null = any owner (org admins browsing every conversation of a chatbot). */
export async function getConversation(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  convId: string,
  owner: Owner | null,
) {
  const [row] = await db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.orgId, orgId),
        eq(conversations.chatbotId, chatbotId),
        eq(conversations.id, convId),
        owner ? ownerWhere(owner) : undefined,
      ),
    );
  return row;
}

export interface ConversationFilter {
  owner: Owner | null;
  q?: string;
  channel?: ConversationRow['channel'];
  before?: string;
  limit: number;
}

export async function listConversations(db: DbOrTx, orgId: string, chatbotId: string, f: ConversationFilter) {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.orgId, orgId),
        eq(conversations.chatbotId, chatbotId),
        f.owner ? ownerWhere(f.owner) : undefined,
        f.channel ? eq(conversations.channel, f.channel) : undefined,
        f.before ? lt(conversations.id, f.before) : undefined,
        // search titles and message text (seed 000: conversation search)
        like
          ? or(
              ilike(conversations.title, like),
              sql`exists (select 1 from ${messages} m where m.conversation_id = ${conversations.id} and m.content ilike ${like})`,
            )
          : undefined,
      ),
    )
    .orderBy(desc(conversations.id))
    .limit(f.limit + 1);
}

export async function updateConversation(
  db: DbOrTx,
  orgId: string,
  convId: string,
  patch: Partial<typeof conversations.$inferInsert>,
) {
  const [row] = await db
    .update(conversations)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(conversations.orgId, orgId), eq(conversations.id, convId)))
    .returning();
  return row;
}

export async function deleteConversation(db: DbOrTx, orgId: string, convId: string) {
  const rows = await db
    .delete(conversations)
    .where(and(eq(conversations.orgId, orgId), eq(conversations.id, convId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

export async function insertMessage(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof messages.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(messages)
    .values({ ...row, orgId })
    .returning();
  return created!;
}

export async function updateMessage(
  db: DbOrTx,
  orgId: string,
  msgId: string,
  patch: Partial<typeof messages.$inferInsert>,
) {
  const [row] = await db
    .update(messages)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(messages.orgId, orgId), eq(messages.id, msgId)))
    .returning();
  return row;
}

/**
 * Stores a turn's question and the answer's placeholder, counts them on the conversation, moves it to the top
 * of its owner's list and, on the first turn of an auto-titled conversation, sets `title`. Two statements
 * (run them in one transaction): a chat turn on the embedded database's single connection pays per query.
 */
export async function insertTurn(
  db: DbOrTx,
  orgId: string,
  convId: string,
  rows: [Omit<typeof messages.$inferInsert, 'orgId'>, Omit<typeof messages.$inferInsert, 'orgId'>],
  title: string,
) {
  const created = await db
    .insert(messages)
    .values(rows.map((r) => ({ ...r, orgId })))
    .returning();
  const now = new Date();
  const [conversation] = await db
    .update(conversations)
    .set({
      messageCount: sql`${conversations.messageCount} + ${rows.length}`,
      title: sql`case when ${conversations.messageCount} = 0 and ${conversations.titleSource} = 'auto' then ${title} else ${conversations.title} end`,
      lastMessageAt: now,
      updatedAt: now,
    })
    .where(and(eq(conversations.orgId, orgId), eq(conversations.id, convId)))
    .returning();
  const byId = new Map(created.map((m) => [m.id, m]));
  return { question: byId.get(rows[0].id!)!, answer: byId.get(rows[1].id!)!, conversation: conversation! };
}

export async function getMessage(db: DbOrTx, orgId: string, convId: string, msgId: string) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.orgId, orgId), eq(messages.conversationId, convId), eq(messages.id, msgId)));
  return row;
}

/** A page of history, newest first (`before`) or oldest first (`after`). */
export async function listMessages(
  db: DbOrTx,
  orgId: string,
  convId: string,
  page: { before?: string; after?: string; limit: number },
) {
  const base = and(eq(messages.orgId, orgId), eq(messages.conversationId, convId));
  if (page.after) {
    return db
      .select()
      .from(messages)
      .where(and(base, gt(messages.id, page.after)))
      .orderBy(asc(messages.id))
      .limit(page.limit + 1);
  }
  return db
    .select()
    .from(messages)
    .where(and(base, page.before ? lt(messages.id, page.before) : undefined))
    .orderBy(desc(messages.id))
    .limit(page.limit + 1);
}

/** The last `n` finished messages, oldest first: the history window of a new turn. */
export async function recentMessages(db: DbOrTx, orgId: string, convId: string, n: number) {
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(eq(messages.orgId, orgId), eq(messages.conversationId, convId), eq(messages.status, 'complete')),
    )
    .orderBy(desc(messages.id))
    .limit(n);
  return rows.reverse();
}

export async function upsertFeedback(
  db: DbOrTx,
  orgId: string,
  row: { id: string; messageId: string; raterId: string; rating: 'up' | 'down'; comment: string | null },
) {
  const [saved] = await db
    .insert(messageFeedback)
    .values({ ...row, orgId })
    .onConflictDoUpdate({
      target: [messageFeedback.messageId, messageFeedback.raterId],
      set: { rating: row.rating, comment: row.comment, updatedAt: new Date() },
    })
    .returning();
  return saved!;
}

/** The rater's feedback on each of `msgIds` (the history page shows your own rating). */
export async function feedbackByMessage(db: DbOrTx, orgId: string, raterId: string, msgIds: string[]) {
  if (msgIds.length === 0) return new Map<string, { rating: 'up' | 'down'; comment: string | null }>();
  const rows = await db
    .select({
      messageId: messageFeedback.messageId,
      rating: messageFeedback.rating,
      comment: messageFeedback.comment,
    })
    .from(messageFeedback)
    .where(
      and(
        eq(messageFeedback.orgId, orgId),
        eq(messageFeedback.raterId, raterId),
        inArray(messageFeedback.messageId, msgIds),
      ),
    );
  return new Map(rows.map((r) => [r.messageId, { rating: r.rating, comment: r.comment }]));
}

export async function getFeedback(db: DbOrTx, orgId: string, msgId: string, raterId: string) {
  const [row] = await db
    .select()
    .from(messageFeedback)
    .where(
      and(
        eq(messageFeedback.orgId, orgId),
        eq(messageFeedback.messageId, msgId),
        eq(messageFeedback.raterId, raterId),
      ),
    );
  return row;
}

export async function insertLlmCall(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof llmCalls.$inferInsert, 'orgId'>,
) {
  await db.insert(llmCalls).values({ ...row, orgId });
}

export async function listLlmCalls(db: DbOrTx, orgId: string, msgId: string) {
  return db
    .select()
    .from(llmCalls)
    .where(and(eq(llmCalls.orgId, orgId), eq(llmCalls.messageId, msgId)))
    .orderBy(asc(llmCalls.id));
}

/** Finished messages with afterId < id < beforeId, oldest first: the turns a running summary has not covered. */
export async function messagesBetween(
  db: DbOrTx,
  orgId: string,
  convId: string,
  afterId: string | null,
  beforeId: string,
  limit: number,
) {
  return db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.orgId, orgId),
        eq(messages.conversationId, convId),
        eq(messages.status, 'complete'),
        afterId ? gt(messages.id, afterId) : undefined,
        lt(messages.id, beforeId),
      ),
    )
    .orderBy(asc(messages.id))
    .limit(limit);
}
