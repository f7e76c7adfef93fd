import type { Role } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import { canAssignRole, type OrgAccess } from '../../platform/auth/policy.ts';
import { newId, newSecret, sha256 } from '../../platform/ids.ts';
import { invitationMessage } from '../../platform/email/templates.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findUserByEmail, findUserById } from '../auth/auth.repo.ts';
import * as repo from './orgs.repo.ts';

type MemberDeps = Pick<Deps, 'db' | 'cache'>;

const roleCacheKey = (orgId: string, userId = '') => `role:${orgId}:${userId}`;

/** Role lookup used on every org-scoped request; cached briefly, invalidated on every membership change. */
export async function membershipRole(deps: MemberDeps, orgId: string, userId: string): Promise<Role | null> {
  return deps.cache.getOrLoad(roleCacheKey(orgId, userId), () =>
    repo.getMembershipRole(deps.db, orgId, userId),
  );
}

function forget(deps: MemberDeps, orgId: string) {
  deps.cache.invalidate(roleCacheKey(orgId));
}

async function loadTarget(deps: MemberDeps, orgId: string, userId: string): Promise<Role> {
  const role = await repo.getMembershipRole(deps.db, orgId, userId);
  if (!role) throw notFound('Member');
  return role;
}

export async function changeRole(
  deps: MemberDeps,
  ctx: RequestContext,
  access: OrgAccess,
  userId: string,
  role: Role,
) {
  await deps.db.transaction(async (tx) => {
    const current = await repo.getMembershipRole(tx, access.orgId, userId);
    if (!current) throw notFound('Member');
    if (!canAssignRole(access.role, role) || !canAssignRole(access.role, current)) {
      throw forbidden(`A ${access.role} cannot change a ${current} into a ${role}`);
    }
    if (current === 'owner' && role !== 'owner' && (await repo.countOwnersForUpdate(tx, access.orgId)) <= 1) {
      throw new AppError(
        'last_owner',
        'An organization needs at least one owner; promote someone else first',
      );
    }
    await repo.setMembershipRole(tx, access.orgId, userId, role);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'member.role_change',
      target: { type: 'user', id: userId },
      metadata: { from: current, to: role },
    });
  });
  forget(deps, access.orgId);
}

export async function removeMember(deps: MemberDeps, ctx: RequestContext, access: OrgAccess, userId: string) {
  const current = await loadTarget(deps, access.orgId, userId);
  if (!canAssignRole(access.role, current)) throw forbidden(`A ${access.role} cannot remove a ${current}`);
  await deleteMembership(deps, ctx, access.orgId, userId, current, 'member.remove');
}

/** Any member may leave, except the last owner. */
export async function leaveOrg(deps: MemberDeps, ctx: RequestContext, access: OrgAccess) {
  if (access.actor.type !== 'user' || !access.role) throw forbidden('Only users can leave an organization');
  await deleteMembership(deps, ctx, access.orgId, access.actor.userId, access.role, 'member.leave');
}

async function deleteMembership(
  deps: MemberDeps,
  ctx: RequestContext,
  orgId: string,
  userId: string,
  role: Role,
  action: string,
) {
  await deps.db.transaction(async (tx) => {
    if (role === 'owner' && (await repo.countOwnersForUpdate(tx, orgId)) <= 1) {
      throw new AppError(
        'last_owner',
        'The last owner cannot leave; transfer ownership or delete the organization',
      );
    }
    if (!(await repo.deleteMembership(tx, orgId, userId))) throw notFound('Member');
    await recordAudit(tx, ctx, { orgId, action, target: { type: 'user', id: userId }, metadata: { role } });
  });
  forget(deps, orgId);
}

export async function inviteMember(
  deps: MemberDeps & Pick<Deps, 'mailer' | 'config'>,
  ctx: RequestContext,
  access: OrgAccess,
  input: { email: string; role: Role },
) {
  if (!canAssignRole(access.role, input.role))
    throw forbidden(`A ${access.role} cannot invite a ${input.role}`);
  const existing = await findUserByEmail(deps.db, input.email);
  if (existing && (await repo.getMembershipRole(deps.db, access.orgId, existing.id))) {
    throw new AppError('already_member', `${input.email} is already a member`);
  }
  const token = newSecret(32);
  const { invitation, orgName } = await deps.db.transaction(async (tx) => {
    const org = await repo.getOrg(tx, access.orgId);
    if (!org) throw notFound('Organization');
    const invitation = await repo.insertInvitation(tx, access.orgId, {
      id: newId('invitation'),
      email: input.email.trim(),
      role: input.role,
      tokenHash: sha256(token),
      invitedBy: access.actor.type === 'user' ? access.actor.userId : null,
      expiresAt: new Date(Date.now() + deps.config.INVITATION_TTL * 1000),
    });
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'invitation.create',
      target: { type: 'invitation', id: invitation.id },
      metadata: { email: invitation.email, role: input.role },
    });
    return { invitation, orgName: org.name };
  });
  const inviter =
    access.actor.type === 'user'
      ? ((await findUserById(deps.db, access.actor.userId))?.name ?? 'Someone')
      : 'Someone';
  const inviteUrl = `${deps.config.publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
  await deps.mailer.send(invitationMessage(invitation.email, orgName, inviter, inviteUrl));
  return { invitation, token, inviteUrl };
}

export async function revokeInvitation(
  deps: MemberDeps,
  ctx: RequestContext,
  access: OrgAccess,
  inviteId: string,
) {
  await deps.db.transaction(async (tx) => {
    if (!(await repo.revokeInvitation(tx, access.orgId, inviteId))) throw notFound('Invitation');
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'invitation.revoke',
      target: { type: 'invitation', id: inviteId },
    });
  });
}

/** The signed-in user accepts an invitation addressed to their email. */
export async function acceptInvitation(deps: MemberDeps, ctx: RequestContext, userId: string, token: string) {
  const orgId = await deps.db.transaction(async (tx) => {
    const invitation = await repo.findInvitationByToken(tx, sha256(token));
    if (
      !invitation ||
      invitation.revokedAt ||
      invitation.acceptedAt ||
      invitation.expiresAt.getTime() <= Date.now()
    ) {
      throw new AppError('token_invalid', 'This invitation is invalid, expired, revoked or already used');
    }
    const user = await findUserById(tx, userId);
    if (!user || user.email.toLowerCase() !== invitation.email.toLowerCase()) {
      throw forbidden('This invitation was sent to a different email address');
    }
    if (!(await repo.insertMembership(tx, invitation.orgId, userId, invitation.role))) {
      throw new AppError('already_member', 'You are already a member of this organization');
    }
    await repo.markInvitationAccepted(tx, invitation.orgId, invitation.id, userId);
    await recordAudit(tx, ctx, {
      orgId: invitation.orgId,
      action: 'invitation.accept',
      target: { type: 'invitation', id: invitation.id },
      metadata: { role: invitation.role },
    });
    return invitation.orgId;
  });
  forget(deps, orgId);
  return { orgId, role: (await repo.getMembershipRole(deps.db, orgId, userId))! };
}
