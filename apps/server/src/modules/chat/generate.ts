import type { Deps } from '../../deps.ts';
import type { Citation } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { resolveChatModel } from '../../platform/llm/resolve-model.ts';
import { ProviderError, type ChatMessage, type ContentPart, type Usage } from '../../platform/llm/types.ts';
import { getProfile, type BusinessProfileRow } from '../business/business.repo.ts';
import type { ChatbotRow } from '../chatbots/chatbots.repo.ts';
import type { AnswerHit } from './answer/answer.types.ts';
import { parseCitations } from './answer/citations.ts';
import { assembleContext } from './answer/context.ts';
import * as repo from './chat.repo.ts';

/** An image attached to a question: sent as an image part to vision models, as its OCR text to the others. */
export interface ImageInput {
  dataUrl: string;
  ocrText: string;
  attachment: Record<string, unknown>;
}

export interface GenerateArgs {
  bot: ChatbotRow;
  ref: string;
  mode: repo.ChatMode;
  question: string;
  images: ImageInput[];
  hits: AnswerHit[];
  history: { role: 'user' | 'assistant'; content: string }[];
  language: 'en' | 'id';
  conversationId: string;
  /** running summary of turns older than the history window */
  summary: string | null;
  /** the org's business profile, when the caller already started reading it (else it is read here) */
  businessProfile?: Promise<BusinessProfileRow | undefined>;
  /** settles once the assistant message is stored, when that runs alongside the model call: traces follow it */
  messageStored?: Promise<unknown>;
  messageId: string;
  /** `fromModel`: a model's token, which may be merged with others still queued (see turn.ts) */
  emit: (text: string, fromModel?: boolean) => void;
  signal: AbortSignal;
}

export interface Generated {
  text: string;
  citations: Citation[];
  grounded: boolean | null;
  usage: Usage;
  provider: string;
  model: string;
  ttftMs: number | null;
}

interface ModelSettings {
  fallbackModel?: string | null;
  temperature?: number;
  maxTokens?: number;
}

/**
 * Answers with a language model: context (system prompt, business profile, numbered sources, history) → stream
 * → citations parsed from the [n] markers. If the primary model fails before it produced any text, the
 * chatbot's fallback model gets the same request. Every attempt is traced in llm_calls.
 */
export async function generateWithModel(deps: Deps, a: GenerateArgs): Promise<Generated> {
  const settings = a.bot.modelSettings as ModelSettings;
  const refs = [a.ref, settings.fallbackModel].filter((r): r is string => !!r && r !== 'builtin/extractive');
  let lastError: unknown;
  for (const [attempt, ref] of refs.entries()) {
    let produced = false;
    try {
      return await attemptModel(deps, a, ref, attempt + 1, () => (produced = true));
    } catch (err) {
      lastError = err;
      if (produced || a.signal.aborted || !(err instanceof ProviderError)) break;
      deps.log.warn({ err, ref }, 'model failed, trying the fallback model');
    }
  }
  throw toAppError(lastError);
}

async function attemptModel(
  deps: Deps,
  a: GenerateArgs,
  ref: string,
  attempt: number,
  onFirstToken: () => void,
): Promise<Generated> {
  const settings = a.bot.modelSettings as ModelSettings;
  const { provider, model, info } = await resolveChatModel(deps, a.bot.orgId, ref);
  const useBusiness = (a.bot.modelSettings as { useBusinessProfile?: boolean }).useBusinessProfile !== false;
  const businessProfile = useBusiness
    ? ((await (a.businessProfile ?? getProfile(deps.db, a.bot.orgId))) ?? null)
    : null;
  const { messages, sources } = assembleContext({
    mode: a.mode,
    systemPrompt: a.summary
      ? `${a.bot.systemPrompt}\n\nSummary of the earlier conversation:\n${a.summary}`.trim()
      : a.bot.systemPrompt,
    businessProfile,
    hits: a.mode === 'chat' ? a.hits : a.hits.slice(0, 3),
    history: a.history,
    question: a.question,
    budgetTokens: Math.max(1024, Math.min(info.contextWindow, 128_000) - (settings.maxTokens ?? 1024)),
    language: a.language,
  });
  attachImages(messages, a.images, info.vision);

  const started = Date.now();
  let ttftMs: number | null = null;
  let text = '';
  const timeout = AbortSignal.timeout(deps.config.CHAT_TIMEOUT * 1000);
  const signal = AbortSignal.any([a.signal, timeout]);
  const trace = async (status: 'ok' | 'error' | 'cancelled', usage: Usage | null, error: string | null) => {
    const latencyMs = Date.now() - started;
    await a.messageStored;
    return repo.insertLlmCall(deps.db, a.bot.orgId, {
      id: newId('llmCall'),
      chatbotId: a.bot.id,
      conversationId: a.conversationId,
      messageId: a.messageId,
      purpose: 'answer',
      provider: provider.kind,
      model,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      ttftMs,
      latencyMs,
      status,
      error,
      attempt,
    });
  };
  try {
    for await (const chunk of provider.stream({
      model,
      messages,
      temperature: settings.temperature,
      maxTokens: settings.maxTokens,
      signal,
    })) {
      if (chunk.type === 'delta' && chunk.text) {
        if (ttftMs === null) {
          ttftMs = Date.now() - started;
          onFirstToken();
        }
        text += chunk.text;
        a.emit(chunk.text, true);
      } else if (chunk.type === 'done') {
        const usage = chunk.usage;
        await trace('ok', usage, null);
        const citations = parseCitations(text, sources);
        return {
          text,
          citations,
          grounded: a.mode === 'chat' ? citations.length > 0 : null,
          usage,
          provider: provider.kind,
          model: ref,
          ttftMs,
        };
      }
    }
    throw new ProviderError('provider_error', 'The model stream ended without a final chunk', true);
  } catch (err) {
    const timedOut = timeout.aborted && !a.signal.aborted;
    const status = a.signal.aborted ? 'cancelled' : 'error';
    await trace(status, null, timedOut ? 'timeout' : (err as Error).message).catch(() => {});
    if (timedOut)
      throw new ProviderError(
        'provider_timeout',
        `The model did not finish within ${deps.config.CHAT_TIMEOUT} s`,
        true,
      );
    throw err;
  }
}

function attachImages(messages: ChatMessage[], images: ImageInput[], vision: boolean) {
  if (images.length === 0) return;
  const last = messages[messages.length - 1]!;
  const text = typeof last.content === 'string' ? last.content : '';
  if (vision) {
    const parts: ContentPart[] = [
      { type: 'text', text },
      ...images.map((i) => ({ type: 'image_url' as const, image_url: { url: i.dataUrl } })),
    ];
    last.content = parts;
  } else {
    const ocr = images.map((i, n) => `[image ${n + 1} text]\n${i.ocrText || '(no text found)'}`).join('\n\n');
    last.content = `${text}\n\n${ocr}`;
  }
}

function toAppError(err: unknown): Error {
  if (err instanceof AppError) return err;
  if (err instanceof ProviderError) {
    if (err.code === 'provider_timeout') return new AppError('provider_timeout', err.message);
    if (err.code === 'cancelled') return new AppError('provider_error', 'The answer was cancelled');
    return new AppError('provider_error', `The model provider failed: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
