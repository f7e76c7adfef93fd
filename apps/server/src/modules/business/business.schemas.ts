import { z } from 'zod';
import { isoDate } from '@kawan/contracts';
import type { BusinessProfileRow, CatalogueItemRow } from './business.repo.ts';

/** Optional text: blank and null both mean "not given". */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => v || null)
    .nullable()
    .default(null);

/** Label → value pairs (payment methods, return policy, parking …); at most 50. */
const factsSchema = z
  .record(z.string().trim().min(1).max(100), z.string().trim().max(2000))
  .refine((r) => Object.keys(r).length <= 50, 'at most 50 entries');

export const businessProfileInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(5000).default(''),
    industry: optionalText(200),
    address: optionalText(1000),
    phone: optionalText(50),
    email: z.email().max(254).nullable().default(null),
    website: optionalText(500),
    hours: optionalText(500).describe('Opening hours as people write them, e.g. "Mon–Fri 08:00–16:00"'),
    facts: factsSchema.default({}).describe('More facts as label → value (payment methods, policies …)'),
  })
  .strict()
  .describe('The whole profile: fields left out are cleared (PUT replaces)');

export const businessProfileSchema = z.object({
  name: z.string(),
  description: z.string(),
  industry: z.string().nullable(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  website: z.string().nullable(),
  hours: z.string().nullable(),
  facts: z.record(z.string(), z.string()),
  updatedAt: isoDate,
});

const DECIMAL = /^\d{1,13}(\.\d{1,4})?$/;
const priceSchema = z
  .union([
    z.string().trim().regex(DECIMAL, 'a decimal like "125000" or "19.99"'),
    z
      .number()
      .nonnegative()
      .max(1e13)
      .transform((n) => String(n))
      .pipe(z.string().regex(DECIMAL, 'at most 4 decimals')),
  ])
  .nullable()
  .describe(
    'Price in `currency` units, as a decimal string (numbers are accepted and converted); null = on request',
  );

const itemFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5000),
  sku: z.string().trim().min(1).max(100).nullable().describe('Unique within the organization'),
  category: z.string().trim().min(1).max(100).nullable(),
  price: priceSchema,
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, 'a 3-letter ISO 4217 code')
    .transform((c) => c.toUpperCase()),
  available: z.boolean(),
  tags: z.array(z.string().trim().min(1).max(50)).max(30),
  attributes: factsSchema.describe('Attributes as label → value (size, weight, karat …)'),
};

export const catalogueItemCreateSchema = z
  .object({
    ...itemFields,
    description: itemFields.description.default(''),
    sku: itemFields.sku.default(null),
    category: itemFields.category.default(null),
    price: itemFields.price.default(null),
    currency: itemFields.currency.default('IDR'),
    available: itemFields.available.default(true),
    tags: itemFields.tags.default([]),
    attributes: itemFields.attributes.default({}),
  })
  .strict();

export const catalogueItemUpdateSchema = z
  .object(itemFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const catalogueItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  sku: z.string().nullable(),
  category: z.string().nullable(),
  price: z.string().nullable(),
  currency: z.string(),
  available: z.boolean(),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const presentProfile = (p: BusinessProfileRow) => ({
  name: p.name,
  description: p.description,
  industry: p.industry,
  address: p.address,
  phone: p.phone,
  email: p.email,
  website: p.website,
  hours: p.hours,
  facts: p.facts,
  updatedAt: p.updatedAt.toISOString(),
});

export const presentItem = (i: CatalogueItemRow) => ({
  id: i.id,
  name: i.name,
  description: i.description,
  sku: i.sku,
  category: i.category,
  price: i.price,
  currency: i.currency,
  available: i.available,
  tags: i.tags,
  attributes: i.attributes,
  createdAt: i.createdAt.toISOString(),
  updatedAt: i.updatedAt.toISOString(),
});
