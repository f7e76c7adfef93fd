import type { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import type { OrgAccess } from '../../platform/auth/policy.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { indexCacheKey } from '../retrieval/retrieval.service.ts';
import * as repo from './business.repo.ts';
import type {
  businessProfileInputSchema,
  catalogueItemCreateSchema,
  catalogueItemUpdateSchema,
} from './business.schemas.ts';

type BusinessDeps = Pick<Deps, 'db' | 'indexCache'>;

/** Catalogue items one org may hold: every item joins the search index of each of its chatbots. */
export const MAX_CATALOGUE_ITEMS = 10_000;

const actorId = (ctx: RequestContext) =>
  ctx.actor?.type === 'user' ? ctx.actor.userId : ctx.actor?.type === 'api_key' ? ctx.actor.keyId : null;

/** Business knowledge belongs to the org, so every chatbot's index of the org is rebuilt on its next search. */
const invalidateOrgIndexes = (deps: BusinessDeps, orgId: string) =>
  deps.indexCache.invalidate(indexCacheKey(orgId, ''));

const skuTaken = (sku: string) =>
  new AppError('conflict', `A catalogue item with SKU "${sku}" already exists in this organization`);

export async function putProfile(
  deps: BusinessDeps,
  ctx: RequestContext,
  access: OrgAccess,
  input: z.output<typeof businessProfileInputSchema>,
) {
  const row = await deps.db.transaction(async (tx) => {
    const existed = await repo.getProfile(tx, access.orgId);
    const saved = await repo.upsertProfile(tx, access.orgId, { ...input, updatedBy: actorId(ctx) });
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: existed ? 'business.update' : 'business.create',
      target: { type: 'business_profile', id: access.orgId },
      metadata: { name: input.name },
    });
    return saved;
  });
  invalidateOrgIndexes(deps, access.orgId);
  return row;
}

export async function requireItem(deps: Pick<Deps, 'db'>, orgId: string, itemId: string) {
  const item = await repo.getItem(deps.db, orgId, itemId);
  if (!item) throw notFound('Catalogue item');
  return item;
}

export async function createItem(
  deps: BusinessDeps,
  ctx: RequestContext,
  access: OrgAccess,
  input: z.output<typeof catalogueItemCreateSchema>,
) {
  if ((await repo.countItems(deps.db, access.orgId)) >= MAX_CATALOGUE_ITEMS) {
    throw new AppError(
      'limit_reached',
      `An organization holds at most ${MAX_CATALOGUE_ITEMS} catalogue items`,
    );
  }
  const row = await deps.db.transaction(async (tx) => {
    const created = await repo.insertItem(tx, access.orgId, { id: newId('catalogueItem'), ...input });
    if (!created) throw skuTaken(input.sku!);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'catalogue.create',
      target: { type: 'catalogue_item', id: created.id },
      metadata: { name: created.name, sku: created.sku },
    });
    return created;
  });
  invalidateOrgIndexes(deps, access.orgId);
  return row;
}

export async function updateItem(
  deps: BusinessDeps,
  ctx: RequestContext,
  access: OrgAccess,
  itemId: string,
  patch: z.output<typeof catalogueItemUpdateSchema>,
) {
  const row = await deps.db.transaction(async (tx) => {
    if (!(await repo.getItem(tx, access.orgId, itemId))) throw notFound('Catalogue item');
    if (patch.sku && (await repo.findItemBySku(tx, access.orgId, patch.sku, itemId)))
      throw skuTaken(patch.sku);
    const updated = await repo.updateItem(tx, access.orgId, itemId, patch);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'catalogue.update',
      target: { type: 'catalogue_item', id: itemId },
      metadata: { fields: Object.keys(patch) },
    });
    return updated!;
  });
  invalidateOrgIndexes(deps, access.orgId);
  return row;
}

export async function deleteItem(deps: BusinessDeps, ctx: RequestContext, access: OrgAccess, itemId: string) {
  await deps.db.transaction(async (tx) => {
    const item = await repo.getItem(tx, access.orgId, itemId);
    if (!item) throw notFound('Catalogue item');
    await repo.deleteItem(tx, access.orgId, itemId);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'catalogue.delete',
      target: { type: 'catalogue_item', id: itemId },
      metadata: { name: item.name },
    });
  });
  invalidateOrgIndexes(deps, access.orgId);
}
