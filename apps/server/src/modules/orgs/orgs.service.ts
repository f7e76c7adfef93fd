import type { Deps } from '../../deps.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import type { OrgAccess } from '../../platform/auth/policy.ts';
import { newId } from '../../platform/ids.ts';
import { uniqueSlug } from '../../platform/slug.ts';
import { recordAudit } from '../audit/audit.service.ts';
import * as repo from './orgs.repo.ts';

/** Creates an organization and makes `userId` its owner, inside the caller's transaction. */
export async function createOrgWithOwner(
  tx: DbOrTx,
  ctx: RequestContext,
  userId: string,
  input: { name: string; slug?: string; contactEmail?: string | null },
) {
  const orgId = newId('org');
  const slug = input.slug ?? (await uniqueSlug(input.name, async (s) => !(await repo.slugExists(tx, s))));
  const org = await repo.insertOrg(tx, orgId, {
    name: input.name.trim(),
    slug,
    contactEmail: input.contactEmail ?? null,
    createdBy: userId,
  });
  if (!org) throw new AppError('slug_taken', `The slug "${slug}" is already used by another organization`);
  await repo.insertMembership(tx, orgId, userId, 'owner');
  await recordAudit(tx, ctx, {
    orgId,
    action: 'org.create',
    target: { type: 'org', id: orgId },
    metadata: { name: org.name, slug },
  });
  return org;
}

export async function createOrg(
  deps: Pick<Deps, 'db'>,
  ctx: RequestContext,
  userId: string,
  input: { name: string; slug?: string; contactEmail?: string | null },
) {
  return deps.db.transaction((tx) => createOrgWithOwner(tx, ctx, userId, input));
}

export async function getOrg(deps: Pick<Deps, 'db'>, access: OrgAccess) {
  const org = await repo.getOrg(deps.db, access.orgId);
  if (!org) throw notFound('Organization');
  return org;
}

export async function updateOrg(
  deps: Pick<Deps, 'db'>,
  ctx: RequestContext,
  access: OrgAccess,
  patch: { name?: string; slug?: string; contactEmail?: string | null },
) {
  return deps.db.transaction(async (tx) => {
    if (patch.slug) {
      const current = await repo.getOrg(tx, access.orgId);
      if (current?.slug !== patch.slug && (await repo.slugExists(tx, patch.slug))) {
        throw new AppError('slug_taken', `The slug "${patch.slug}" is already used by another organization`);
      }
    }
    const org = await repo.updateOrg(tx, access.orgId, patch);
    if (!org) throw notFound('Organization');
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'org.update',
      target: { type: 'org', id: access.orgId },
      metadata: { fields: Object.keys(patch) },
    });
    return org;
  });
}

/** Deletes the organization and, by cascade, its members, chatbots and keys. The audit trail stays. */
export async function deleteOrg(deps: Pick<Deps, 'db' | 'cache'>, ctx: RequestContext, access: OrgAccess) {
  await deps.db.transaction(async (tx) => {
    const org = await repo.getOrg(tx, access.orgId);
    if (!org) throw notFound('Organization');
    await repo.deleteOrg(tx, access.orgId);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'org.delete',
      target: { type: 'org', id: access.orgId },
      metadata: { name: org.name, slug: org.slug },
    });
  });
  deps.cache.invalidate('');
}
