import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Role } from '@kawan/contracts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { invitations, memberships, organizations, users } from '../../platform/db/schema.ts';

export type OrgRow = typeof organizations.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;

export async function insertOrg(
  db: DbOrTx,
  orgId: string,
  org: Pick<OrgRow, 'name' | 'slug' | 'contactEmail' | 'createdBy'>,
) {
  const [row] = await db
    .insert(organizations)
    .values({ id: orgId, ...org })
    .onConflictDoNothing()
    .returning();
  return row; // undefined: slug taken
}

export async function getOrg(db: DbOrTx, orgId: string): Promise<OrgRow | undefined> {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  return row;
}

export async function slugExists(db: DbOrTx, slug: string): Promise<boolean> {
  const [row] = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, slug));
  return !!row;
}

export async function updateOrg(
  db: DbOrTx,
  orgId: string,
  patch: Partial<Pick<OrgRow, 'name' | 'slug' | 'contactEmail'>>,
) {
  const [row] = await db
    .update(organizations)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(organizations.id, orgId))
    .returning();
  return row;
}

export async function deleteOrg(db: DbOrTx, orgId: string): Promise<void> {
  await db.delete(organizations).where(eq(organizations.id, orgId));
}

/** The caller's organizations with their role (not org-scoped: it is the user's own list). */
export async function listOrgsOfUser(db: DbOrTx, userId: string) {
  return db
    .select({ org: organizations, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.name));
}

export async function getMembershipRole(db: DbOrTx, orgId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

export async function insertMembership(
  db: DbOrTx,
  orgId: string,
  userId: string,
  role: Role,
): Promise<boolean> {
  const rows = await db.insert(memberships).values({ orgId, userId, role }).onConflictDoNothing().returning();
  return rows.length === 1;
}

export async function listMembers(db: DbOrTx, orgId: string, afterUserId: string | undefined, limit: number) {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), afterUserId ? gt(users.id, afterUserId) : undefined))
    .orderBy(asc(users.id))
    .limit(limit + 1);
}

export async function setMembershipRole(
  db: DbOrTx,
  orgId: string,
  userId: string,
  role: Role,
): Promise<boolean> {
  const rows = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .returning();
  return rows.length === 1;
}

export async function deleteMembership(db: DbOrTx, orgId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .returning();
  return rows.length === 1;
}

/** Counts owners with a row lock so two concurrent demotions cannot both pass the last-owner check. */
export async function countOwnersForUpdate(db: DbOrTx, orgId: string): Promise<number> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')))
    .for('update');
  return rows.length;
}

export async function insertInvitation(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof invitations.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(invitations)
    .values({ ...row, orgId })
    .returning();
  return created!;
}

export async function listPendingInvitations(
  db: DbOrTx,
  orgId: string,
  before: string | undefined,
  limit: number,
) {
  return db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, orgId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        sql`${invitations.expiresAt} > now()`,
        before ? lt(invitations.id, before) : undefined,
      ),
    )
    .orderBy(desc(invitations.id))
    .limit(limit + 1);
}

export async function revokeInvitation(db: DbOrTx, orgId: string, inviteId: string): Promise<boolean> {
  const rows = await db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.orgId, orgId),
        eq(invitations.id, inviteId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .returning();
  return rows.length === 1;
}

/**
 * Looks an invitation up by its token hash — the token is the only thing the invitee holds, so this is
 * the one lookup that cannot start from an org id. It returns the org id for everything that follows.
 */
export async function findInvitationByToken(
  db: DbOrTx,
  tokenHash: string,
): Promise<InvitationRow | undefined> {
  const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash));
  return row;
}

export async function markInvitationAccepted(db: DbOrTx, orgId: string, inviteId: string, userId: string) {
  const rows = await db
    .update(invitations)
    .set({ acceptedAt: new Date(), acceptedBy: userId })
    .where(and(eq(invitations.orgId, orgId), eq(invitations.id, inviteId), isNull(invitations.acceptedAt)))
    .returning();
  return rows.length === 1;
}
