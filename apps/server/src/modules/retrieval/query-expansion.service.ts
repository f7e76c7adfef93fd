import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { expandChatbotQuery } from './retrieval.service.ts';

export type ExpansionMethod = 'auto' | 'feedback' | 'llm';

/** Expansion words appended to `expandedQuery`: the strongest ones carry nearly all of the added weight. */
const MAX_EXPANDED_WORDS = 10;

/**
 * LLM multi-query rewrites of `query` for one chatbot: alternative phrasings a search should also run.
 * Returns null when no language model is configured for the chatbot (the offline default), [] when the model
 * proposed nothing usable.
 *
 * LEAD: wire this to the model resolver of platform/llm (the chatbot's model, else the org default) — e.g.
 * ask for 3 rewrites as JSON `{ "rewrites": string[] }`, drop empty ones and copies of the query, cap each at
 * 300 characters. Until then there is no model, so `method: "llm"` answers 409 model_not_configured and
 * `auto` runs feedback only.
 */
export async function llmRewrites(
  _deps: Pick<Deps, 'db' | 'cache' | 'config'>,
  _orgId: string,
  _botId: string,
  _query: string,
): Promise<string[] | null> {
  return null;
}

/**
 * `POST …/query-expansion`: the query as search would run it. `feedback` = offline pseudo-relevance feedback
 * (adaptive RM3 over the chatbot's own knowledge, the terms and weights search adds); `llm` = rewrites by the
 * configured model; `auto` = feedback, plus rewrites when a model is configured.
 */
export async function expandQueryForChatbot(
  deps: Pick<Deps, 'db' | 'cache' | 'indexCache' | 'config'>,
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
