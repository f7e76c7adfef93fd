// The messages sent to a language model for one turn, within a token budget (cl100k_base counts, the tokenizer
// chunking uses): system prompt (mode + chatbot's own + reply language), business profile, numbered sources,
// then the most recent history turns that still fit, then the question. Older turns are dropped and counted so a
// caller with a model can summarise them.
import type { ChatMessage } from '../../../platform/llm/types.ts';
import { countTokens } from '../../knowledge/parsing/chunk.ts';
import type { AnswerHit, Language } from './answer.types.ts';
import { MODE_PROMPTS, replyLanguageLine, sourcesInstruction, type ChatMode } from './prompts.ts';

/** Tokens a chat message costs beyond its content (role and separators; OpenAI's cl100k accounting). */
const MESSAGE_OVERHEAD = 4;
/** Tokens priming the reply. */
const REPLY_PRIMING = 3;
/** Share of the budget left after the fixed parts that sources may take when there is history to keep. */
const SOURCES_SHARE = 0.7;
/** Share of the whole budget the business profile may take. */
const PROFILE_SHARE = 0.2;
/** A source cut to fit is only worth sending with at least this many tokens of text. */
const MIN_SOURCE_TOKENS = 48;

/** The org's business profile (business_profiles row or the same fields). */
export interface BusinessProfile {
  name: string;
  description?: string | null;
  industry?: string | null;
  address?: string | null;
  phone?: string | null;
  email?: string | null;
  website?: string | null;
  hours?: string | null;
  facts?: Record<string, string> | null;
}

export interface HistoryTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ContextInput {
  mode: ChatMode;
  /** the chatbot's own instructions, added after the mode prompt */
  systemPrompt?: string | null;
  businessProfile?: BusinessProfile | null;
  /** search hits, best first; numbered [1], [2] … in this order as far as they fit */
  hits: readonly AnswerHit[];
  /** earlier turns, oldest first (without the current question) */
  history: readonly HistoryTurn[];
  question: string;
  /** tokens the prompt may use (the model's context window minus the tokens reserved for its answer) */
  budgetTokens: number;
  language: Language;
}

/** A numbered source as the model saw it: parseCitations maps [n] back to it. */
export interface Source {
  n: number;
  chunkId: string;
  documentId: string;
  documentTitle: string;
  page: number | null;
  charStart: number;
  charEnd: number;
  /** the text sent (the whole chunk, or its beginning when it was cut to fit) */
  text: string;
}

export interface AssembledContext {
  messages: ChatMessage[];
  sources: Source[];
  /** oldest history turns left out for lack of budget */
  droppedTurns: number;
  /** hits left out for lack of budget */
  droppedSources: number;
  /** prompt tokens of `messages` (cl100k_base) */
  tokens: number;
}

const messageTokens = (content: string) => countTokens(content) + MESSAGE_OVERHEAD;

/** The longest prefix of `text`, cut at a word boundary, whose tokens fit `budget` ('…' marks the cut). */
export function truncateToTokens(text: string, budget: number): string {
  if (countTokens(text) <= budget) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countTokens(`${text.slice(0, mid)}…`) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const cut = text.lastIndexOf(' ', lo);
  const end = cut > lo / 2 ? cut : lo;
  return end > 0 ? `${text.slice(0, end).trimEnd()}…` : '';
}

export function formatBusinessProfile(p: BusinessProfile): string {
  const lines = [`Business profile (facts about the business this assistant serves):`, `Name: ${p.name}`];
  const fields: [string, string | null | undefined][] = [
    ['Description', p.description],
    ['Industry', p.industry],
    ['Address', p.address],
    ['Phone', p.phone],
    ['Email', p.email],
    ['Website', p.website],
    ['Opening hours', p.hours],
    ...Object.entries(p.facts ?? {}),
  ];
  for (const [label, value] of fields) if (value?.trim()) lines.push(`${label}: ${value.trim()}`);
  return lines.join('\n');
}

function sourceHeader(n: number, hit: AnswerHit): string {
  const title = hit.heading ? `${hit.documentTitle} › ${hit.heading}` : hit.documentTitle;
  return `[${n}] ${title}${hit.page !== null ? `, p. ${hit.page}` : ''}: `;
}

export function assembleContext(input: ContextInput): AssembledContext {
  const { mode, hits, history, language } = input;
  const budget = Math.max(0, Math.floor(input.budgetTokens));
  const head = [MODE_PROMPTS[mode], input.systemPrompt?.trim(), replyLanguageLine(language)]
    .filter(Boolean)
    .join('\n\n');
  const question: ChatMessage = { role: 'user', content: input.question };
  // The mode prompt and the question are sent whatever the budget: without them there is no request.
  let used = REPLY_PRIMING + messageTokens(input.question) + messageTokens(head);

  let profile = '';
  if (input.businessProfile) {
    const full = formatBusinessProfile(input.businessProfile);
    const room = Math.min(Math.floor(budget * PROFILE_SHARE), budget - used - 2);
    profile = room > 0 ? truncateToTokens(full, room) : '';
    if (profile) used += countTokens(`\n\n${profile}`);
  }

  const instruction = sourcesInstruction(mode, hits.length > 0);
  if (instruction) used += countTokens(`\n\n${instruction}`);
  const historyTokens = history.reduce((s, t) => s + messageTokens(t.content), 0);
  const left = Math.max(0, budget - used);
  let sourceRoom = historyTokens > 0 ? Math.floor(left * SOURCES_SHARE) : left;
  sourceRoom = Math.max(sourceRoom, left - historyTokens);

  const sources: Source[] = [];
  const blocks: string[] = [];
  let sourceTokens = countTokens('\n\nSources:');
  for (const hit of hits) {
    const n = sources.length + 1;
    const header = sourceHeader(n, hit);
    const cost = countTokens(`\n${header}${hit.text}`);
    let text = hit.text;
    if (sourceTokens + cost > sourceRoom) {
      // Only the first source is worth cutting: a model needs at least one, later ones can be skipped whole.
      const room = sourceRoom - sourceTokens - countTokens(`\n${header}`);
      if (sources.length > 0 || room < MIN_SOURCE_TOKENS) continue;
      text = truncateToTokens(hit.text, room);
    }
    sources.push({
      n,
      chunkId: hit.chunkId,
      documentId: hit.documentId,
      documentTitle: hit.documentTitle,
      page: hit.page,
      charStart: hit.charStart,
      charEnd: hit.charEnd,
      text,
    });
    blocks.push(`${header}${text}`);
    sourceTokens += countTokens(`\n${header}${text}`);
  }
  if (sources.length) used += sourceTokens;

  // Newest turns first, stopping at the first that does not fit: the window stays contiguous.
  const kept: HistoryTurn[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const cost = messageTokens(history[i]!.content);
    if (used + cost > budget) break;
    used += cost;
    kept.unshift(history[i]!);
  }

  const render = (): ChatMessage[] => {
    const system = [head, profile, instruction, sources.length ? `Sources:\n${blocks.join('\n')}` : '']
      .filter(Boolean)
      .join('\n\n');
    return [
      { role: 'system', content: system },
      ...kept.map((t): ChatMessage => ({ role: t.role, content: t.content })),
      question,
    ];
  };
  // Parts were counted separately; joined text can tokenise a little differently, so check the exact total.
  let messages = render();
  let tokens = countPromptTokens(messages);
  while (tokens > budget && (kept.length > 0 || sources.length > 1)) {
    if (kept.length > 0) kept.shift();
    else {
      sources.pop();
      blocks.pop();
    }
    messages = render();
    tokens = countPromptTokens(messages);
  }
  return {
    messages,
    sources,
    droppedTurns: history.length - kept.length,
    droppedSources: hits.length - sources.length,
    tokens,
  };
}

/** Prompt tokens of messages as assembled here (text content only). */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  let n = REPLY_PRIMING;
  for (const m of messages) {
    const text =
      typeof m.content === 'string'
        ? m.content
        : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
    n += messageTokens(text);
  }
  return n;
}
