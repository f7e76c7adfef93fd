import { randomBase62 } from './ids.ts';

/** URL-safe slug from a display name: lower case ASCII, dashes, at most 48 chars. */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return base || 'item';
}

/** Tries the plain slug, then adds a short random suffix until `isFree` accepts one. */
export async function uniqueSlug(name: string, isFree: (slug: string) => Promise<boolean>): Promise<string> {
  const base = slugify(name);
  if (await isFree(base)) return base;
  for (let i = 0; i < 5; i++) {
    const candidate = `${base.slice(0, 41)}-${randomBase62(6).toLowerCase()}`;
    if (await isFree(candidate)) return candidate;
  }
  throw new Error('could not find a free slug');
}
