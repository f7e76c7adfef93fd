import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { resolveChatModel } from '../../platform/llm/resolve-model.ts';
import { requireChatbot } from '../chatbots/chatbots.service.ts';
import { insertLlmCall } from '../chat/chat.repo.ts';
import { expandChatbotQuery } from './retrieval.service.ts';

export type ExpansionMethod = 'auto' | 'feedback' | 'llm';

/** Expansion words appended to `expandedQuery`: the strongest ones carry nearly all of the added weight. */
const MAX_EXPANDED_WORDS = 10;

/**
 * LLM multi-query rewrites of `query` for one chatbot: alternative phrasings a search should also run.
 * Returns null when the chatbot has no language model (the offline default: built-in extractive responder),
 * [] when the model proposed nothing usable. The call is traced in llm_calls like every model call.
 */
export async function llmRewrites(
  deps: Pick<Deps, 'db' | 'cache' | 'config' | 'modelBackends'>,
  orgId: string,
  botId: string,
  query: string,
): Promise<string[] | null> {
  const bot = await requireChatbot(deps, orgId, botId);
  const ref = (bot.modelSettings as { model?: string | null }).model ?? deps.config.DEFAULT_MODEL;
  if (ref.startsWith('builtin/')) return null;
  const { provider, model } = await resolveChatModel(deps, orgId, ref);
  const started = Date.now();
  const trace = (
    status: 'ok' | 'error',
    usage: { promptTokens: number; completionTokens: number } | null,
    error: string | null,
  ) =>
    insertLlmCall(deps.db, orgId, {
      id: newId('llmCall'),
      chatbotId: botId,
      purpose: 'query_expansion',
      provider: provider.kind,
      model,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      latencyMs: Date.now() - started,
      status,
      error,
    });
  try {
    const result = await provider.complete({
      model,
      temperature: 0.3,
      maxTokens: 300,
      signal: AbortSignal.timeout(deps.config.CHAT_TIMEOUT * 1000),
      jsonSchema: {
        name: 'rewrites',
        schema: {
          type: 'object',
          properties: { rewrites: { type: 'array', items: { type: 'string' }, maxItems: 3 } },
          required: ['rewrites'],
        },
      },
      messages: [
        {
          role: 'system',
          content:
            'Rewrite the search query three different ways (synonyms, spelled-out abbreviations, the likely underlying question) so a document search finds more relevant passages. Answer with JSON {"rewrites": [..]} only, same language as the query.',
        },
        { role: 'user', content: query },
      ],
    });
    await trace('ok', result.usage, null);
    return parseRewrites(result.text, query);
  } catch (err) {
    await trace('error', null, (err as Error).message).catch(() => {});
    throw new AppError('provider_error', `The model could not rewrite the query: ${(err as Error).message}`);
  }
}

/** JSON `{rewrites: []}` when the model obeyed, else one rewrite per line; copies of the query dropped. */
export function parseRewrites(text: string, query: string): string[] {
  let items: unknown[] = [];
  try {
    const parsed = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      rewrites?: unknown;
    };
    if (Array.isArray(parsed.rewrites)) items = parsed.rewrites;
  } catch {
    items = text.split('\n').map((l) => l.replace(/^\s*(?:[-*]|\d+[.)])\s*/, ''));
  }
  const seen = new Set([query.trim().toLowerCase()]);
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const r = item.trim().slice(0, 300);
    if (!r || seen.has(r.toLowerCase())) continue;
    seen.add(r.toLowerCase());
    out.push(r);
    if (out.length === 3) break;
  }
  return out;
}

/**
 * `POST …/query-expansion`: the query as search would run it. `feedback` = offline pseudo-relevance feedback
 * (adaptive RM3 over the chatbot's own knowledge, the terms and weights search adds); `llm` = rewrites by the
 * configured model; `auto` = feedback, plus rewrites when a model is configured.
 */
export async function expandQueryForChatbot(
  deps: Pick<Deps, 'db' | 'cache' | 'indexCache' | 'config' | 'modelBackends'>,
  orgId: string,
  botId: string,
  input: { query: string; method: ExpansionMethod },
) {
  const { query, method } = input;
  const details = await expandChatbotQuery(deps, orgId, botId, query, method !== 'llm');
  const rewrites = method === 'feedback' ? null : await llmRewrites(deps, orgId, botId, query);
  if (method === 'llm' && rewrites === null) {
    throw new AppError(
      'model_not_configured',
      'No language model is configured for this chatbot: use method "feedback" (offline) or connect a model',
    );
  }
  const expansion = [...details.expansion].sort((a, b) => b.weight - a.weight);
  const have = new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  const added: string[] = [];
  for (const e of expansion) {
    const w = e.word.toLowerCase();
    if (added.length === MAX_EXPANDED_WORDS || have.has(w)) continue;
    have.add(w);
    added.push(e.word);
  }
  return {
    query,
    method,
    applied: [
      ...(method !== 'llm' ? ['feedback' as const] : []),
      ...(rewrites !== null ? ['llm' as const] : []),
    ],
    terms: details.terms,
    expansion: expansion.map((e) => ({ term: e.term, word: e.word, weight: e.weight, source: e.source })),
    feedbackWeight: details.feedbackWeight,
    expandedQuery: added.length ? `${query} ${added.join(' ')}` : query,
    rewrites: rewrites ?? [],
  };
}
