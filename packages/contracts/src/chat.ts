import { z } from 'zod';

/** Chat payloads that cross the wire: the dashboard, the widget and SDKs parse the same shapes. */

export const chatModeSchema = z
  .enum(['chat', 'code', 'debug', 'explain', 'optimize'])
  .describe('chat = grounded Q&A; code/debug/explain/optimize = code assistant modes (fenced code output)');

export const citationSchema = z.object({
  n: z.number().int().describe('The [n] marker in the answer'),
  chunkId: z.string(),
  documentId: z.string(),
  documentTitle: z.string(),
  page: z.number().int().nullable(),
  quote: z.string().describe('Verbatim text of the source'),
  charStart: z.number().int().describe('Offset of the quote inside its page'),
  charEnd: z.number().int(),
});

export const usageSchema = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
});

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: z.enum(['user', 'assistant']),
  mode: chatModeSchema,
  content: z.string(),
  status: z.enum(['streaming', 'complete', 'error', 'cancelled']),
  attachments: z.array(z.record(z.string(), z.unknown())),
  citations: z.array(citationSchema),
  grounded: z
    .boolean()
    .nullable()
    .describe('true = quoted from the documents; false = they do not contain it'),
  usage: usageSchema.nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  ttftMs: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
});

export const conversationSchema = z.object({
  id: z.string(),
  chatbotId: z.string(),
  channel: z.enum(['dashboard', 'api', 'widget', 'guest', 'openai']),
  title: z.string(),
  mode: chatModeSchema,
  messageCount: z.number().int(),
  lastMessageAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Demo quota of a guest or widget session (seed 004: 10 messages by default). */
export const demoQuotaSchema = z.object({
  limit: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
});

/**
 * Server-sent events of `POST …/messages` with `Accept: text/event-stream`, in order: any number of `delta`,
 * then `citation`s, `usage`, and finally `done` — or `error` at any point. Comment lines are heartbeats.
 */
export const sseEvents = {
  delta: z.object({ text: z.string() }),
  citation: citationSchema,
  usage: usageSchema,
  done: z.object({
    message: messageSchema,
    userMessage: messageSchema,
    conversation: conversationSchema,
    demo: demoQuotaSchema.optional(),
  }),
  error: z.object({ code: z.string(), message: z.string(), messageId: z.string().optional() }),
} as const;
