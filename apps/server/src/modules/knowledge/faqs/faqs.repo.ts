import { and, arrayContains, desc, eq, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.ts';
import { faqs } from '../../../platform/db/schema.ts';

export type FaqRow = typeof faqs.$inferSelect;
export type FaqWrite = Partial<
  Pick<FaqRow, 'question' | 'answer' | 'tags' | 'enabled' | 'language' | 'embedding'>
>;

export async function insertFaqs(db: DbOrTx, orgId: string, rows: Omit<typeof faqs.$inferInsert, 'orgId'>[]) {
  if (rows.length === 0) return [];
  return db
    .insert(faqs)
    .values(rows.map((r) => ({ ...r, orgId })))
    .returning();
}

export async function getFaq(db: DbOrTx, orgId: string, chatbotId: string, faqId: string) {
  const [row] = await db
    .select()
    .from(faqs)
    .where(and(eq(faqs.orgId, orgId), eq(faqs.chatbotId, chatbotId), eq(faqs.id, faqId)));
  return row;
}

export interface FaqFilter {
  q?: string;
  tag?: string;
  enabled?: boolean;
  before?: string;
  limit: number;
}

export async function listFaqs(db: DbOrTx, orgId: string, chatbotId: string, f: FaqFilter) {
  const pattern = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const where: (SQL | undefined)[] = [
    eq(faqs.orgId, orgId),
    eq(faqs.chatbotId, chatbotId),
    pattern ? or(ilike(faqs.question, pattern), ilike(faqs.answer, pattern)) : undefined,
    f.tag ? arrayContains(faqs.tags, [f.tag]) : undefined,
    f.enabled === undefined ? undefined : eq(faqs.enabled, f.enabled),
    f.before ? lt(faqs.id, f.before) : undefined,
  ];
  return db
    .select()
    .from(faqs)
    .where(and(...where))
    .orderBy(desc(faqs.id))
    .limit(f.limit + 1);
}

/** Every FAQ of a chatbot without its embedding: duplicate detection compares questions in the service. */
export async function listFaqQuestions(db: DbOrTx, orgId: string, chatbotId: string) {
  return db
    .select({ id: faqs.id, question: faqs.question, answer: faqs.answer, tags: faqs.tags })
    .from(faqs)
    .where(and(eq(faqs.orgId, orgId), eq(faqs.chatbotId, chatbotId)));
}

/** The enabled FAQs of a chatbot, for its search index. */
export async function listSearchableFaqs(db: DbOrTx, orgId: string, chatbotId: string) {
  return db
    .select({
      id: faqs.id,
      question: faqs.question,
      answer: faqs.answer,
      tags: faqs.tags,
      language: faqs.language,
      embedding: faqs.embedding,
    })
    .from(faqs)
    .where(and(eq(faqs.orgId, orgId), eq(faqs.chatbotId, chatbotId), eq(faqs.enabled, true)));
}

export async function updateFaq(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  faqId: string,
  patch: FaqWrite,
) {
  const [row] = await db
    .update(faqs)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(faqs.orgId, orgId), eq(faqs.chatbotId, chatbotId), eq(faqs.id, faqId)))
    .returning();
  return row;
}

export async function deleteFaq(db: DbOrTx, orgId: string, chatbotId: string, faqId: string) {
  const rows = await db
    .delete(faqs)
    .where(and(eq(faqs.orgId, orgId), eq(faqs.chatbotId, chatbotId), eq(faqs.id, faqId)))
    .returning({ id: faqs.id });
  return rows.length === 1;
}

/** Every FAQ of a chatbot, enabled or not, as the embedder sees it (knowledge.reembed). */
export async function listFaqsForEmbedding(db: DbOrTx, orgId: string, chatbotId: string) {
  return db
    .select({
      id: faqs.id,
      question: faqs.question,
      answer: faqs.answer,
      tags: faqs.tags,
      language: faqs.language,
    })
    .from(faqs)
    .where(and(eq(faqs.orgId, orgId), eq(faqs.chatbotId, chatbotId)))
    .orderBy(faqs.id);
}

/** Overwrites the vectors of some FAQs of a chatbot (ids no longer there are skipped). */
export async function updateFaqEmbeddings(
  db: DbOrTx,
  orgId: string,
  chatbotId: string,
  rows: { id: string; embedding: number[] }[],
) {
  if (rows.length === 0) return;
  await db.execute(sql`
    update ${faqs} set embedding = v.e
    from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, e: r.embedding })))}::jsonb)
      as v(id text, e real[])
    where ${faqs.orgId} = ${orgId} and ${faqs.chatbotId} = ${chatbotId} and ${faqs.id} = v.id`);
}
