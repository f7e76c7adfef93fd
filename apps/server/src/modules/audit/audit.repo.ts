import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import { auditLogs } from '../../platform/db/schema.ts';
import type { DbOrTx } from '../../platform/db/database.ts';

export type AuditRow = typeof auditLogs.$inferSelect;
export type NewAuditRow = typeof auditLogs.$inferInsert;

export async function insertAuditLog(db: DbOrTx, orgId: string | null, row: Omit<NewAuditRow, 'orgId'>) {
  await db.insert(auditLogs).values({ ...row, orgId });
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  before?: string;
  limit: number;
}

/** orgId null lists every org's entries (platform admins). */
export async function listAuditLogs(db: DbOrTx, orgId: string | null, f: AuditFilter): Promise<AuditRow[]> {
  const where: (SQL | undefined)[] = [
    orgId === null ? undefined : eq(auditLogs.orgId, orgId),
    f.action ? eq(auditLogs.action, f.action) : undefined,
    f.actorId ? eq(auditLogs.actorId, f.actorId) : undefined,
    f.targetType ? eq(auditLogs.targetType, f.targetType) : undefined,
    f.targetId ? eq(auditLogs.targetId, f.targetId) : undefined,
    f.from ? gte(auditLogs.createdAt, f.from) : undefined,
    f.to ? lte(auditLogs.createdAt, f.to) : undefined,
    f.before ? lt(auditLogs.id, f.before) : undefined,
  ];
  return db
    .select()
    .from(auditLogs)
    .where(and(...where))
    .orderBy(desc(auditLogs.id))
    .limit(f.limit + 1);
}
