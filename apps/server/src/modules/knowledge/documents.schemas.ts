import { z } from 'zod';
import { isoDate } from '@kawan/contracts';
import type { DocumentRow, ChunkRow } from './knowledge.repo.ts';

export const documentStatusSchema = z.enum([
  'queued',
  'parsing',
  'chunking',
  'embedding',
  'indexed',
  'failed',
]);

export const documentSchema = z.object({
  id: z.string(),
  chatbotId: z.string(),
  title: z.string(),
  sourceType: z.enum(['upload', 'url']),
  sourceUrl: z.string().nullable(),
  filename: z.string(),
  mimeType: z.string().describe('Sniffed from the content, not taken from the client'),
  sizeBytes: z.number().int(),
  version: z.number().int().describe('Grows by one each time the file is replaced'),
  indexedVersion: z.number().int().nullable().describe('The version search currently uses'),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  language: z.string().nullable(),
  status: documentStatusSchema,
  progress: z.number().int().min(0).max(100),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  pageCount: z.number().int().nullable(),
  chunkCount: z.number().int().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  indexedAt: isoDate.nullable(),
});

export const chunkSchema = z.object({
  id: z.string(),
  ordinal: z.number().int(),
  page: z.number().int().nullable(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
  heading: z.string().nullable(),
  text: z.string(),
  tokenCount: z.number().int(),
});

export const documentMetaSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    tags: z.array(z.string().trim().min(1).max(50)).max(30),
    metadata: z.record(z.string(), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])),
  })
  .partial()
  .strict();

export const presentDocument = (d: DocumentRow) => ({
  id: d.id,
  chatbotId: d.chatbotId,
  title: d.title,
  sourceType: d.sourceType,
  sourceUrl: d.sourceUrl,
  filename: d.filename,
  mimeType: d.mimeType,
  sizeBytes: d.sizeBytes,
  version: d.version,
  indexedVersion: d.indexedVersion,
  tags: d.tags,
  metadata: d.metadata,
  language: d.language,
  status: d.status,
  progress: d.progress,
  error: d.error ? { code: d.errorCode ?? 'failed', message: d.error } : null,
  pageCount: d.pageCount,
  chunkCount: d.chunkCount,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
  indexedAt: d.indexedAt?.toISOString() ?? null,
});

export const presentChunk = (c: ChunkRow) => ({
  id: c.id,
  ordinal: c.ordinal,
  page: c.page,
  charStart: c.charStart,
  charEnd: c.charEnd,
  heading: c.heading,
  text: c.text,
  tokenCount: c.tokenCount,
});
