import type { Deps } from '../../deps.ts';
import type { Citation } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import type { Usage } from '../../platform/llm/types.ts';
import type { ChatbotRow } from '../chatbots/chatbots.repo.ts';
import { countTokens } from '../knowledge/parsing/chunk.ts';
import { searchChatbot } from '../retrieval/retrieval.service.ts';
import { guessLanguage } from '../retrieval/text.ts';
import { getProfile } from '../business/business.repo.ts';
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
  | { type: 'delta'; text: string; fromModel?: boolean }
  | { type: 'citation'; citation: Citation }
  | { type: 'usage'; usage: Usage }
  | {
      type: 'done';
      message: repo.MessageRow;
      userMessage: repo.MessageRow;
      conversation: repo.ConversationRow;
    }
  | { type: 'error'; code: string; message: string; messageId: string };

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
  }, mergeModelDeltas);

  const userMessageId = newId('message');
  const assistantId = newId('message');
  // The model is asked as soon as the prompt's inputs are there (business profile, history, evidence); storing
  // the question and the answer's placeholder runs meanwhile, within the model's time to first token, instead
  // of before it. The profile is read first: on the embedded database's single connection, queries run in
  // the order they are issued, and the transaction would otherwise hold the connection ahead of it.
  const businessProfile = prefetchProfile(deps, input);
  const history = input.history
    ? Promise.resolve(input.history)
    : storedHistory(deps, orgId, conversation.id);
  // After the history is read: the history must not contain this question.
  const stored = history.then(() =>
    deps.db.transaction(async (tx) => {
      const turn = await repo.insertTurn(
        tx,
        orgId,
        conversation.id,
        [
          {
            id: userMessageId,
            conversationId: conversation.id,
            role: 'user',
            mode: input.mode,
            content: input.content,
            status: 'complete',
            attachments: (input.images ?? []).map((i) => i.attachment),
            citations: [],
          },
          {
            id: assistantId,
            conversationId: conversation.id,
            role: 'assistant',
            mode: input.mode,
            content: '',
            status: 'streaming',
            attachments: [],
            citations: [],
          },
        ],
        autoTitle(input.content),
      );
      return { userMessage: turn.question, assistant: turn.answer, conversation: turn.conversation };
    }),
  );

  let text = '';
  const emitDelta = (piece: string, fromModel = false) => {
    text += piece;
    events.push(fromModel ? { type: 'delta', text: piece, fromModel } : { type: 'delta', text: piece });
  };
  const answer = produceAnswer(deps, input, {
    history,
    businessProfile,
    stored,
    messageId: assistantId,
    emit: emitDelta,
    signal: abort.signal,
  });
  answer.catch(() => {}); // awaited below; an early failure must not count as unhandled meanwhile
  let userMessage: repo.MessageRow;
  let storedConversation: repo.ConversationRow;
  try {
    ({ userMessage, conversation: storedConversation } = await stored);
  } catch (err) {
    // Nothing stored, so no answer either: the caller gets the error, and the model call is stopped.
    abort.abort(err);
    throw err;
  }

  const result = (async () => {
    try {
      const out = await answer;
      for (const citation of out.citations) events.push({ type: 'citation', citation });
      events.push({ type: 'usage', usage: out.usage });
      const cancelled = abort.signal.aborted;
      // The conversation as the turn's insert left it (count, title, last message): no re-read needed.
      const saved = await repo.updateMessage(deps.db, orgId, assistantId, {
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
      events.push({ type: 'done', message: saved!, userMessage, conversation: storedConversation });
      // A summary is only due once the history window is full; the stored count tells without a query.
      if (out.provider !== 'builtin' && !input.history && conversation.messageCount + 2 >= HISTORY_TURNS) {
        void refreshSummary(deps, orgId, bot.id, conversation.id, out.model).catch((err: unknown) =>
          deps.log.warn({ err, conversationId: conversation.id }, 'conversation summary failed'),
        );
      }
      return saved!;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'internal_error';
      const message =
        code === 'internal_error' ? 'The answer could not be generated' : (err as Error).message;
      if (code === 'internal_error') deps.log.error({ err, messageId: assistantId }, 'chat turn failed');
      const saved = await repo.updateMessage(deps.db, orgId, assistantId, {
        content: text,
        status: abort.signal.aborted ? 'cancelled' : 'error',
        error: { code, message },
        latencyMs: Date.now() - started,
      });
      events.push({ type: 'error', code, message, messageId: assistantId });
      return saved!;
    } finally {
      events.close();
    }
  })();
  return { messageId: assistantId, events, result };
}

/** The org's business profile when the answer will need it (a model is asked and the chatbot uses it). */
function prefetchProfile(deps: TurnDeps, input: TurnInput) {
  const settings = input.bot.modelSettings as { model?: string | null; useBusinessProfile?: boolean };
  const ref = settings.model ?? deps.config.DEFAULT_MODEL;
  if (ref === 'builtin/extractive' || settings.useBusinessProfile === false) return undefined;
  const profile = getProfile(deps.db, input.bot.orgId);
  profile.catch(() => {}); // awaited by the model call; a failure surfaces there
  return profile;
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

interface AnswerArgs {
  history: Promise<{ role: 'user' | 'assistant'; content: string }[]>;
  businessProfile: ReturnType<typeof prefetchProfile>;
  /** settles when the question and the answer's placeholder are stored */
  stored: Promise<unknown>;
  messageId: string;
  emit: (text: string) => void;
  signal: AbortSignal;
}

async function produceAnswer(deps: TurnDeps, input: TurnInput, a: AnswerArgs): Promise<Answer> {
  const { emit } = a;
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
    history: await a.history,
    language,
    messageId: a.messageId,
    conversationId: input.conversation.id,
    summary: input.history ? null : input.conversation.summary,
    businessProfile: a.businessProfile,
    messageStored: a.stored,
    emit,
    signal: a.signal,
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

/**
 * Model tokens that queue up while the client's connection is busy are sent as one delta: one write and one
 * event instead of many when the server is loaded, with the same text. Only model tokens: the built-in
 * responder's pieces stay separate (clients rely on a streamed answer arriving in several deltas).
 */
function mergeModelDeltas(queued: ChatEvent, next: ChatEvent): ChatEvent | null {
  if (queued.type !== 'delta' || next.type !== 'delta' || !queued.fromModel || !next.fromModel) return null;
  return { type: 'delta', text: queued.text + next.text, fromModel: true };
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
