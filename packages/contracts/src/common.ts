import { z } from 'zod';

export const roles = ['owner', 'admin', 'member', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const themeSchema = z.enum(['light', 'dark', 'system']);
export const languageSchema = z.enum(['en', 'id']);

export const preferencesSchema = z.object({
  theme: themeSchema.default('system'),
  language: languageSchema.default('en'),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const paginationQuerySchema = z.object({
  cursor: z.string().max(200).optional().describe('Opaque cursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= to get the next page; null at the end'),
  });
}

export const isoDate = z.string().describe('ISO 8601 timestamp');

/** Prefixed id: `org_…`, `usr_…`, `bot_…`, `key_…` — the prefix tells the kind. */
export const prefixedId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{10,40}$`), `must be an id starting with ${prefix}_`)
    .describe(`${prefix}_… id`);
