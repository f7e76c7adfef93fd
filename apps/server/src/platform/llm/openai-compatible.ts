import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import {
  ProviderError,
  type ChatChunk,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  type ModelInfo,
  type Usage,
} from './types.ts';
import { guessModelTraits, presets, type PresetId, type ServerModelFields } from './presets.ts';
import {
  guardCall,
  toProviderError,
  waitBeforeRetry,
  withRetries,
  type RetryPolicy,
} from './openai-compatible.retry.ts';
import { embedTexts, type EmbedOptions, type EmbedResult } from './openai-compatible.embeddings.ts';

/**
 * ChatProvider for any OpenAI-compatible server (Ollama, vLLM, llama.cpp, Groq, OpenRouter, Fireworks, OpenAI,
 * Gemini's OpenAI endpoint) through the official `openai` SDK.
 *
 * - `timeoutMs` bounds silence, not length: until the response starts, and between two stream chunks. A long
 *   answer that keeps coming is never cut off (a whole-answer deadline belongs to the caller's signal, e.g.
 *   `AbortSignal.timeout()`, which maps to provider_timeout).
 * - Aborting `req.signal` aborts the HTTP request, so the upstream server sees the connection close and stops
 *   generating; the call then throws ProviderError('cancelled').
 * - Failures are ProviderErrors: provider_auth (401/403), provider_rate_limited (429), provider_timeout,
 *   provider_error (5xx, unreachable, bad request) with `retryable`; retryable ones are retried up to
 *   `maxRetries` times with a bounded back-off (openai-compatible.retry.ts).
 */

export interface OpenAICompatibleConfig {
  /** what ModelInfo.provider and error messages name this server by (the provider row id) */
  id: string;
  /** human name for error messages, e.g. "Groq" */
  label?: string;
  preset: PresetId;
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
  maxRetries: number;
  /** first retry back-off, ms (default 250, doubling) */
  retryBaseDelayMs?: number;
  /** longest back-off or Retry-After we wait, ms (default 4000) */
  retryMaxDelayMs?: number;
  /** for tests: a fetch to send requests through */
  fetch?: typeof fetch;
}

export class OpenAICompatibleProvider implements ChatProvider {
  readonly kind = 'openai-compatible';
  readonly client: OpenAI;
  private readonly policy: RetryPolicy;
  private readonly label: string;

  constructor(readonly config: OpenAICompatibleConfig) {
    this.label = config.label ?? presets[config.preset].label;
    this.policy = {
      maxRetries: config.maxRetries,
      baseDelayMs: config.retryBaseDelayMs ?? 250,
      maxDelayMs: config.retryMaxDelayMs ?? 4000,
    };
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      // Servers without auth (Ollama, a bare vLLM) get no Authorization header at all (see defaultHeaders).
      apiKey: config.apiKey ?? 'no-key',
      // Explicit nulls: the SDK would otherwise read OPENAI_* variables from the environment.
      organization: null,
      project: null,
      webhookSecret: null,
      adminAPIKey: null,
      maxRetries: 0,
      timeout: config.timeoutMs,
      logLevel: 'off',
      fetch: config.fetch,
      defaultHeaders: {
        ...presets[config.preset].headers,
        ...(config.apiKey ? {} : { Authorization: null }),
      },
    });
  }

  async *stream(req: ChatRequest): AsyncIterable<ChatChunk> {
    for (let attempt = 0; ; attempt++) {
      let started = false;
      try {
        for await (const chunk of this.streamOnce(req)) {
          started = true;
          yield chunk;
        }
        return;
      } catch (err) {
        const e = err instanceof ProviderError ? err : toProviderError(err, { label: this.label });
        // Once text reached the caller a retry would repeat it: only failures before the first chunk retry.
        if (started) throw e;
        await waitBeforeRetry(e, attempt, this.policy, req.signal);
      }
    }
  }

  private async *streamOnce(req: ChatRequest): AsyncGenerator<ChatChunk> {
    const guard = guardCall(req.signal, this.config.timeoutMs);
    const ctx = { label: this.label, outer: req.signal, guard };
    let finish: string | null = null;
    let usage: Usage | undefined;
    let chars = 0;
    try {
      const stream = await this.client.chat.completions.create(
        { ...this.body(req), stream: true, stream_options: { include_usage: true } },
        { signal: guard.signal },
      );
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        guard.touch();
        if (chunk.usage) usage = toUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta;
        if (delta?.content) {
          chars += delta.content.length;
          yield { type: 'delta', text: delta.content };
        }
        if (delta?.tool_calls) {
          for (let i = 0; i < delta.tool_calls.length; i++) {
            const tc = delta.tool_calls[i]!;
            const args = tc.function?.arguments ?? '';
            chars += args.length;
            yield {
              type: 'tool_call',
              // Gemini's endpoint has been seen omitting `index`; position in the list is what it means.
              index: tc.index ?? i,
              ...(tc.id ? { id: tc.id } : {}),
              ...(tc.function?.name ? { name: tc.function.name } : {}),
              argumentsDelta: args,
            };
          }
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    } catch (err) {
      throw toProviderError(err, ctx);
    } finally {
      guard.dispose();
    }
    // The SDK ends an aborted stream quietly; say why it ended.
    if (req.signal?.aborted || guard.timedOut()) throw toProviderError(new Error('aborted'), ctx);
    if (finish === null) {
      throw new ProviderError(
        'provider_error',
        `${this.label} ended the stream before the answer was complete`,
        true,
      );
    }
    yield { type: 'done', finishReason: toFinishReason(finish), usage: usage ?? estimateUsage(req, chars) };
  }

  /** One request without streaming: the whole answer in one response (the timeout covers all of it). */
  async complete(req: ChatRequest): Promise<ChatResult> {
    return withRetries(this.policy, req.signal, async () => {
      const guard = guardCall(req.signal, this.config.timeoutMs);
      try {
        const res = await this.client.chat.completions.create(
          { ...this.body(req), stream: false },
          { signal: guard.signal },
        );
        const choice = res.choices?.[0];
        if (!choice) throw new ProviderError('provider_error', `${this.label} returned no choices`, true);
        const msg = choice.message;
        const text = typeof msg.content === 'string' ? msg.content : '';
        const toolCalls = (msg.tool_calls ?? [])
          .filter((t) => t.type === 'function')
          .map((t) => ({
            id: t.id,
            type: 'function' as const,
            function: { name: t.function.name, arguments: t.function.arguments ?? '' },
          }));
        return {
          text,
          toolCalls,
          finishReason: toFinishReason(choice.finish_reason),
          usage: res.usage ? toUsage(res.usage) : estimateUsage(req, text.length),
        };
      } catch (err) {
        throw toProviderError(err, { label: this.label, outer: req.signal, guard });
      } finally {
        guard.dispose();
      }
    });
  }

  /** The server's models (`GET /v1/models`), with traits guessed from what it says and the model names. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    return withRetries(this.policy, signal, async () => {
      const guard = guardCall(signal, this.config.timeoutMs);
      try {
        const page = await this.client.models.list({ signal: guard.signal });
        return page.data.map((m) => ({
          id: m.id,
          provider: this.config.id,
          ...guessModelTraits(this.config.preset, m.id, m as unknown as ServerModelFields),
        }));
      } catch (err) {
        throw toProviderError(err, { label: this.label, outer: signal, guard });
      } finally {
        guard.dispose();
      }
    });
  }

  /** Embeddings from `POST /v1/embeddings`, batched, a few batches at a time, each retried. */
  embedTexts(texts: string[], opts: EmbedOptions): Promise<EmbedResult> {
    return embedTexts(
      { client: this.client, policy: this.policy, timeoutMs: this.config.timeoutMs, label: this.label },
      texts,
      opts,
    );
  }

  private body(req: ChatRequest): ChatCompletionCreateParamsBase {
    const body: ChatCompletionCreateParamsBase = {
      model: req.model,
      // Our ChatMessage is OpenAI's message shape (types.ts), so it goes on the wire as it is.
      messages: req.messages as ChatCompletionMessageParam[],
    };
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.maxTokens !== undefined) {
      // OpenAI's newer models refuse max_tokens; most other servers only know max_tokens.
      if (this.config.preset === 'openai') body.max_completion_tokens = req.maxTokens;
      else body.max_tokens = req.maxTokens;
    }
    if (req.tools?.length) body.tools = req.tools;
    if (req.jsonSchema) {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: req.jsonSchema.name, schema: req.jsonSchema.schema, strict: true },
      };
    }
    return body;
  }
}

function toUsage(u: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number }): Usage {
  const promptTokens = u.prompt_tokens ?? 0;
  const completionTokens = u.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: u.total_tokens ?? promptTokens + completionTokens };
}

/**
 * For servers that send no usage (ignoring stream_options): ~4 characters per token, so traces and quotas
 * still see an order of magnitude rather than zero.
 */
function estimateUsage(req: ChatRequest, completionChars: number): Usage {
  let promptChars = 0;
  for (const m of req.messages) {
    if (typeof m.content === 'string') promptChars += m.content.length;
    else for (const p of m.content ?? []) if (p.type === 'text') promptChars += p.text.length;
  }
  const promptTokens = Math.ceil(promptChars / 4);
  const completionTokens = Math.ceil(completionChars / 4);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'stop';
  }
}
