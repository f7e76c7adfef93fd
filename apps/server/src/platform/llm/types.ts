/**
 * The one interface every language-model backend implements: an OpenAI-compatible server (openai SDK), a local
 * GGUF model (node-llama-cpp), and the built-in extractive responder (no model). Chat, query expansion and
 * summaries talk only to this, so a chatbot's answers do not depend on which backend produced them.
 *
 * Messages follow OpenAI's chat shape because every backend we target speaks it (or is adapted to it).
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export type ContentPart =
  | { type: 'text'; text: string }
  /** data: URL or https URL; only sent to models whose catalogue entry says `vision: true` */
  | { type: 'image_url'; image_url: { url: string } };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ContentPart[] | null;
  /** assistant messages that called tools */
  tool_calls?: ToolCall[];
  /** tool result messages */
  tool_call_id?: string;
  name?: string;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  tools?: ToolDefinition[];
  /** JSON schema the answer must satisfy (structured output); backends that cannot enforce it ignore it */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /** aborted when the client goes away or the timeout fires; backends must stop generating */
  signal?: AbortSignal;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Streamed pieces, in order: any number of deltas / tool-call deltas, then exactly one `done` (or a thrown error). */
export type ChatChunk =
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'done'; finishReason: FinishReason; usage: Usage };

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'cancelled';

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

export interface ModelInfo {
  /** id sent to the backend (e.g. `llama3.1:8b`, `gpt-4o-mini`, a GGUF file name) */
  id: string;
  provider: string;
  vision: boolean;
  tools: boolean;
  contextWindow: number;
}

export interface ChatProvider {
  /** stable provider id, e.g. `openai-compatible`, `local-gguf`, `extractive` */
  readonly kind: string;
  /** streaming is the primitive; `complete` is built on it by `collectStream` unless a backend has a faster path */
  stream(req: ChatRequest): AsyncIterable<ChatChunk>;
  complete(req: ChatRequest): Promise<ChatResult>;
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
}

/**
 * Errors a provider raises, so callers can map them to API errors and traces without knowing the backend.
 * `retryable` says whether the same request may succeed later (429, 5xx, connection reset, timeout).
 */
export class ProviderError extends Error {
  constructor(
    readonly code:
      'provider_error' | 'provider_timeout' | 'provider_auth' | 'provider_rate_limited' | 'cancelled',
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Drains a stream into one result; shared by backends whose non-streaming path is the stream. */
export async function collectStream(stream: AsyncIterable<ChatChunk>): Promise<ChatResult> {
  let text = '';
  const calls: { id: string; name: string; args: string }[] = [];
  for await (const chunk of stream) {
    if (chunk.type === 'delta') text += chunk.text;
    else if (chunk.type === 'tool_call') {
      const c = (calls[chunk.index] ??= { id: '', name: '', args: '' });
      if (chunk.id) c.id = chunk.id;
      if (chunk.name) c.name += chunk.name;
      c.args += chunk.argumentsDelta;
    } else {
      return {
        text,
        toolCalls: calls.filter(Boolean).map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: c.args },
        })),
        finishReason: chunk.finishReason,
        usage: chunk.usage,
      };
    }
  }
  throw new ProviderError('provider_error', 'The model stream ended without a final chunk', true);
}
