import type { Deps } from '../../deps.ts';
import type { Citation } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import type { ChatbotRow } from '../chatbots/chatbots.repo.ts';
import { countTokens } from '../knowledge/parsing/chunk.ts';
import { searchChatbot } from '../retrieval/retrieval.service.ts';
import { guessLanguage } from '../retrieval/text.ts';
import type { AnswerHit } from './answer/answer.types.ts';
import { extractiveAnswer } from './answer/extractive.ts';
import { termStatsFromIndex } from './answer/query-terms.ts';
import { noModelReply } from './answer/no-model.ts';
import * as repo from './chat.repo.ts';
import { createEventChannel, type EventChannel } from './event-channel.ts';
import { generateWithModel, type ImageInput } from './generate.ts';
import { HISTORY_TURNS, refreshSummary } from './summary.ts';

/**
 * One chat turn: store the question, find the evidence, generate the answer (a model when the chatbot has
 * one, else the built-in extractive responder), stream it as events and store the result. The turn runs on
 * its own: a client that goes away stops receiving events, and by default the answer is still completed and
 * stored (CHAT_ON_DISCONNECT=finish); with `cancel` the model call is aborted and the partial answer kept.
 */
export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'citation'; citation: Citation }
  | { type: 'usage'; usage: Usage }
  | {
      type: 'done';
      message: repo.MessageRow;
      userMessage: repo.MessageRow;
      conversation: repo.ConversationRow;
    }
  | { type: 'error'; code: string; message: string; messageId: string };

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface TurnInput {
  bot: ChatbotRow;
  conversation: repo.ConversationRow;
  content: string;
  mode: repo.ChatMode;
  images?: ImageInput[];
  /** earlier turns supplied by the caller instead of the stored history (the OpenAI-compatible endpoint) */
  history?: { role: 'user' | 'assistant'; content: string }[];
}

export type TurnDeps = Deps;

export interface Turn {
  /** the assistant message being written */
  messageId: string;
  events: EventChannel<ChatEvent>;
  /** settles when the answer is stored, whatever happened to the client */
  result: Promise<repo.MessageRow>;
}

export async function startTurn(deps: TurnDeps, input: TurnInput): Promise<Turn> {
  const { bot, conversation } = input;
  const orgId = bot.orgId;
  const started = Date.now();
  const abort = new AbortController();
  const events = createEventChannel<ChatEvent>(() => {
    if (deps.config.CHAT_ON_DISCONNECT === 'cancel') abort.abort(new Error('client disconnected'));
  });

  const history = input.history ?? (await storedHistory(deps, orgId, conversation.id));
  const { userMessage, assistant } = await deps.db.transaction(async (tx) => {
    const userMessage = await repo.insertMessage(tx, orgId, {
      id: newId('message'),
      conversationId: conversation.id,
      role: 'user',
      mode: input.mode,
      content: input.content,
      status: 'complete',
      attachments: (input.images ?? []).map((i) => i.attachment),
      citations: [],
    });
    const assistant = await repo.insertMessage(tx, orgId, {
      id: newId('message'),
      conversationId: conversation.id,
      role: 'assistant',
      mode: input.mode,
      content: '',
      status: 'streaming',
      attachments: [],
      citations: [],
    });
    await repo.touchConversation(tx, orgId, conversation.id, 2);
    if (conversation.messageCount === 0 && conversation.titleSource === 'auto') {
      await repo.updateConversation(tx, orgId, conversation.id, { title: autoTitle(input.content) });
    }
    return { userMessage, assistant };
  });

  const result = (async () => {
    let text = '';
    const emitDelta = (piece: string) => {
      text += piece;
      events.push({ type: 'delta', text: piece });
    };
    try {
      const out = await produceAnswer(deps, input, history, assistant.id, emitDelta, abort.signal);
      for (const citation of out.citations) events.push({ type: 'citation', citation });
      events.push({ type: 'usage', usage: out.usage });
      const cancelled = abort.signal.aborted;
      const saved = await repo.updateMessage(deps.db, orgId, assistant.id, {
        content: out.text,
        status: cancelled ? 'cancelled' : 'complete',
        citations: out.citations,
        grounded: out.grounded,
        usage: out.usage,
        provider: out.provider,
        model: out.model,
        ttftMs: out.ttftMs,
        latencyMs: Date.now() - started,
      });
      const conv =
        (await repo.getConversation(deps.db, orgId, bot.id, conversation.id, null)) ?? conversation;
      events.push({ type: 'done', message: saved!, userMessage, conversation: conv });
      if (out.provider !== 'builtin' && !input.history) {
        void refreshSummary(deps, orgId, bot.id, conversation.id, out.model).catch((err: unknown) =>
          deps.log.warn({ err, conversationId: conversation.id }, 'conversation summary failed'),
        );
      }
      return saved!;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'internal_error';
      const message =
        code === 'internal_error' ? 'The answer could not be generated' : (err as Error).message;
      if (code === 'internal_error') deps.log.error({ err, messageId: assistant.id }, 'chat turn failed');
      const saved = await repo.updateMessage(deps.db, orgId, assistant.id, {
        content: text,
        status: abort.signal.aborted ? 'cancelled' : 'error',
        error: { code, message },
        latencyMs: Date.now() - started,
      });
      events.push({ type: 'error', code, message, messageId: assistant.id });
      return saved!;
    } finally {
      events.close();
    }
  })();
  return { messageId: assistant.id, events, result };
}

interface Answer {
  text: string;
  citations: Citation[];
  grounded: boolean | null;
  usage: Usage;
  provider: string;
  model: string;
  ttftMs: number | null;
}

async function produceAnswer(
  deps: TurnDeps,
  input: TurnInput,
  history: { role: 'user' | 'assistant'; content: string }[],
  messageId: string,
  emit: (text: string) => void,
  signal: AbortSignal,
): Promise<Answer> {
  const { bot } = input;
  const language = input.mode === 'chat' ? guessLanguage(input.content, bot.language) : bot.language;
  const settings = bot.modelSettings as { model?: string | null; strictGrounding?: boolean };
  const ref = settings.model ?? deps.config.DEFAULT_MODEL;
  const ocrText = (input.images ?? [])
    .map((i) => i.ocrText)
    .filter(Boolean)
    .join('\n');
  const question = ocrText ? `${input.content}\n\n${ocrText}` : input.content;
  const search = await searchChatbot(deps, bot.orgId, bot.id, {
    query: question.slice(0, 2000),
    mode: 'hybrid',
    topK: 8,
    expand: true,
  });
  const hits = search.hits.map(toAnswerHit);

  if (ref === 'builtin/extractive') {
    const started = Date.now();
    if (input.mode !== 'chat') {
      const reply = noModelReply(input.mode, language);
      emitInPieces(reply, emit);
      return finishOffline(reply, [], null, question, started);
    }
    const answer = extractiveAnswer({
      question,
      hits,
      language,
      termStats: termStatsFromIndex(search.index),
      strictness: settings.strictGrounding === false ? 'relaxed' : 'strict',
    });
    emitInPieces(answer.text, emit);
    return finishOffline(answer.text, answer.citations, answer.grounded, question, started);
  }

  return generateWithModel(deps, {
    bot,
    ref,
    mode: input.mode,
    question: input.content,
    images: input.images ?? [],
    hits,
    history,
    language,
    messageId,
    conversationId: input.conversation.id,
    summary: input.history ? null : input.conversation.summary,
    emit,
    signal,
  });
}

/**
 * FAQ entries, the business profile and catalogue items are cited like documents: their own id stands in for
 * the chunk and document id, so a citation always names a source the API can show.
 */
function toAnswerHit(h: Awaited<ReturnType<typeof searchChatbot>>['hits'][number]): AnswerHit {
  const sourceId = h.chunkId ?? h.faqId ?? h.itemId ?? `business:${h.source}`;
  return { ...h, chunkId: sourceId, documentId: h.documentId ?? sourceId };
}

function finishOffline(
  text: string,
  citations: Citation[],
  grounded: boolean | null,
  question: string,
  started: number,
): Answer {
  const promptTokens = countTokens(question);
  const completionTokens = countTokens(text);
  return {
    text,
    citations,
    grounded,
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    provider: 'builtin',
    model: 'builtin/extractive',
    ttftMs: Date.now() - started,
  };
}

/** The extractive answer exists at once; it is still sent as several deltas so clients have one code path. */
function emitInPieces(text: string, emit: (t: string) => void) {
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) emit(piece);
}

async function storedHistory(deps: TurnDeps, orgId: string, convId: string) {
  const rows = await repo.recentMessages(deps.db, orgId, convId, HISTORY_TURNS);
  return rows.map((m) => ({ role: m.role, content: m.content }));
}

/** First line of the first question, cut at a word boundary: good enough until a model names it better. */
export function autoTitle(content: string): string {
  const line = content.trim().split('\n')[0]!.replace(/\s+/g, ' ');
  if (line.length <= 60) return line || 'New conversation';
  const cut = line.slice(0, 60);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 30))}…`;
}
