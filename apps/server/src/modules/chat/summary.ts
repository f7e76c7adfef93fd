import type { Deps } from '../../deps.ts';
import { newId } from '../../platform/ids.ts';
import { resolveChatModel } from '../../platform/llm/resolve-model.ts';
import * as repo from './chat.repo.ts';

/** Turns sent verbatim to the model; older ones reach it only through the conversation's running summary. */
export const HISTORY_TURNS = 20;
const SUMMARY_BATCH = 40;

/**
 * Folds the turns that fell out of the history window into the conversation's running summary, with the
 * chatbot's model. Runs after an answer is stored (never on the answer's critical path); the next turn sends
 * the summary as context. A failure leaves the old summary and is retried after the next turn.
 */
export async function refreshSummary(
  deps: Deps,
  orgId: string,
  botId: string,
  convId: string,
  ref: string,
): Promise<void> {
  const recent = await repo.recentMessages(deps.db, orgId, convId, HISTORY_TURNS);
  if (recent.length < HISTORY_TURNS) return;
  const conv = await repo.getConversation(deps.db, orgId, botId, convId, null);
  if (!conv) return;
  const older = await repo.messagesBetween(
    deps.db,
    orgId,
    convId,
    conv.summarizedThrough ?? null,
    recent[0]!.id,
    SUMMARY_BATCH,
  );
  if (older.length === 0) return;
  const { provider, model } = await resolveChatModel(deps, orgId, ref);
  const transcript = older
    .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`)
    .join('\n\n');
  const started = Date.now();
  let status: 'ok' | 'error' = 'ok';
  let error: string | null = null;
  let usage = { promptTokens: 0, completionTokens: 0 };
  try {
    const result = await provider.complete({
      model,
      temperature: 0.2,
      maxTokens: 400,
      signal: AbortSignal.timeout(deps.config.CHAT_TIMEOUT * 1000),
      messages: [
        {
          role: 'system',
          content:
            'Update the running summary of a conversation with the new turns. Keep facts, names, numbers, decisions and open questions; drop small talk. At most 150 words, plain text, same language as the conversation.',
        },
        {
          role: 'user',
          content: `Summary so far:\n${conv.summary ?? '(none)'}\n\nNew turns:\n${transcript}`,
        },
      ],
    });
    usage = result.usage;
    const summary = result.text.trim();
    if (summary) {
      await repo.updateConversation(deps.db, orgId, convId, {
        summary,
        summarizedThrough: older[older.length - 1]!.id,
      });
    }
  } catch (err) {
    status = 'error';
    error = (err as Error).message;
  } finally {
    await repo.insertLlmCall(deps.db, orgId, {
      id: newId('llmCall'),
      chatbotId: conv.chatbotId,
      conversationId: convId,
      purpose: 'summary',
      provider: provider.kind,
      model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      latencyMs: Date.now() - started,
      status,
      error,
    });
  }
}
