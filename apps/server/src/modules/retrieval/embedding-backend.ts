import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { loadOrgProvider } from '../../platform/llm/resolve-model.ts';
import { ProviderError } from '../../platform/llm/types.ts';
import { insertLlmCall } from '../chat/chat.repo.ts';
import { EMBEDDING_DIMS, embedText } from './embedder.ts';
import { embedItem, type RetrievalItem } from './index-store.ts';

/**
 * The embedder of a knowledge base (a chatbot): the built-in static SIF embedder (default, offline), or a model
 * of one of the org's OpenAI-compatible providers, named `<providerId>/<model>`. Vectors are unit length, so the
 * engine's dot product is the cosine.
 */
export const BUILTIN_EMBEDDER = 'builtin:sif-en-100d';

export type EmbedderDeps = Pick<Deps, 'db' | 'cache' | 'config'>;

export interface EmbeddingBackend {
  id: string;
  dims: number;
  builtin: boolean;
  /** one vector per item (document chunks, FAQs), in order */
  embedDocuments(items: RetrievalItem[]): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
}

/** Provider requests: texts per request and requests in flight (the provider layer retries each one). */
const BATCH_SIZE = 64;
const CONCURRENCY = 2;

export function isBuiltinEmbedder(id: string): boolean {
  return id === BUILTIN_EMBEDDER;
}

/** `<providerId>/<model>`: the model may itself contain slashes (e.g. `openai/text-embedding-3-small`). */
export function parseEmbedderRef(id: string): { providerId: string; model: string } | null {
  const at = id.indexOf('/');
  if (at <= 0 || at === id.length - 1) return null;
  return { providerId: id.slice(0, at), model: id.slice(at + 1) };
}

/**
 * What a provider embeds for an item: title (document title + section heading, or the FAQ question) and text.
 * Tags stay out, so a tag edit does not make stored provider vectors stale.
 */
export function documentText(item: RetrievalItem): string {
  return item.title ? `${item.title}\n\n${item.text}` : item.text;
}

function normalise(v: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(v);
  let norm = 0;
  for (const x of out) norm += x * x;
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < out.length; i++) out[i]! *= inv;
  }
  return out;
}

const builtinBackend: EmbeddingBackend = {
  id: BUILTIN_EMBEDDER,
  dims: EMBEDDING_DIMS,
  builtin: true,
  // Exactly what the index computes itself (embedItem), so index builds can reuse the stored vectors.
  embedDocuments: async (items) => items.map((item) => embedItem(item)),
  embedQuery: async (text) => embedText(text),
};

/**
 * The backend of a chatbot's embedder. `dims` null means "not known yet" (validation of a new embedder: the
 * provider's answer tells it). Every provider call is traced in llm_calls with purpose 'embedding'.
 */
export async function embedderFor(
  deps: EmbedderDeps,
  bot: { orgId: string; id: string; embedder: string; embeddingDims: number | null },
  opts: { signal?: AbortSignal } = {},
): Promise<EmbeddingBackend> {
  if (isBuiltinEmbedder(bot.embedder)) return builtinBackend;
  const ref = parseEmbedderRef(bot.embedder);
  if (!ref) throw new AppError('validation_failed', `Unknown embedder "${bot.embedder}"`);
  const loaded = await loadOrgProvider(deps, bot.orgId, ref.providerId);
  if (!loaded) {
    throw new AppError(
      'model_not_configured',
      `The embedder's provider "${ref.providerId}" does not exist in this organization`,
    );
  }
  if (!loaded.row.enabled) {
    throw new AppError('model_not_configured', `The provider "${loaded.row.name}" is disabled`);
  }
  let dims = bot.embeddingDims ?? 0;
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    const started = Date.now();
    const trace = (status: 'ok' | 'error' | 'cancelled', tokens: number, error: string | null) =>
      insertLlmCall(deps.db, bot.orgId, {
        id: newId('llmCall'),
        chatbotId: bot.id || null,
        purpose: 'embedding',
        provider: ref.providerId,
        model: ref.model,
        promptTokens: tokens,
        latencyMs: Date.now() - started,
        status,
        error,
      });
    try {
      const r = await loaded.provider.embedTexts(texts, {
        model: ref.model,
        batchSize: BATCH_SIZE,
        concurrency: CONCURRENCY,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      if (dims && r.dims !== dims) {
        throw new ProviderError(
          'provider_error',
          `${loaded.row.name} returned ${r.dims}-dimensional embeddings; this knowledge base holds ${dims}`,
          false,
        );
      }
      dims = r.dims;
      await trace('ok', r.usage.promptTokens, null);
      return r.vectors.map(normalise);
    } catch (err) {
      const cancelled = err instanceof ProviderError && err.code === 'cancelled';
      await trace(cancelled ? 'cancelled' : 'error', 0, (err as Error).message).catch(() => {});
      throw err;
    }
  };
  return {
    id: bot.embedder,
    get dims() {
      return dims;
    },
    builtin: false,
    embedDocuments: (items) => embed(items.map(documentText)),
    embedQuery: async (text) => (await embed([text]))[0]!,
  };
}

/**
 * Checks a new embedder before a chatbot switches to it: the provider exists and answers an embeddings call,
 * whose answer gives the dimension. Provider failures become 4xx/5xx AppErrors with a readable message.
 */
export async function probeEmbedder(
  deps: EmbedderDeps,
  orgId: string,
  botId: string,
  embedder: string,
): Promise<{ embedder: string; dims: number }> {
  if (isBuiltinEmbedder(embedder)) return { embedder, dims: EMBEDDING_DIMS };
  if (!parseEmbedderRef(embedder)) {
    throw new AppError(
      'validation_failed',
      `embedder must be "${BUILTIN_EMBEDDER}" or "<providerId>/<model>"`,
      [{ path: 'embedder', message: 'unknown embedder' }],
    );
  }
  const backend = await embedderFor(deps, { orgId, id: botId, embedder, embeddingDims: null });
  try {
    const v = await backend.embedQuery('Kawan embedding check');
    if (v.length === 0) throw new ProviderError('provider_error', 'empty embedding', false);
    return { embedder, dims: v.length };
  } catch (err) {
    if (err instanceof ProviderError) {
      throw new AppError(
        err.code === 'provider_timeout' ? 'provider_timeout' : 'provider_error',
        `The embedder "${embedder}" did not answer an embeddings request: ${err.message}`,
      );
    }
    throw err;
  }
}
