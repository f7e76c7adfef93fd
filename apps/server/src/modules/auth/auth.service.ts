import { AppError } from '../../platform/errors.ts';
import { newId, newSecret, sha256 } from '../../platform/ids.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import { resetPasswordMessage, verifyEmailMessage } from '../../platform/email/templates.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { createOrgWithOwner } from '../orgs/orgs.service.ts';
import { listOrgsOfUser } from '../orgs/orgs.repo.ts';
import * as repo from './auth.repo.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

type AuthDeps = Pick<Deps, 'db' | 'config' | 'tokens' | 'mailer'>;
type Prefs = repo.UserRow['preferences'];

export interface Session {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

async function issueSession(
  deps: AuthDeps,
  ctx: RequestContext,
  userId: string,
  familyId = newId('refreshToken'),
): Promise<Session> {
  const refreshToken = `rt_${newSecret(32)}`;
  await repo.insertRefreshToken(deps.db, {
    id: newId('refreshToken'),
    userId,
    familyId,
    tokenHash: sha256(refreshToken),
    expiresAt: new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL * 1000),
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  });
  return {
    accessToken: await deps.tokens.sign(userId),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: deps.tokens.ttlSeconds,
  };
}

async function sendVerification(deps: AuthDeps, user: repo.UserRow): Promise<void> {
  const token = newSecret(32);
  await repo.insertAuthToken(deps.db, {
    id: newId('authToken'),
    userId: user.id,
    purpose: 'verify_email',
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + deps.config.EMAIL_VERIFICATION_TTL * 1000),
  });
  const link = `${deps.config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  await deps.mailer.send(verifyEmailMessage(user.email, user.preferences.language, link));
}

export async function register(
  deps: AuthDeps,
  ctx: RequestContext,
  input: { email: string; password: string; name: string; orgName?: string; language?: 'en' | 'id' },
) {
  const passwordHash = await hashPassword(input.password);
  const { user, org } = await deps.db.transaction(async (tx) => {
    if (await repo.findUserByEmail(tx, input.email))
      throw new AppError('email_taken', 'An account with this email already exists');
    const user = await repo
      .insertUser(tx, {
        id: newId('user'),
        email: input.email.trim(),
        name: input.name.trim(),
        passwordHash,
        preferences: { theme: 'system', language: input.language ?? 'en' },
      })
      .catch((err: { code?: string }) => {
        throw err.code === 'email_taken'
          ? new AppError('email_taken', 'An account with this email already exists')
          : err;
      });
    const actorCtx = { ...ctx, actor: { type: 'user' as const, userId: user.id } };
    await recordAudit(tx, actorCtx, {
      orgId: null,
      action: 'user.register',
      target: { type: 'user', id: user.id },
    });
    const org = await createOrgWithOwner(tx, actorCtx, user.id, {
      name: input.orgName ?? `${user.name}'s organization`,
      contactEmail: user.email,
    });
    return { user, org };
  });
  await sendVerification(deps, user);
  return { user, org, session: await issueSession(deps, ctx, user.id) };
}

export async function login(deps: AuthDeps, ctx: RequestContext, input: { email: string; password: string }) {
  const user = await repo.findUserByEmail(deps.db, input.email);
  const ok = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !ok) {
    await recordAudit(deps.db, ctx, {
      orgId: null,
      action: 'user.login_failed',
      target: user ? { type: 'user', id: user.id } : undefined,
      metadata: { email: input.email },
    });
    throw new AppError('invalid_credentials', 'Email or password is incorrect');
  }
  await recordAudit(
    deps.db,
    { ...ctx, actor: { type: 'user', userId: user.id } },
    {
      orgId: null,
      action: 'user.login',
      target: { type: 'user', id: user.id },
    },
  );
  return { user, session: await issueSession(deps, ctx, user.id) };
}

/**
 * Rotating refresh: each token works once. Presenting a token that was already used means it leaked (or a
 * client replayed it), so the whole family — every token descended from that login — is revoked.
 */
export async function refresh(deps: AuthDeps, ctx: RequestContext, refreshToken: string): Promise<Session> {
  const row = await repo.findRefreshToken(deps.db, sha256(refreshToken));
  if (!row || row.revokedAt) throw new AppError('token_invalid', 'Refresh token is invalid or revoked');
  if (row.usedAt || !(await repo.markRefreshTokenUsed(deps.db, row.id))) {
    await repo.revokeRefreshFamily(deps.db, row.familyId);
    await recordAudit(
      deps.db,
      { ...ctx, actor: { type: 'user', userId: row.userId } },
      {
        orgId: null,
        action: 'session.refresh_reuse_detected',
        target: { type: 'user', id: row.userId },
        metadata: { familyId: row.familyId },
      },
    );
    throw new AppError(
      'refresh_token_reused',
      'Refresh token was already used; all sessions of this login were signed out',
    );
  }
  if (row.expiresAt.getTime() <= Date.now())
    throw new AppError('token_expired', 'Refresh token expired; sign in again');
  return issueSession(deps, ctx, row.userId, row.familyId);
}

export async function logout(deps: AuthDeps, ctx: RequestContext, refreshToken: string): Promise<void> {
  const row = await repo.findRefreshToken(deps.db, sha256(refreshToken));
  if (!row) return; // logging out twice is not an error
  await repo.revokeRefreshFamily(deps.db, row.familyId);
  await recordAudit(
    deps.db,
    { ...ctx, actor: { type: 'user', userId: row.userId } },
    {
      orgId: null,
      action: 'user.logout',
      target: { type: 'user', id: row.userId },
    },
  );
}

export async function getMe(deps: Pick<Deps, 'db'>, userId: string) {
  const user = await repo.findUserById(deps.db, userId);
  if (!user) throw new AppError('unauthenticated', 'Account no longer exists');
  const orgs = await listOrgsOfUser(deps.db, userId);
  return { user, orgs };
}

export async function updateMe(
  deps: Pick<Deps, 'db'>,
  ctx: RequestContext,
  userId: string,
  patch: { name?: string; preferences?: Partial<Prefs> },
) {
  await deps.db.transaction(async (tx) => {
    const user = await repo.findUserById(tx, userId);
    if (!user) throw new AppError('unauthenticated', 'Account no longer exists');
    await repo.updateUser(tx, userId, {
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.preferences ? { preferences: { ...user.preferences, ...patch.preferences } } : {}),
    });
    await recordAudit(tx, ctx, {
      orgId: null,
      action: 'user.update',
      target: { type: 'user', id: userId },
      metadata: { fields: Object.keys(patch) },
    });
  });
  return getMe(deps, userId);
}

export async function changePassword(
  deps: AuthDeps,
  ctx: RequestContext,
  userId: string,
  current: string,
  next: string,
) {
  const user = await repo.findUserById(deps.db, userId);
  if (!user || !(await verifyPassword(user.passwordHash, current))) {
    throw new AppError('invalid_credentials', 'Current password is incorrect');
  }
  const passwordHash = await hashPassword(next);
  await deps.db.transaction(async (tx) => {
    await repo.updateUser(tx, userId, { passwordHash });
    await repo.revokeAllRefreshTokens(tx, userId);
    await recordAudit(tx, ctx, {
      orgId: null,
      action: 'user.password_change',
      target: { type: 'user', id: userId },
    });
  });
  return issueSession(deps, ctx, userId);
}

/** Always succeeds from the caller's view, so the endpoint does not reveal which emails have accounts. */
export async function forgotPassword(deps: AuthDeps, ctx: RequestContext, email: string): Promise<void> {
  const user = await repo.findUserByEmail(deps.db, email);
  if (!user) return;
  const token = newSecret(32);
  await repo.insertAuthToken(deps.db, {
    id: newId('authToken'),
    userId: user.id,
    purpose: 'reset_password',
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + deps.config.PASSWORD_RESET_TTL * 1000),
  });
  await recordAudit(
    deps.db,
    { ...ctx, actor: null },
    { orgId: null, action: 'user.password_reset_requested', target: { type: 'user', id: user.id } },
  );
  const link = `${deps.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  await deps.mailer.send(resetPasswordMessage(user.email, user.preferences.language, link));
}

export async function resetPassword(
  deps: AuthDeps,
  ctx: RequestContext,
  token: string,
  password: string,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    const row = await repo.consumeAuthToken(tx, sha256(token), 'reset_password');
    if (!row) throw new AppError('token_invalid', 'This reset link is invalid, expired or already used');
    // A successful reset also proves the address works.
    await repo.updateUser(tx, row.userId, { passwordHash, emailVerifiedAt: new Date() });
    await repo.revokeAllRefreshTokens(tx, row.userId);
    await recordAudit(
      tx,
      { ...ctx, actor: { type: 'user', userId: row.userId } },
      { orgId: null, action: 'user.password_reset', target: { type: 'user', id: row.userId } },
    );
  });
}

export async function verifyEmail(deps: AuthDeps, ctx: RequestContext, token: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const row = await repo.consumeAuthToken(tx, sha256(token), 'verify_email');
    if (!row)
      throw new AppError('token_invalid', 'This verification link is invalid, expired or already used');
    await repo.updateUser(tx, row.userId, { emailVerifiedAt: new Date() });
    await recordAudit(
      tx,
      { ...ctx, actor: { type: 'user', userId: row.userId } },
      { orgId: null, action: 'user.email_verified', target: { type: 'user', id: row.userId } },
    );
  });
}

export async function resendVerification(deps: AuthDeps, userId: string): Promise<void> {
  const user = await repo.findUserById(deps.db, userId);
  if (!user || user.emailVerifiedAt) return;
  await sendVerification(deps, user);
}
