import { z } from 'zod';
import { isoDate, languageSchema } from '@kawan/contracts';

export const modelSettingsSchema = z
  .object({
    model: z
      .string()
      .max(200)
      .nullable()
      .default(null)
      .describe('Model id; null = the org default (built-in responder offline)'),
    fallbackModel: z.string().max(200).nullable().default(null),
    temperature: z.number().min(0).max(2).default(0.2),
    maxTokens: z.number().int().min(1).max(32_000).default(1024),
    topP: z.number().gt(0).max(1).default(1),
    strictGrounding: z
      .boolean()
      .default(true)
      .describe('Answer only from the documents; say so when they do not contain the answer'),
    useBusinessProfile: z
      .boolean()
      .optional()
      .describe("Search the org's business profile and catalogue as knowledge too (default true)"),
  })
  .strict();

const domainSchema = z
  .string()
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i,
    'must be a host name like example.com, *.example.com or localhost:3000',
  );

export const embedSettingsSchema = z
  .object({
    allowedDomains: z
      .array(domainSchema)
      .max(50)
      .default([])
      .describe('Sites allowed to embed the widget; empty = any'),
    color: z
      .string()
      .regex(/^#[0-9a-f]{6}$/i)
      .default('#2563eb'),
    position: z.enum(['bottom-right', 'bottom-left']).default('bottom-right'),
    greeting: z.string().max(500).default(''),
  })
  .strict();

const embedderSchema = z
  .string()
  .min(1)
  .max(300)
  .describe(
    'Embedder of the knowledge base: "builtin:sif-en-100d" (default, offline) or "<providerId>/<model>" of an ' +
      "org provider's /v1/embeddings. Changing it re-embeds every chunk and FAQ in the background " +
      '(GET …/reembed shows progress); search uses the old vectors until all are re-embedded.',
  );

const slugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case letters, digits and single dashes');

export const chatbotCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    slug: slugSchema
      .optional()
      .describe('Unique within the organization; derived from the name when omitted'),
    description: z.string().max(2000).default(''),
    systemPrompt: z.string().max(20_000).default(''),
    modelSettings: modelSettingsSchema.default(modelSettingsSchema.parse({})),
    language: languageSchema.default('en'),
    status: z.enum(['active', 'disabled']).default('active'),
    demoMessageLimit: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(10)
      .describe('Messages a guest may send (seed default: 10)'),
    embed: embedSettingsSchema.default(embedSettingsSchema.parse({})),
    embedder: embedderSchema.optional(),
  })
  .strict();

/**
 * The same fields, all optional and WITHOUT defaults: in zod 4 `.partial()` keeps defaults, which would
 * reset every setting a PATCH does not mention.
 */
function patchOf<S extends z.ZodRawShape>(
  schema: z.ZodObject<S>,
): z.ZodType<Partial<z.output<z.ZodObject<S>>>> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, v]) => [
      k,
      ((v instanceof z.ZodDefault ? v.unwrap() : v) as z.ZodType).optional(),
    ]),
  );
  return z.object(shape).strict() as unknown as z.ZodType<Partial<z.output<z.ZodObject<S>>>>;
}

export const chatbotUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    slug: slugSchema,
    description: z.string().max(2000),
    systemPrompt: z.string().max(20_000),
    modelSettings: patchOf(modelSettingsSchema),
    language: languageSchema,
    status: z.enum(['active', 'disabled']),
    demoMessageLimit: z.number().int().min(0).max(10_000),
    embed: patchOf(embedSettingsSchema),
    embedder: embedderSchema,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const chatbotSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  systemPrompt: z.string(),
  modelSettings: modelSettingsSchema,
  language: languageSchema,
  status: z.enum(['active', 'disabled']),
  demoMessageLimit: z.number().int(),
  embed: embedSettingsSchema,
  embedder: z.string().describe('The embedder whose vectors search uses now'),
  embeddingDims: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const publicChatbotSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  language: languageSchema,
  greeting: z.string(),
  theme: z.object({ color: z.string(), position: z.enum(['bottom-right', 'bottom-left']) }),
  demoMessageLimit: z.number().int(),
});

export const reembedStatusSchema = z.object({
  embedder: z.string().describe('The embedder search uses now'),
  embeddingDims: z.number().int(),
  job: z
    .object({
      state: z.enum(['queued', 'embedding', 'done', 'failed']),
      embedder: z.string().describe('The embedder being switched to'),
      dims: z.number().int(),
      from: z.string(),
      done: z.number().int(),
      total: z.number().int(),
      error: z.string().nullable(),
      updatedAt: z.string(),
    })
    .nullable()
    .describe('The latest embedder change (null: never changed)'),
});
