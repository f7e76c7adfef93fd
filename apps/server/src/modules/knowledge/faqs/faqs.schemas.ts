import { z } from 'zod';
import { isoDate } from '@kawan/contracts';
import type { FaqRow } from './faqs.repo.ts';

/** Entries one import request may carry (JSON array items or CSV rows). */
export const MAX_IMPORT_ENTRIES = 2000;
/** Bytes of a CSV import body. */
export const MAX_IMPORT_CSV_BYTES = 5 * 1024 * 1024;

const question = z.string().trim().min(1).max(1000);
const answer = z.string().trim().min(1).max(10_000);
const tags = z.array(z.string().trim().min(1).max(50)).max(30);

export const faqCreateSchema = z
  .object({
    question,
    answer,
    tags: tags.default([]),
    enabled: z.boolean().default(true).describe('Disabled entries stay listed but are not searchable'),
  })
  .strict();

export const faqUpdateSchema = z
  .object({ question, answer, tags, enabled: z.boolean() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const faqImportEntrySchema = z
  .object({
    question,
    answer,
    tags: tags.optional().describe('When given, replaces the tags of an existing entry'),
  })
  .strict();
export type FaqImportEntry = z.output<typeof faqImportEntrySchema>;

export const faqImportBodySchema = z
  .union([
    z.array(faqImportEntrySchema).min(1).max(MAX_IMPORT_ENTRIES),
    z
      .string()
      .min(1)
      .max(MAX_IMPORT_CSV_BYTES)
      .describe(
        'CSV (Content-Type: text/csv) with a header row naming the columns question, answer and optionally tags',
      ),
  ])
  .describe(
    'A JSON array of {question, answer, tags?}, or CSV sent as text/csv with the columns question and answer ' +
      '(optional tags, separated by ";"). Entries whose question already exists (ignoring case and spacing) ' +
      'update that entry instead of adding another, so importing the same file twice changes nothing.',
  );

export const faqSchema = z.object({
  id: z.string(),
  chatbotId: z.string(),
  question: z.string(),
  answer: z.string(),
  tags: z.array(z.string()),
  enabled: z.boolean(),
  language: z.string().nullable().describe('Detected from the text: en or id'),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const faqImportResultSchema = z.object({
  received: z.number().int().describe('Entries in the request'),
  created: z.number().int(),
  updated: z.number().int().describe('Existing questions whose answer or tags changed'),
  unchanged: z.number().int().describe('Existing questions already holding this answer and these tags'),
  duplicates: z
    .number()
    .int()
    .describe('Repeats of a question earlier in the same request (the last one wins)'),
  ids: z.array(z.string()).describe('The FAQ of each distinct question of the request, in request order'),
});

export const presentFaq = (f: FaqRow) => ({
  id: f.id,
  chatbotId: f.chatbotId,
  question: f.question,
  answer: f.answer,
  tags: f.tags,
  enabled: f.enabled,
  language: f.language,
  createdAt: f.createdAt.toISOString(),
  updatedAt: f.updatedAt.toISOString(),
});
