import type { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import type { OrgAccess } from '../../platform/auth/policy.ts';
import { newId } from '../../platform/ids.ts';
import { keyHint, secretBoxFor } from '../../platform/crypto/secret-box.ts';
import { guessModelTraits, presets, type PresetId } from '../../platform/llm/presets.ts';
import { ProviderError } from '../../platform/llm/types.ts';
import {
  asPreset,
  invalidateProvider,
  providerFromRow,
  sealContext,
} from '../../platform/llm/resolve-model.ts';
import { recordAudit } from '../audit/audit.service.ts';
import * as repo from './providers.repo.ts';
import type {
  catalogueEntrySchema,
  providerCreateSchema,
  providerTestResultSchema,
  providerUpdateSchema,
} from './providers.schemas.ts';

/*
 * Model providers: an org's OpenAI-compatible servers. Base URLs are NOT put through the SSRF guard that URL
 * ingestion uses, on purpose: only org admins (a user, never an API key) configure them, and the common case
 * is a server on the same machine or LAN (Ollama on 127.0.0.1:11434, vLLM on a GPU box), which that guard
 * exists to refuse. Responses never reveal the key; the test endpoint reports status codes and messages only.
 */

type ProviderDeps = Pick<Deps, 'db' | 'cache' | 'config'>;
type Entry = z.infer<typeof catalogueEntrySchema>;

export function presentProvider(row: repo.ProviderRow) {
  return {
    id: row.id,
    orgId: row.orgId,
    name: row.name,
    preset: row.preset,
    baseUrl: row.baseUrl,
    hasKey: row.apiKeyEnc !== null,
    keyHint: row.keyHint,
    models: row.models,
    timeoutMs: row.timeoutMs,
    maxRetries: row.maxRetries,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function requireProvider(deps: Pick<Deps, 'db'>, orgId: string, providerId: string) {
  const row = await repo.getProvider(deps.db, orgId, providerId);
  if (!row) throw notFound('Model provider');
  return row;
}

/** Fills what an entry leaves out from the preset's guesses for that model name. */
function completeEntries(preset: PresetId, entries: Entry[]): repo.CatalogueEntry[] {
  return entries.map((e) => {
    const guess = guessModelTraits(preset, e.id);
    return {
      id: e.id,
      vision: e.vision ?? guess.vision,
      tools: e.tools ?? guess.tools,
      contextWindow: e.contextWindow ?? guess.contextWindow,
    };
  });
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', `Invalid request — ${path}: ${message}`, [{ path, message }]);

const nameTaken = (name: string) =>
  new AppError('conflict', `A model provider named "${name}" already exists in this organization`);

function sealKey(deps: Pick<Deps, 'config'>, orgId: string, providerId: string, apiKey: string) {
  return {
    apiKeyEnc: secretBoxFor(deps.config).seal(apiKey, sealContext(orgId, providerId)),
    keyHint: keyHint(apiKey),
  };
}

const actorId = (ctx: RequestContext) =>
  ctx.actor?.type === 'user' ? ctx.actor.userId : ctx.actor?.type === 'api_key' ? ctx.actor.keyId : null;

export async function createProvider(
  deps: ProviderDeps,
  ctx: RequestContext,
  access: OrgAccess,
  input: z.infer<typeof providerCreateSchema>,
) {
  const preset = presets[input.preset];
  const baseUrl = input.baseUrl ?? preset.baseUrl;
  if (!baseUrl) throw invalid('body.baseUrl', `is required for the ${input.preset} preset`);
  if (preset.requiresKey && !input.apiKey) throw invalid('body.apiKey', `${preset.label} needs an API key`);
  const id = newId('provider');
  return deps.db.transaction(async (tx) => {
    const row = await repo.insertProvider(tx, access.orgId, {
      id,
      name: input.name,
      preset: input.preset,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      ...(input.apiKey ? sealKey(deps, access.orgId, id, input.apiKey) : {}),
      models: completeEntries(input.preset, input.models),
      timeoutMs: input.timeoutMs ?? deps.config.LLM_TIMEOUT * 1000,
      maxRetries: input.maxRetries,
      enabled: input.enabled,
      createdBy: actorId(ctx),
    });
    if (!row) throw nameTaken(input.name);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'provider.create',
      target: { type: 'model_provider', id },
      metadata: { name: row.name, preset: row.preset, baseUrl: row.baseUrl, hasKey: !!input.apiKey },
    });
    return row;
  });
}

export async function updateProvider(
  deps: ProviderDeps,
  ctx: RequestContext,
  access: OrgAccess,
  providerId: string,
  patch: z.infer<typeof providerUpdateSchema>,
) {
  const updated = await deps.db.transaction(async (tx) => {
    const current = await repo.getProvider(tx, access.orgId, providerId);
    if (!current) throw notFound('Model provider');
    if (
      patch.name &&
      patch.name !== current.name &&
      (await repo.providerNameExists(tx, access.orgId, patch.name))
    ) {
      throw nameTaken(patch.name);
    }
    const preset = patch.preset ?? asPreset(current.preset);
    const keepsKey = patch.apiKey === undefined ? current.apiKeyEnc !== null : patch.apiKey !== null;
    if (presets[preset].requiresKey && !keepsKey) {
      throw invalid('body.apiKey', `${presets[preset].label} needs an API key`);
    }
    const row = await repo.updateProvider(tx, access.orgId, providerId, {
      name: patch.name,
      preset: patch.preset,
      baseUrl: patch.baseUrl?.replace(/\/+$/, ''),
      ...(patch.apiKey === null ? { apiKeyEnc: null, keyHint: null } : {}),
      ...(patch.apiKey ? sealKey(deps, access.orgId, providerId, patch.apiKey) : {}),
      models: patch.models ? completeEntries(preset, patch.models) : undefined,
      timeoutMs: patch.timeoutMs,
      maxRetries: patch.maxRetries,
      enabled: patch.enabled,
    });
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'provider.update',
      target: { type: 'model_provider', id: providerId },
      // Field names only: the key itself never reaches the audit trail.
      metadata: { fields: Object.keys(patch) },
    });
    return row!;
  });
  invalidateProvider(deps, access.orgId, providerId);
  return updated;
}

export async function deleteProvider(
  deps: ProviderDeps,
  ctx: RequestContext,
  access: OrgAccess,
  providerId: string,
) {
  await deps.db.transaction(async (tx) => {
    const row = await repo.getProvider(tx, access.orgId, providerId);
    if (!row) throw notFound('Model provider');
    await repo.deleteProvider(tx, access.orgId, providerId);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'provider.delete',
      target: { type: 'model_provider', id: providerId },
      metadata: { name: row.name },
    });
  });
  invalidateProvider(deps, access.orgId, providerId);
}

type TestResult = z.infer<typeof providerTestResultSchema>;

function describeError(err: unknown) {
  if (err instanceof ProviderError)
    return { code: err.code, message: err.message, status: err.status ?? null };
  if (err instanceof AppError) return { code: err.code, message: err.message, status: null };
  throw err;
}

/**
 * Checks a provider as configured now: lists its models, then (when a model is named or catalogued) asks for
 * a 1-token completion. No retries, so the latency is one round trip. Failures are reported, not thrown.
 */
export async function testProvider(
  deps: Pick<Deps, 'db' | 'config'>,
  orgId: string,
  providerId: string,
  input: { model?: string } = {},
): Promise<TestResult> {
  const row = await requireProvider(deps, orgId, providerId);
  const started = performance.now();
  const ms = (since: number) => Math.round((performance.now() - since) * 10) / 10;
  const model = input.model ?? row.models[0]?.id ?? null;
  let provider;
  try {
    provider = providerFromRow(deps, { ...row, maxRetries: 0 });
  } catch (err) {
    const error = describeError(err);
    return {
      ok: false,
      latencyMs: 0,
      models: { ok: false, latencyMs: 0, count: null, error },
      completion: null,
    };
  }
  const t0 = performance.now();
  let models: TestResult['models'];
  try {
    const list = await provider.listModels();
    models = { ok: true, latencyMs: ms(t0), count: list.length, error: null };
  } catch (err) {
    models = { ok: false, latencyMs: ms(t0), count: null, error: describeError(err) };
  }
  let completion: TestResult['completion'] = null;
  if (model) {
    const t1 = performance.now();
    try {
      await provider.complete({ model, messages: [{ role: 'user', content: 'Say OK.' }], maxTokens: 1 });
      completion = { ok: true, model, latencyMs: ms(t1), error: null };
    } catch (err) {
      completion = { ok: false, model, latencyMs: ms(t1), error: describeError(err) };
    }
  }
  return { ok: completion ? completion.ok : models.ok, latencyMs: ms(started), models, completion };
}

/**
 * Fills the catalogue from the server's `GET /v1/models`. Entries already there keep their (possibly
 * hand-corrected) traits; new ones get guessed traits; entries the server no longer lists are kept unless
 * `prune` (a hand-added alias may be served without being listed).
 */
export async function syncModels(
  deps: ProviderDeps,
  ctx: RequestContext,
  access: OrgAccess,
  providerId: string,
  opts: { prune: boolean },
) {
  const current = await requireProvider(deps, access.orgId, providerId);
  let listed;
  try {
    listed = await providerFromRow(deps, current).listModels();
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    const code = err.code === 'provider_timeout' ? 'provider_timeout' : 'provider_error';
    throw new AppError(code, `Could not list the provider's models: ${err.message}`);
  }
  const result = await deps.db.transaction(async (tx) => {
    // Re-read inside the transaction: the catalogue may have changed while the server answered.
    const row = await repo.getProvider(tx, access.orgId, providerId);
    if (!row) throw notFound('Model provider');
    const listedIds = new Set(listed.map((m) => m.id));
    const existing = new Set(row.models.map((m) => m.id));
    const unlisted = row.models.filter((m) => !listedIds.has(m.id)).map((m) => m.id);
    const kept = opts.prune ? row.models.filter((m) => listedIds.has(m.id)) : row.models;
    const added = listed
      .filter((m) => !existing.has(m.id))
      .map((m) => ({ id: m.id, vision: m.vision, tools: m.tools, contextWindow: m.contextWindow }));
    const models = [...kept, ...added].slice(0, 1000);
    const updated = await repo.updateProvider(tx, access.orgId, providerId, { models });
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'provider.sync_models',
      target: { type: 'model_provider', id: providerId },
      metadata: { added: added.length, removed: opts.prune ? unlisted.length : 0, listed: listed.length },
    });
    return {
      row: updated!,
      added: added.map((m) => m.id),
      removed: opts.prune ? unlisted : [],
      unlisted: opts.prune ? [] : unlisted,
    };
  });
  invalidateProvider(deps, access.orgId, providerId);
  return result;
}
