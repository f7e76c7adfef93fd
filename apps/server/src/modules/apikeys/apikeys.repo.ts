import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { apiKeys } from '../../platform/db/schema.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof apiKeys.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(apiKeys)
    .values({ ...row, orgId })
    .returning();
  return created!;
}

/** chatbotId null lists the org-level keys; a bot id lists that chatbot's keys. */
export async function listApiKeys(
  db: DbOrTx,
  orgId: string,
  chatbotId: string | null,
  before: string | undefined,
  limit: number,
) {
  return db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, orgId),
        chatbotId === null ? isNull(apiKeys.chatbotId) : eq(apiKeys.chatbotId, chatbotId),
        before ? lt(apiKeys.id, before) : undefined,
      ),
    )
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
}

export async function getApiKey(db: DbOrTx, orgId: string, chatbotId: string | null, keyId: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, orgId),
        eq(apiKeys.id, keyId),
        chatbotId === null ? isNull(apiKeys.chatbotId) : eq(apiKeys.chatbotId, chatbotId),
      ),
    )
    .for('update');
  return row;
}

export async function updateApiKey(
  db: DbOrTx,
  orgId: string,
  keyId: string,
  patch: Partial<Pick<ApiKeyRow, 'expiresAt' | 'revokedAt' | 'rotatedToId' | 'name'>>,
) {
  const [row] = await db
    .update(apiKeys)
    .set(patch)
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, keyId)))
    .returning();
  return row;
}

/**
 * Authentication lookup by the secret's hash. The key itself names its org, so this is the one query that
 * cannot start from an org id; every later step uses the org id it returns.
 */
export async function findApiKeyByHash(db: DbOrTx, keyHash: string) {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash));
  return row;
}

export async function touchApiKey(db: DbOrTx, orgId: string, keyId: string, at: Date) {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, keyId)));
}
