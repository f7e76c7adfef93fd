import { and, arrayContains, count, desc, eq, ilike, lt, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { snippets } from '../../platform/db/schema.ts';

export type SnippetRow = typeof snippets.$inferSelect;
export type SnippetWrite = Partial<Pick<SnippetRow, 'title' | 'language' | 'code' | 'tags'>>;

// Snippets are private: every query is scoped to the org AND the owning user.
const mine = (orgId: string, userId: string) => and(eq(snippets.orgId, orgId), eq(snippets.userId, userId));

export async function insertSnippets(
  db: DbOrTx,
  orgId: string,
  userId: string,
  rows: Omit<typeof snippets.$inferInsert, 'orgId' | 'userId'>[],
) {
  if (rows.length === 0) return [];
  return db
    .insert(snippets)
    .values(rows.map((r) => ({ ...r, orgId, userId })))
    .returning();
}

export async function getSnippet(db: DbOrTx, orgId: string, userId: string, snippetId: string) {
  const [row] = await db
    .select()
    .from(snippets)
    .where(and(mine(orgId, userId), eq(snippets.id, snippetId)));
  return row;
}

export interface SnippetFilter {
  q?: string;
  tag?: string;
  language?: string;
  before?: string;
  limit: number;
}

export async function listSnippets(db: DbOrTx, orgId: string, userId: string, f: SnippetFilter) {
  const pattern = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const where: (SQL | undefined)[] = [
    mine(orgId, userId),
    pattern ? or(ilike(snippets.title, pattern), ilike(snippets.code, pattern)) : undefined,
    f.tag ? arrayContains(snippets.tags, [f.tag]) : undefined,
    f.language ? eq(snippets.language, f.language) : undefined,
    f.before ? lt(snippets.id, f.before) : undefined,
  ];
  return db
    .select()
    .from(snippets)
    .where(and(...where))
    .orderBy(desc(snippets.id))
    .limit(f.limit + 1);
}

export async function countSnippets(db: DbOrTx, orgId: string, userId: string) {
  const [row] = await db.select({ n: count() }).from(snippets).where(mine(orgId, userId));
  return row?.n ?? 0;
}

export async function updateSnippet(
  db: DbOrTx,
  orgId: string,
  userId: string,
  snippetId: string,
  patch: SnippetWrite,
) {
  const [row] = await db
    .update(snippets)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(mine(orgId, userId), eq(snippets.id, snippetId)))
    .returning();
  return row;
}

export async function deleteSnippet(db: DbOrTx, orgId: string, userId: string, snippetId: string) {
  const rows = await db
    .delete(snippets)
    .where(and(mine(orgId, userId), eq(snippets.id, snippetId)))
    .returning({ id: snippets.id });
  return rows.length === 1;
}
