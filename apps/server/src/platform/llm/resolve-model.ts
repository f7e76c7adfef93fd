import type { Deps } from '../../deps.ts';
import { AppError } from '../errors.ts';
import { secretBoxFor, SecretBoxError } from '../crypto/secret-box.ts';
import {
  getProvider,
  listEnabledCatalogues,
  type ProviderRow,
} from '../../modules/providers/providers.repo.ts';
import { OpenAICompatibleProvider } from './openai-compatible.ts';
import { guessModelTraits, presetIds, type PresetId } from './presets.ts';
import type { ChatProvider, ModelInfo } from './types.ts';

/**
 * Model references and the model catalogue. A chatbot names its model by a ref:
 *
 *   builtin/extractive        the grounded extractive responder (no model; the chat module answers it itself)
 *   local/<file.gguf>         a GGUF model run in-process (platform/llm/local-gguf.ts, via `modelBackends.local`)
 *   <providerId>/<modelId>    a model of one of the org's OpenAI-compatible providers (model ids may contain '/')
 *
 * Provider instances are cached per provider in `deps.cache` (key `llmprov:<orgId>:<providerId>`), so a chat
 * turn costs no database read or key decryption; the providers service invalidates the entry on every change
 * (and with Redis every API process forgets it).
 */

export const EXTRACTIVE_REF = 'builtin/extractive';

/**
 * Backends that are not rows of model_providers, one ChatProvider each serving the models its `listModels()`
 * returns (ids without the `local/` / `builtin/` prefix). Boot wires them into Deps as `modelBackends` — e.g.
 * `{ local: localModelFromConfig(config) ?? undefined }` (platform/llm/local-gguf.ts); absent ones are simply
 * not offered.
 */
export interface ModelBackends {
  local?: ChatProvider;
  builtin?: ChatProvider;
}

export type ResolveDeps = Pick<Deps, 'db' | 'cache' | 'config'> & { modelBackends?: ModelBackends };

export interface ResolvedModel {
  provider: ChatProvider;
  /** the id to send to the backend */
  model: string;
  info: ModelInfo;
}

export type ModelRef =
  | { kind: 'builtin'; model: string }
  | { kind: 'local'; model: string }
  | { kind: 'provider'; providerId: string; model: string };

export function parseModelRef(ref: string): ModelRef {
  const slash = ref.indexOf('/');
  const head = slash > 0 ? ref.slice(0, slash) : '';
  const model = slash > 0 ? ref.slice(slash + 1) : '';
  if (!model)
    throw new AppError('model_not_configured', `"${ref}" is not a model reference (<provider>/<model>)`);
  if (head === 'builtin') return { kind: 'builtin', model };
  if (head === 'local') return { kind: 'local', model };
  if (/^prv_[0-9a-z]{10,40}$/.test(head)) return { kind: 'provider', providerId: head, model };
  throw new AppError(
    'model_not_configured',
    `Unknown model "${ref}": use builtin/extractive, local/<file> or <providerId>/<model>`,
  );
}

export const builtinExtractiveInfo: ModelInfo = {
  id: 'extractive',
  provider: 'builtin',
  vision: false,
  tools: false,
  // Not a language model: it quotes retrieved passages, so only the retrieval budget matters.
  contextWindow: 8_192,
};

const cacheKey = (orgId: string, providerId: string) => `llmprov:${orgId}:${providerId}`;

interface CachedProvider {
  row: Pick<ProviderRow, 'id' | 'name' | 'preset' | 'models' | 'enabled'>;
  provider: OpenAICompatibleProvider;
}

/** Forget a provider's cached instance; the providers service calls this after every change. */
export function invalidateProvider(deps: Pick<Deps, 'cache'>, orgId: string, providerId: string): void {
  deps.cache.invalidate(cacheKey(orgId, providerId));
}

/** Builds the SDK-backed provider for a row, decrypting its key (sealed with the org and provider id). */
export function providerFromRow(
  deps: Pick<Deps, 'config'>,
  row: ProviderRow,
  opts: { fetch?: typeof fetch } = {},
): OpenAICompatibleProvider {
  let apiKey: string | null = null;
  if (row.apiKeyEnc) {
    try {
      apiKey = secretBoxFor(deps.config).open(row.apiKeyEnc, sealContext(row.orgId, row.id));
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      throw new AppError(
        'model_not_configured',
        `The API key of provider "${row.name}" cannot be decrypted (was MASTER_KEY changed?); enter it again`,
      );
    }
  }
  return new OpenAICompatibleProvider({
    id: row.id,
    label: row.name,
    preset: asPreset(row.preset),
    baseUrl: row.baseUrl,
    apiKey,
    timeoutMs: row.timeoutMs,
    maxRetries: row.maxRetries,
    fetch: opts.fetch,
  });
}

/** The additional authenticated data an API key is sealed with: a sealed key only opens in its own row. */
export function sealContext(orgId: string, providerId: string): string {
  return `model_provider:${orgId}:${providerId}`;
}

export function asPreset(preset: string): PresetId {
  return (presetIds as readonly string[]).includes(preset) ? (preset as PresetId) : 'custom';
}

/** The org's provider with its live client, from the cache when possible; undefined if it does not exist. */
export async function loadOrgProvider(
  deps: Pick<Deps, 'db' | 'cache' | 'config'>,
  orgId: string,
  providerId: string,
): Promise<CachedProvider | undefined> {
  return deps.cache.getOrLoad(cacheKey(orgId, providerId), async () => {
    const row = await getProvider(deps.db, orgId, providerId);
    if (!row) return undefined;
    const { id, name, preset, models, enabled } = row;
    return { row: { id, name, preset, models, enabled }, provider: providerFromRow(deps, row) };
  });
}

/**
 * What answers `ref` for this org. Throws AppError model_not_configured for a ref nothing serves (unknown or
 * disabled provider, no local runtime, an unreadable key). A model missing from a provider's catalogue is
 * still tried: the catalogue informs, the server decides.
 */
export async function resolveChatModel(
  deps: ResolveDeps,
  orgId: string,
  ref: string,
): Promise<ResolvedModel> {
  const parsed = parseModelRef(ref);
  if (parsed.kind !== 'provider') {
    const backend = deps.modelBackends?.[parsed.kind];
    const info = backend
      ? (await backendModels(deps, parsed.kind, backend)).find((m) => m.id === parsed.model)
      : undefined;
    if (!backend || !info) {
      throw new AppError(
        'model_not_configured',
        parsed.kind === 'local'
          ? `The local model "${parsed.model}" is not available on this server (see \`kawan models list\`)`
          : `"${ref}" is answered by the chat module, not by a language model`,
      );
    }
    return { provider: backend, model: parsed.model, info };
  }
  const cached = await loadOrgProvider(deps, orgId, parsed.providerId);
  if (!cached || !cached.row.enabled) {
    throw new AppError(
      'model_not_configured',
      `Model provider ${parsed.providerId} is not configured or disabled`,
    );
  }
  const entry = cached.row.models.find((m) => m.id === parsed.model);
  const traits = entry ?? guessModelTraits(asPreset(cached.row.preset), parsed.model);
  return {
    provider: cached.provider,
    model: parsed.model,
    info: {
      id: parsed.model,
      provider: cached.row.id,
      vision: traits.vision,
      tools: traits.tools,
      contextWindow: traits.contextWindow,
    },
  };
}

/** A backend's model list, cached briefly: listing local models reads GGUF file headers. */
function backendModels(deps: Pick<Deps, 'cache'>, kind: string, backend: ChatProvider): Promise<ModelInfo[]> {
  return deps.cache.getOrLoad(`llmbackend:${kind}`, () => backend.listModels());
}

/** One entry of a model list (`GET /api/v1/models`, `GET /api/v1/orgs/:orgId/models`). */
export interface CatalogueModel {
  /** the ref a chatbot's modelSettings.model takes */
  id: string;
  /** the id the backend knows the model by */
  model: string;
  /** `builtin`, `local`, or the provider id */
  provider: string;
  providerName: string;
  vision: boolean;
  tools: boolean;
  contextWindow: number;
}

/** Models of this installation that need no org configuration: the extractive responder and local GGUFs. */
export async function listBuiltinModels(
  deps: Pick<ResolveDeps, 'modelBackends' | 'cache'>,
): Promise<CatalogueModel[]> {
  const out: CatalogueModel[] = [
    {
      ...builtinExtractiveInfo,
      id: EXTRACTIVE_REF,
      model: 'extractive',
      providerName: 'Built-in (extractive)',
    },
  ];
  const backend = deps.modelBackends?.local;
  const local = backend ? await backendModels(deps, 'local', backend) : [];
  for (const m of local) {
    out.push({ ...m, id: `local/${m.id}`, model: m.id, provider: 'local', providerName: 'Local (GGUF)' });
  }
  return out;
}

/** Every model the org can use: built-in ones, then each enabled provider's catalogue. */
export async function listOrgModels(deps: ResolveDeps, orgId: string): Promise<CatalogueModel[]> {
  const out = await listBuiltinModels(deps);
  for (const p of await listEnabledCatalogues(deps.db, orgId)) {
    for (const m of p.models) {
      out.push({
        id: `${p.id}/${m.id}`,
        model: m.id,
        provider: p.id,
        providerName: p.name,
        vision: m.vision,
        tools: m.tools,
        contextWindow: m.contextWindow,
      });
    }
  }
  return out;
}
