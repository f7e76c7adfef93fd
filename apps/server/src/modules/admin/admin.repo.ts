import { and, desc, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { emailOutbox, users } from '../../platform/db/schema.ts';

// Platform-wide tables (not org-scoped): only platform administrators reach these functions.

export async function listOutbox(db: DbOrTx, f: { to?: string; before?: string; limit: number }) {
  return db
    .select()
    .from(emailOutbox)
    .where(
      and(
        f.to ? sql`lower(${emailOutbox.toAddress}) = lower(${f.to})` : undefined,
        f.before ? lt(emailOutbox.id, f.before) : undefined,
      ),
    )
    .orderBy(desc(emailOutbox.id))
    .limit(f.limit + 1);
}

export async function isPlatformAdmin(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ admin: users.isPlatformAdmin })
    .from(users)
    .where(sql`${users.id} = ${userId}`);
  return row?.admin ?? false;
}
