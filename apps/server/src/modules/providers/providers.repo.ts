import { and, asc, desc, eq, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { modelProviders } from '../../platform/db/schema.ts';

export type ProviderRow = typeof modelProviders.$inferSelect;
export type CatalogueEntry = ProviderRow['models'][number];
export type ProviderWrite = Partial<
  Pick<
    ProviderRow,
    | 'name'
    | 'preset'
    | 'baseUrl'
    | 'apiKeyEnc'
    | 'keyHint'
    | 'models'
    | 'timeoutMs'
    | 'maxRetries'
    | 'enabled'
  >
>;

export async function insertProvider(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof modelProviders.$inferInsert, 'orgId'>,
): Promise<ProviderRow | undefined> {
  const [created] = await db
    .insert(modelProviders)
    .values({ ...row, orgId })
    .onConflictDoNothing()
    .returning();
  return created; // undefined: the name is taken in this org
}

export async function getProvider(
  db: DbOrTx,
  orgId: string,
  providerId: string,
): Promise<ProviderRow | undefined> {
  const [row] = await db
    .select()
    .from(modelProviders)
    .where(and(eq(modelProviders.orgId, orgId), eq(modelProviders.id, providerId)));
  return row;
}

export async function providerNameExists(db: DbOrTx, orgId: string, name: string): Promise<boolean> {
  const [row] = await db
    .select({ id: modelProviders.id })
    .from(modelProviders)
    .where(and(eq(modelProviders.orgId, orgId), eq(modelProviders.name, name)));
  return !!row;
}

export async function listProviders(db: DbOrTx, orgId: string, f: { before?: string; limit: number }) {
  return db
    .select()
    .from(modelProviders)
    .where(and(eq(modelProviders.orgId, orgId), f.before ? lt(modelProviders.id, f.before) : undefined))
    .orderBy(desc(modelProviders.id))
    .limit(f.limit + 1);
}

/** Enabled providers with their catalogues, oldest first (the org's model list keeps a stable order). */
export async function listEnabledCatalogues(db: DbOrTx, orgId: string) {
  return db
    .select({
      id: modelProviders.id,
      name: modelProviders.name,
      preset: modelProviders.preset,
      models: modelProviders.models,
    })
    .from(modelProviders)
    .where(and(eq(modelProviders.orgId, orgId), eq(modelProviders.enabled, true)))
    .orderBy(asc(modelProviders.id))
    .limit(200);
}

export async function updateProvider(db: DbOrTx, orgId: string, providerId: string, patch: ProviderWrite) {
  const [row] = await db
    .update(modelProviders)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(modelProviders.orgId, orgId), eq(modelProviders.id, providerId)))
    .returning();
  return row;
}

export async function deleteProvider(db: DbOrTx, orgId: string, providerId: string): Promise<boolean> {
  const rows = await db
    .delete(modelProviders)
    .where(and(eq(modelProviders.orgId, orgId), eq(modelProviders.id, providerId)))
    .returning({ id: modelProviders.id });
  return rows.length === 1;
}
