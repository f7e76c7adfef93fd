import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { authTokens, refreshTokens, users } from '../../platform/db/schema.ts';

// Users and credentials are platform-level (a user may belong to many orgs), so these functions take no org id.

export type UserRow = typeof users.$inferSelect;

export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`);
  return row;
}

export async function findUserById(db: DbOrTx, userId: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row;
}

/** The first user of an installation becomes its platform administrator. */
export async function insertUser(
  db: DbOrTx,
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'passwordHash' | 'preferences'>,
): Promise<UserRow> {
  const [row] = await db
    .insert(users)
    .values({ ...user, isPlatformAdmin: sql`not exists (select 1 from ${users})` })
    .onConflictDoNothing()
    .returning();
  if (!row) throw Object.assign(new Error('email taken'), { code: 'email_taken' });
  return row;
}

export async function updateUser(
  db: DbOrTx,
  userId: string,
  patch: Partial<
    Pick<UserRow, 'name' | 'preferences' | 'passwordHash' | 'emailVerifiedAt' | 'isPlatformAdmin'>
  >,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning();
  return row;
}

export async function insertRefreshToken(db: DbOrTx, row: typeof refreshTokens.$inferInsert): Promise<void> {
  await db.insert(refreshTokens).values(row);
}

export async function findRefreshToken(db: DbOrTx, tokenHash: string) {
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return row;
}

/** Marks a token used; false when another request used it first (concurrent reuse). */
export async function markRefreshTokenUsed(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .update(refreshTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length === 1;
}

export async function revokeRefreshFamily(db: DbOrTx, familyId: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

export async function revokeAllRefreshTokens(db: DbOrTx, userId: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

export async function insertAuthToken(db: DbOrTx, row: typeof authTokens.$inferInsert): Promise<void> {
  await db.insert(authTokens).values(row);
}

/** Consumes a single-use token atomically: returns it only if it was unused, unexpired and of this purpose. */
export async function consumeAuthToken(
  db: DbOrTx,
  tokenHash: string,
  purpose: 'verify_email' | 'reset_password',
) {
  const [row] = await db
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(authTokens.tokenHash, tokenHash),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        sql`${authTokens.expiresAt} > now()`,
      ),
    )
    .returning();
  return row;
}
