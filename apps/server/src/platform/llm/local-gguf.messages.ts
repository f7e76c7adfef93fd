import type { ChatHistoryItem, LlamaChatResponse } from 'node-llama-cpp';
import type { ChatMessage, FinishReason } from './types.ts';

/** Text of a message; image parts are dropped because local GGUF models are served as text-only. */
function textOf(content: ChatMessage['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

/**
 * OpenAI-shaped messages → node-llama-cpp chat history, ending with the model turn to generate.
 * This backend offers no tool calling (its models are listed with `tools: false`), so tool traffic that reaches
 * it from an earlier model is kept as plain text rather than lost: assistant calls as a note, results as user turns.
 * A trailing assistant message is continued, not answered (prefill).
 */
export function toChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const m of messages) {
    const text = textOf(m.content);
    if (m.role === 'system') history.push({ type: 'system', text });
    else if (m.role === 'user') history.push({ type: 'user', text });
    else if (m.role === 'tool') {
      history.push({ type: 'user', text: `Result of tool ${m.name ?? m.tool_call_id ?? ''}:\n${text}` });
    } else {
      const calls = (m.tool_calls ?? []).map((c) => `[called ${c.function.name}(${c.function.arguments})]`);
      history.push({ type: 'model', response: [[text, ...calls].filter(Boolean).join('\n')] });
    }
  }
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

export function toFinishReason(stopReason: LlamaChatResponse['metadata']['stopReason']): FinishReason {
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === 'abort') return 'cancelled';
  return 'stop';
}
