import type { Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import { API_KEY_PREFIX } from '../../platform/http/access.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { newId, randomBase62, sha256 } from '../../platform/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import * as repo from './apikeys.repo.ts';

type KeyDeps = Pick<Deps, 'db' | 'cache' | 'log'>;
type Scope = { orgId: string; chatbotId: string | null };

const VISIBLE_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
const TOUCH_EVERY_MS = 60_000;

export type KeyStatus = 'active' | 'expired' | 'revoked';

export function keyStatus(row: repo.ApiKeyRow, now = Date.now()): KeyStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

/** `kw_` + 40 base62 chars (~238 random bits). Only the SHA-256 is stored; the secret is shown once. */
function generateKey() {
  const secret = `${API_KEY_PREFIX}${randomBase62(40)}`;
  return { secret, prefix: secret.slice(0, VISIBLE_PREFIX_LENGTH), keyHash: sha256(secret) };
}

export async function createApiKey(
  deps: KeyDeps,
  ctx: RequestContext,
  scope: Scope,
  input: { name: string; scopes: string[]; expiresAt?: Date | null },
  db: Parameters<typeof repo.insertApiKey>[0] = deps.db,
) {
  const { secret, prefix, keyHash } = generateKey();
  const row = await repo.insertApiKey(db, scope.orgId, {
    id: newId('apiKey'),
    chatbotId: scope.chatbotId,
    name: input.name,
    prefix,
    keyHash,
    scopes: [...new Set(input.scopes)].sort(),
    createdBy: ctx.actor?.type === 'user' ? ctx.actor.userId : null,
    expiresAt: input.expiresAt ?? null,
  });
  await recordAudit(db, ctx, {
    orgId: scope.orgId,
    action: scope.chatbotId ? 'chatbot_key.create' : 'api_key.create',
    target: { type: 'api_key', id: row.id },
    metadata: { name: row.name, prefix, scopes: row.scopes, chatbotId: scope.chatbotId },
  });
  return { key: row, secret };
}

/**
 * Issues a successor with the same name, scopes and expiry; the old key keeps working for `graceSeconds`
 * (0 = stops now) so deployed clients can switch without downtime.
 */
export async function rotateApiKey(
  deps: KeyDeps,
  ctx: RequestContext,
  scope: Scope,
  keyId: string,
  graceSeconds: number,
) {
  const result = await deps.db.transaction(async (tx) => {
    const old = await repo.getApiKey(tx, scope.orgId, scope.chatbotId, keyId);
    if (!old) throw notFound('API key');
    if (keyStatus(old) !== 'active' || old.rotatedToId) {
      throw new AppError(
        'conflict',
        `This key is ${old.rotatedToId ? 'already rotated' : keyStatus(old)} and cannot be rotated`,
      );
    }
    const created = await createApiKey(
      deps,
      ctx,
      scope,
      { name: old.name, scopes: old.scopes, expiresAt: old.expiresAt },
      tx,
    );
    const graceEnd = new Date(Date.now() + graceSeconds * 1000);
    const oldExpires = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
    const previous = await repo.updateApiKey(tx, scope.orgId, old.id, {
      expiresAt: oldExpires,
      rotatedToId: created.key.id,
    });
    await recordAudit(tx, ctx, {
      orgId: scope.orgId,
      action: scope.chatbotId ? 'chatbot_key.rotate' : 'api_key.rotate',
      target: { type: 'api_key', id: old.id },
      metadata: { newKeyId: created.key.id, graceSeconds, oldKeyExpiresAt: oldExpires.toISOString() },
    });
    return { ...created, previous: previous! };
  });
  deps.cache.invalidate('key:');
  return result;
}

export async function revokeApiKey(deps: KeyDeps, ctx: RequestContext, scope: Scope, keyId: string) {
  const row = await deps.db.transaction(async (tx) => {
    const key = await repo.getApiKey(tx, scope.orgId, scope.chatbotId, keyId);
    if (!key) throw notFound('API key');
    if (key.revokedAt) return key; // revoking twice changes nothing
    const updated = await repo.updateApiKey(tx, scope.orgId, keyId, { revokedAt: new Date() });
    await recordAudit(tx, ctx, {
      orgId: scope.orgId,
      action: scope.chatbotId ? 'chatbot_key.revoke' : 'api_key.revoke',
      target: { type: 'api_key', id: keyId },
      metadata: { prefix: key.prefix },
    });
    return updated!;
  });
  deps.cache.invalidate('key:');
  return row;
}

const lastTouched = new Map<string, number>();

/** Turns a presented secret into an actor, or throws api_key_invalid. */
export async function resolveApiKey(
  deps: KeyDeps,
  raw: string,
): Promise<Extract<Actor, { type: 'api_key' }>> {
  const keyHash = sha256(raw);
  const row = await deps.cache.getOrLoad(`key:${keyHash}`, () => repo.findApiKeyByHash(deps.db, keyHash));
  if (!row) throw new AppError('api_key_invalid', 'API key is not valid');
  const status = keyStatus(row);
  if (status !== 'active') throw new AppError('api_key_invalid', `API key is ${status}`);

  // last_used_at is advisory: written at most once a minute per key, off the request path.
  const now = Date.now();
  if ((lastTouched.get(row.id) ?? 0) + TOUCH_EVERY_MS < now) {
    lastTouched.set(row.id, now);
    repo
      .touchApiKey(deps.db, row.orgId, row.id, new Date(now))
      .catch((err) => deps.log.warn({ err }, 'could not record key use'));
  }
  return { type: 'api_key', keyId: row.id, orgId: row.orgId, chatbotId: row.chatbotId, scopes: row.scopes };
}
