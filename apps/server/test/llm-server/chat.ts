import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { countTokens, splitArguments, tokenize, type Directives } from './script.ts';

/** How the server answers when a request does not say otherwise (see script.ts for per-request directives). */
export interface Behaviour {
  /** ms from the request to the first token (streams: the status line is sent at once, tokens after this) */
  ttftMs: number;
  /** ms between tokens */
  itlMs: number;
  /** tokens per answer; undefined = as many as the reply text has */
  tokens?: number;
  /** the answer, or 'echo' to repeat the last user message (directives removed) */
  reply: string | 'echo';
  /** Retry-After seconds on 429 */
  retryAfterSeconds: number;
}

type Message = { role: string; content?: unknown };

export interface ChatBody {
  model: string;
  messages: Message[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
}

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p: { type?: string; text?: string }) => (p?.type === 'text' ? (p.text ?? '') : ''))
      .join(' ');
  }
  return '';
}

export function lastUserText(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') return textOf(messages[i]!.content);
  }
  return '';
}

/** prompt tokens: words of every message plus 3 per message (OpenAI's per-message overhead, roughly). */
export function promptTokens(messages: Message[]): number {
  let n = 3;
  for (const m of messages) n += 3 + countTokens(textOf(m.content));
  return n;
}

interface Plan {
  tokens: string[];
  finish: 'stop' | 'length' | 'tool_calls';
  toolCalls: { id: string; name: string; arguments: string }[];
  ttft: number;
  itl: number;
  stall: number;
  completionTokens: number;
}

export function planAnswer(body: ChatBody, d: Directives, b: Behaviour): Plan {
  const text = d.reply ?? (d.echo || b.reply === 'echo' ? d.text : b.reply);
  const count = d.tokens ?? (d.reply !== undefined || d.echo ? undefined : b.tokens);
  let tokens = d.tools.length && d.reply === undefined ? [] : tokenize(text, count);
  const limit = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  let finish: Plan['finish'] = d.tools.length ? 'tool_calls' : 'stop';
  if (limit !== undefined && limit !== null && tokens.length > limit) {
    tokens = tokens.slice(0, limit);
    finish = 'length';
  }
  const toolCalls =
    finish === 'length'
      ? []
      : d.tools.map((t) => ({ id: `call_${randomBytes(12).toString('base64url')}`, ...t }));
  const completionTokens =
    tokens.length + toolCalls.reduce((n, t) => n + 3 + Math.ceil(t.arguments.length / 4), 0);
  return {
    tokens,
    finish,
    toolCalls,
    ttft: d.ttft ?? b.ttftMs,
    itl: d.itl ?? b.itlMs,
    stall: d.stall ?? 0,
    completionTokens,
  };
}

const completionId = () => `chatcmpl-${randomBytes(15).toString('base64url')}`;
const FINGERPRINT = 'fp_kawan_test';

export function completionJson(body: ChatBody, plan: Plan) {
  const prompt = promptTokens(body.messages);
  return {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    system_fingerprint: FINGERPRINT,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: plan.toolCalls.length && plan.tokens.length === 0 ? null : plan.tokens.join(''),
          refusal: null,
          ...(plan.toolCalls.length
            ? {
                tool_calls: plan.toolCalls.map((t) => ({
                  id: t.id,
                  type: 'function',
                  function: { name: t.name, arguments: t.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: plan.finish,
      },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: plan.completionTokens,
      total_tokens: prompt + plan.completionTokens,
    },
  };
}

export interface StreamControl {
  /** true once the client went away; the writer stops */
  closed(): boolean;
  schedule(fn: () => void, ms: number): void;
  /** destroy the socket (simulated connection loss) */
  drop(): void;
  /** the response ended normally */
  finished(): void;
}

/**
 * Writes an answer as OpenAI streams it: a role delta, content deltas, tool-call deltas (id, type and name
 * first, then argument pieces), a chunk with finish_reason, a usage chunk with empty choices when the
 * request asked for `stream_options.include_usage`, then `data: [DONE]`.
 */
export function streamAnswer(
  res: ServerResponse,
  body: ChatBody,
  plan: Plan,
  d: Directives,
  ctl: StreamControl,
) {
  const includeUsage = body.stream_options?.include_usage === true;
  const head =
    `data: {"id":"${completionId()}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},` +
    `"model":${JSON.stringify(body.model)},"system_fingerprint":"${FINGERPRINT}","choices":[{"index":0,"delta":`;
  const tail = (finish: string | null) =>
    `,"logprobs":null,"finish_reason":${finish ? `"${finish}"` : 'null'}}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
  const chunk = (delta: unknown, finish: string | null = null) => head + JSON.stringify(delta) + tail(finish);

  // Tool-call deltas follow the tokens at the same pace; the closing frames go out in one write.
  const toolFrames: string[] = [];
  plan.toolCalls.forEach((t, index) => {
    toolFrames.push(
      chunk({
        ...(plan.tokens.length === 0 && index === 0 ? { role: 'assistant', content: null } : {}),
        tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }],
      }),
    );
    for (const piece of splitArguments(t.arguments)) {
      toolFrames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  let closing = chunk({}, plan.finish);
  if (plan.tokens.length === 0 && plan.toolCalls.length === 0) {
    closing = chunk({ role: 'assistant', content: '', refusal: null }) + closing;
  }
  if (includeUsage) {
    const prompt = promptTokens(body.messages);
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: plan.completionTokens,
      total_tokens: prompt + plan.completionTokens,
    };
    closing += `${head.slice(0, head.indexOf('"choices"'))}"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
  }
  closing += 'data: [DONE]\n\n';

  let sent = 0;
  let tool = 0;
  const step = () => {
    if (ctl.closed()) return;
    if (sent < plan.tokens.length) {
      if (d.drop !== undefined && sent >= d.drop) return ctl.drop();
      if (d.midError !== undefined && sent >= d.midError) {
        const error = {
          message: 'The model crashed mid-stream',
          type: 'server_error',
          param: null,
          code: null,
        };
        res.end(`data: ${JSON.stringify({ error })}\n\n`);
        return ctl.finished();
      }
      const token = chunk({ content: plan.tokens[sent]! });
      res.write(sent === 0 ? chunk({ role: 'assistant', content: '', refusal: null }) + token : token);
      sent++;
      return ctl.schedule(step, sent === 1 && plan.stall ? plan.stall : plan.itl);
    }
    if (tool < toolFrames.length) {
      res.write(toolFrames[tool++]!);
      return ctl.schedule(step, plan.itl);
    }
    res.end(closing);
    ctl.finished();
  };
  ctl.schedule(step, plan.ttft);
}
