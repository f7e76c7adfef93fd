import { z } from 'zod';
import { isoDate, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import { normalizeLanguage } from './extract-code-blocks.ts';
import type { SnippetRow } from './snippets.repo.ts';

/** Characters of one snippet's code (the request body limit is 1 MB). */
export const MAX_CODE_CHARS = 100_000;

export const snippetParams = z.object({ orgId: prefixedId('org'), snippetId: prefixedId('snp') });

const title = z.string().trim().min(1).max(200);
const language = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .describe('Fence tag such as ts, python, bash; common aliases are stored by one name (ts → typescript)')
  .transform((v) => normalizeLanguage(v));
const code = z
  .string()
  .min(1)
  .max(MAX_CODE_CHARS)
  .refine((v) => v.trim().length > 0, 'code is empty');
const tag = z.string().trim().min(1).max(50);
// Repeated tags are dropped, not refused: clients append tags without checking.
const tags = z
  .array(tag)
  .max(20)
  .transform((v) => [...new Set(v)]);

export const snippetCreateSchema = z
  .object({ title, language: language.default('text'), code, tags: tags.default([]) })
  .strict();

export const snippetUpdateSchema = z
  .object({ title, language, code, tags })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const snippetListQuerySchema = paginationQuerySchema.extend({
  q: z.string().trim().min(1).max(200).optional().describe('Search titles and code (case-insensitive)'),
  tag: tag.optional().describe('Only snippets carrying this tag'),
  language: language.optional().describe('Only snippets in this language (aliases accepted)'),
});

export const snippetFromMessageSchema = z
  .object({
    chatbotId: prefixedId('bot'),
    conversationId: prefixedId('cnv'),
    messageId: prefixedId('msg').describe('An assistant message of one of your conversations'),
    index: z
      .number()
      .int()
      .min(0)
      .max(999)
      .optional()
      .describe('Which fenced code block to save, counting from 0; without it every block is saved'),
    title: title
      .optional()
      .describe(
        'Title of the saved snippet(s); numbered "(1)", "(2)" … when several blocks are saved. Default: the ' +
          "line of text before each block, or the conversation's title",
      ),
    tags: tags.default([]),
  })
  .strict();

export const snippetSchema = z.object({
  id: z.string(),
  title: z.string(),
  language: z.string(),
  code: z.string(),
  tags: z.array(z.string()),
  messageId: z.string().nullable().describe('The assistant message the code was saved from'),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const presentSnippet = (s: SnippetRow) => ({
  id: s.id,
  title: s.title,
  language: s.language,
  code: s.code,
  tags: s.tags,
  messageId: s.messageId,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});
