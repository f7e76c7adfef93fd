import { z } from 'zod';
import { isoDate } from '@kawan/contracts';
import { presetIds } from '../../platform/llm/presets.ts';

export const catalogueEntrySchema = z
  .object({
    id: z.string().trim().min(1).max(200).describe('Model id as the server knows it, e.g. llama3.1:8b'),
    vision: z.boolean().optional().describe('Accepts images; guessed from the name when omitted'),
    tools: z.boolean().optional().describe('Can call tools; guessed when omitted'),
    contextWindow: z
      .number()
      .int()
      .min(256)
      .max(10_000_000)
      .optional()
      .describe('Tokens; guessed when omitted'),
  })
  .strict();

const catalogueSchema = z
  .array(catalogueEntrySchema)
  .max(1000)
  .refine((list) => new Set(list.map((m) => m.id)).size === list.length, 'model ids must be unique');

const baseUrlSchema = z
  .string()
  .trim()
  .max(500)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
  .describe('OpenAI-compatible base URL, usually ending in /v1; defaults to the preset’s');

const apiKeySchema = z.string().trim().min(1).max(4000);

export const providerCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('Unique within the organization'),
    preset: z.enum(presetIds).default('custom'),
    baseUrl: baseUrlSchema.optional(),
    apiKey: apiKeySchema.optional().describe('Stored encrypted; never returned'),
    models: catalogueSchema
      .default([])
      .describe('Catalogue entries; fill it from the server with sync-models'),
    timeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(600_000)
      .optional()
      .describe(
        'Longest silence (to the first token, between tokens) before provider_timeout; default LLM_TIMEOUT',
      ),
    maxRetries: z.number().int().min(0).max(5).default(2),
    enabled: z.boolean().default(true),
  })
  .strict();

export const providerUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    preset: z.enum(presetIds),
    baseUrl: baseUrlSchema,
    apiKey: apiKeySchema.nullable().describe('A new key, or null to remove the stored one'),
    models: catalogueSchema.describe('Replaces the whole catalogue'),
    timeoutMs: z.number().int().min(1000).max(600_000),
    maxRetries: z.number().int().min(0).max(5),
    enabled: z.boolean(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

const modelSchema = z.object({
  id: z.string(),
  vision: z.boolean(),
  tools: z.boolean(),
  contextWindow: z.number().int(),
});

export const providerSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  preset: z.string(),
  baseUrl: z.string(),
  hasKey: z.boolean(),
  keyHint: z.string().nullable().describe('Start and end of the stored key, to recognise it'),
  models: z.array(modelSchema),
  timeoutMs: z.number().int(),
  maxRetries: z.number().int(),
  enabled: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const providerTestBodySchema = z
  .object({
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Also ask this model for a 1-token completion (default: the first catalogue entry)'),
  })
  .strict()
  .nullish()
  .describe('Optional; an empty POST tests with the first catalogued model');

const errorSchema = z.object({ code: z.string(), message: z.string(), status: z.number().int().nullable() });

export const providerTestResultSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number().describe('Whole test, ms'),
  models: z
    .object({
      ok: z.boolean(),
      latencyMs: z.number(),
      count: z.number().int().nullable(),
      error: errorSchema.nullable(),
    })
    .describe('GET /v1/models'),
  completion: z
    .object({ ok: z.boolean(), model: z.string(), latencyMs: z.number(), error: errorSchema.nullable() })
    .nullable()
    .describe('A 1-token chat completion; null when no model was named or catalogued'),
});

export const syncResultSchema = z.object({
  provider: providerSchema,
  added: z.array(z.string()).describe('Models the server listed that were not in the catalogue'),
  removed: z.array(z.string()).describe('Catalogue entries the server no longer lists that were pruned'),
  unlisted: z.array(z.string()).describe('Catalogue entries the server does not list, kept (prune=false)'),
});

export const catalogueModelSchema = z.object({
  id: z
    .string()
    .describe('What a chatbot’s modelSettings.model takes: builtin/…, local/… or <providerId>/<model>'),
  model: z.string(),
  provider: z.string().describe('builtin, local, or the provider id'),
  providerName: z.string(),
  vision: z.boolean(),
  tools: z.boolean(),
  contextWindow: z.number().int(),
});
