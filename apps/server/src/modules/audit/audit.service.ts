import type { DbOrTx } from '../../platform/db/database.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import { newId } from '../../platform/ids.ts';
import { insertAuditLog } from './audit.repo.ts';

export interface AuditEntry {
  orgId: string | null;
  action: string; // `<resource>.<verb>`, e.g. chatbot.create
  target?: { type: string; id: string };
  metadata?: Record<string, unknown>;
  /** Who acted, when the request had no actor yet (register, login). */
  actorOverride?: { type: 'user' | 'system' | 'anonymous'; id: string | null };
}

/**
 * Records one mutation. Call it with the transaction that performs the mutation, so the trail and the change
 * commit together or not at all.
 */
export async function recordAudit(db: DbOrTx, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  const actor =
    entry.actorOverride ??
    (ctx.actor?.type === 'user'
      ? { type: 'user' as const, id: ctx.actor.userId }
      : ctx.actor?.type === 'api_key'
        ? { type: 'api_key' as const, id: ctx.actor.keyId }
        : { type: 'anonymous' as const, id: null });
  await insertAuditLog(db, entry.orgId, {
    id: newId('audit'),
    actorType: actor.type,
    actorId: actor.id,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    metadata: entry.metadata ?? {},
  });
}
