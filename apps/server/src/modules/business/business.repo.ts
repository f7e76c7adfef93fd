import { and, arrayContains, desc, eq, ilike, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { businessProfiles, catalogueItems } from '../../platform/db/schema.ts';

export type BusinessProfileRow = typeof businessProfiles.$inferSelect;
export type CatalogueItemRow = typeof catalogueItems.$inferSelect;
export type CatalogueWrite = Partial<Omit<CatalogueItemRow, 'id' | 'orgId' | 'createdAt' | 'updatedAt'>>;

export async function getProfile(db: DbOrTx, orgId: string) {
  const [row] = await db.select().from(businessProfiles).where(eq(businessProfiles.orgId, orgId));
  return row;
}

export async function upsertProfile(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof businessProfiles.$inferInsert, 'orgId' | 'updatedAt'>,
) {
  const values = { ...row, orgId, updatedAt: new Date() };
  const [saved] = await db
    .insert(businessProfiles)
    .values(values)
    .onConflictDoUpdate({ target: businessProfiles.orgId, set: values })
    .returning();
  return saved!;
}

export async function insertItem(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof catalogueItems.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(catalogueItems)
    .values({ ...row, orgId })
    .onConflictDoNothing()
    .returning();
  return created; // undefined: the SKU is taken in this org
}

export async function getItem(db: DbOrTx, orgId: string, itemId: string) {
  const [row] = await db
    .select()
    .from(catalogueItems)
    .where(and(eq(catalogueItems.orgId, orgId), eq(catalogueItems.id, itemId)));
  return row;
}

/** Another item of the org holding this SKU (SKUs are unique per org). */
export async function findItemBySku(db: DbOrTx, orgId: string, sku: string, exceptId?: string) {
  const [row] = await db
    .select({ id: catalogueItems.id })
    .from(catalogueItems)
    .where(
      and(
        eq(catalogueItems.orgId, orgId),
        eq(catalogueItems.sku, sku),
        exceptId ? ne(catalogueItems.id, exceptId) : undefined,
      ),
    );
  return row;
}

export interface CatalogueFilter {
  q?: string;
  category?: string;
  available?: boolean;
  tag?: string;
  before?: string;
  limit: number;
}

export async function listItems(db: DbOrTx, orgId: string, f: CatalogueFilter) {
  const pattern = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const where: (SQL | undefined)[] = [
    eq(catalogueItems.orgId, orgId),
    pattern
      ? or(
          ilike(catalogueItems.name, pattern),
          ilike(catalogueItems.description, pattern),
          ilike(catalogueItems.sku, pattern),
        )
      : undefined,
    f.category ? eq(catalogueItems.category, f.category) : undefined,
    f.available === undefined ? undefined : eq(catalogueItems.available, f.available),
    f.tag ? arrayContains(catalogueItems.tags, [f.tag]) : undefined,
    f.before ? lt(catalogueItems.id, f.before) : undefined,
  ];
  return db
    .select()
    .from(catalogueItems)
    .where(and(...where))
    .orderBy(desc(catalogueItems.id))
    .limit(f.limit + 1);
}

export async function countItems(db: DbOrTx, orgId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(catalogueItems)
    .where(eq(catalogueItems.orgId, orgId));
  return row?.n ?? 0;
}

/** The whole catalogue of an org, for the search indexes of its chatbots. */
export async function listAllItems(db: DbOrTx, orgId: string) {
  return db.select().from(catalogueItems).where(eq(catalogueItems.orgId, orgId));
}

export async function updateItem(db: DbOrTx, orgId: string, itemId: string, patch: CatalogueWrite) {
  const [row] = await db
    .update(catalogueItems)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(catalogueItems.orgId, orgId), eq(catalogueItems.id, itemId)))
    .returning();
  return row;
}

export async function deleteItem(db: DbOrTx, orgId: string, itemId: string): Promise<boolean> {
  const rows = await db
    .delete(catalogueItems)
    .where(and(eq(catalogueItems.orgId, orgId), eq(catalogueItems.id, itemId)))
    .returning({ id: catalogueItems.id });
  return rows.length === 1;
}
