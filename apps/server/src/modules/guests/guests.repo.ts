import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/database.ts';
import { chatbots, guestSessions } from '../../platform/db/schema.ts';

export type GuestSessionRow = typeof guestSessions.$inferSelect;

/**
 * The one lookup without an org id: a guest names only the chatbot, and the chatbot tells the org. Callers
 * must check the chatbot is active and accepts guests before trusting the row.
 */
export async function findChatbotForGuests(db: DbOrTx, botId: string) {
  const [row] = await db.select().from(chatbots).where(eq(chatbots.id, botId));
  return row;
}

export async function insertGuestSession(
  db: DbOrTx,
  orgId: string,
  row: Omit<typeof guestSessions.$inferInsert, 'orgId'>,
) {
  const [created] = await db
    .insert(guestSessions)
    .values({ ...row, orgId })
    .returning();
  return created!;
}

/** By token hash; the org is learned from the row (the token is the credential). Expired sessions are absent. */
export async function findGuestSessionByHash(db: DbOrTx, tokenHash: string, now: Date) {
  const [row] = await db
    .select()
    .from(guestSessions)
    .where(and(eq(guestSessions.tokenHash, tokenHash), gt(guestSessions.expiresAt, now)));
  return row;
}

export async function getGuestSession(db: DbOrTx, orgId: string, sessionId: string) {
  const [row] = await db
    .select()
    .from(guestSessions)
    .where(and(eq(guestSessions.orgId, orgId), eq(guestSessions.id, sessionId)));
  return row;
}

/**
 * Takes one message from the session's quota, atomically: the row lock of the UPDATE serialises concurrent
 * requests and the `used < message_limit` guard admits exactly `limit` of them. Returns null when exhausted.
 */
export async function admitGuestMessage(db: DbOrTx, orgId: string, sessionId: string) {
  const [row] = await db
    .update(guestSessions)
    .set({ used: sql`${guestSessions.used} + 1` })
    .where(
      and(
        eq(guestSessions.orgId, orgId),
        eq(guestSessions.id, sessionId),
        lt(guestSessions.used, guestSessions.messageLimit),
      ),
    )
    .returning({ used: guestSessions.used, limit: guestSessions.messageLimit });
  return row ?? null;
}

/** Gives a message back when its answer failed before anything was produced (the guest got nothing). */
export async function refundGuestMessage(db: DbOrTx, orgId: string, sessionId: string) {
  await db
    .update(guestSessions)
    .set({ used: sql`greatest(${guestSessions.used} - 1, 0)` })
    .where(and(eq(guestSessions.orgId, orgId), eq(guestSessions.id, sessionId)));
}
