import { AppError } from '../errors.ts';

/**
 * Cursor pagination over time-sortable ids: a page is `id < cursor ORDER BY id DESC LIMIT n+1`.
 * The cursor is opaque to clients (base64url of the last id).
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]{3}_[0-9A-Za-z]{10,40}$/.test(id)) throw new AppError('bad_request', 'Invalid cursor');
  return id;
}

export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { data: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, nextCursor: hasMore && last ? Buffer.from(last.id).toString('base64url') : null };
}
