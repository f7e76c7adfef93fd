import { z } from 'zod';
import { chatModeSchema, conversationSchema, messageSchema, prefixedId } from '@kawan/contracts';
import type { ConversationRow, MessageRow } from './chat.repo.ts';

export const botParams = z.object({ orgId: prefixedId('org'), botId: prefixedId('bot') });
export const convParams = botParams.extend({ convId: prefixedId('cnv') });
export const msgParams = convParams.extend({ msgId: prefixedId('msg') });

const MAX_IMAGE_BASE64 = 14_000_000; // ~10 MB of image bytes

export const imageAttachmentSchema = z
  .object({
    data: z.string().min(1).max(MAX_IMAGE_BASE64).describe('The image, base64 (or a data: URL)'),
    mimeType: z.enum(['image/png', 'image/jpeg', 'image/webp']).optional(),
    name: z.string().max(200).optional(),
  })
  .strict();

export const sendMessageSchema = z
  .object({
    content: z.string().trim().min(1).max(20_000),
    mode: chatModeSchema.optional().describe("Defaults to the conversation's mode"),
    images: z
      .array(imageAttachmentSchema)
      .max(4)
      .optional()
      .describe('Sent to vision models as images, otherwise as their OCR text'),
  })
  .strict();

export const createConversationSchema = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    mode: chatModeSchema.default('chat'),
  })
  .strict();

export const updateConversationSchema = z
  .object({ title: z.string().trim().min(1).max(200).optional(), mode: chatModeSchema.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const feedbackSchema = z
  .object({ rating: z.enum(['up', 'down']), comment: z.string().max(2000).nullable().default(null) })
  .strict();

export const traceSchema = z.object({
  id: z.string(),
  purpose: z.string(),
  provider: z.string(),
  model: z.string(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  ttftMs: z.number().int().nullable(),
  latencyMs: z.number().int(),
  status: z.enum(['ok', 'error', 'cancelled']),
  error: z.string().nullable(),
  attempt: z.number().int(),
  createdAt: z.string(),
});

export const turnResultSchema = z.object({
  message: messageSchema,
  userMessage: messageSchema,
  conversation: conversationSchema,
});

export function presentConversation(c: ConversationRow): z.infer<typeof conversationSchema> {
  return {
    id: c.id,
    chatbotId: c.chatbotId,
    channel: c.channel,
    title: c.title,
    mode: c.mode,
    messageCount: c.messageCount,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function presentMessage(m: MessageRow): z.infer<typeof messageSchema> {
  return {
    id: m.id,
    conversationId: m.conversationId,
    role: m.role,
    mode: m.mode,
    content: m.content,
    status: m.status,
    attachments: m.attachments,
    citations: m.citations,
    grounded: m.grounded ?? null,
    usage: m.usage ?? null,
    provider: m.provider ?? null,
    model: m.model ?? null,
    ttftMs: m.ttftMs ?? null,
    latencyMs: m.latencyMs ?? null,
    error: m.error ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}
