import type { Deps } from '../../deps.ts';
import { newId } from '../../platform/ids.ts';
import { findUserByEmail, insertUser, updateUser } from '../auth/auth.repo.ts';
import { hashPassword } from '../auth/passwords.ts';
import { recordAudit } from '../audit/audit.service.ts';

/** `kawan create-admin`: creates a platform administrator, or promotes an existing account (password unchanged). */
export async function createAdmin(
  deps: Pick<Deps, 'db'>,
  input: { email: string; password: string; name?: string },
) {
  if (input.password.length < 8) throw new Error('password must be at least 8 characters');
  const ctx = { actor: null, ip: 'cli', userAgent: 'kawan create-admin', requestId: 'cli' };
  return deps.db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, input.email);
    if (existing) {
      await updateUser(tx, existing.id, { isPlatformAdmin: true });
      await recordAudit(tx, ctx, {
        orgId: null,
        action: 'user.promote_admin',
        target: { type: 'user', id: existing.id },
        actorOverride: { type: 'system', id: null },
      });
      return { id: existing.id, email: existing.email, created: false };
    }
    const user = await insertUser(tx, {
      id: newId('user'),
      email: input.email,
      name: input.name ?? 'Administrator',
      passwordHash: await hashPassword(input.password),
      preferences: { theme: 'system', language: 'en' },
    });
    await updateUser(tx, user.id, { isPlatformAdmin: true, emailVerifiedAt: new Date() });
    await recordAudit(tx, ctx, {
      orgId: null,
      action: 'user.create_admin',
      target: { type: 'user', id: user.id },
      actorOverride: { type: 'system', id: null },
    });
    return { id: user.id, email: user.email, created: true };
  });
}
