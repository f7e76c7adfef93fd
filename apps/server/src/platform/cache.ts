/**
 * A tiny TTL cache for per-request lookups that are read far more often than they change (membership
 * role, API key → actor). Writers call `deleteWhere` so a change is visible at once in this process; other
 * API processes see it within the TTL (keep it a few seconds).
 */
export interface TtlCache {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  deleteWhere(prefix: string): void;
  clear(): void;
  stats(): { size: number; hits: number; misses: number };
}

export function createTtlCache(ttlMs: number, maxEntries = 50_000): TtlCache {
  const entries = new Map<string, { value: unknown; expires: number }>();
  let hits = 0;
  let misses = 0;
  return {
    get<T>(key: string) {
      const e = entries.get(key);
      if (!e || e.expires < Date.now()) {
        if (e) entries.delete(key);
        misses++;
        return undefined;
      }
      hits++;
      return e.value as T;
    },
    set(key, value) {
      if (ttlMs <= 0) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, expires: Date.now() + ttlMs });
    },
    deleteWhere(prefix) {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    stats: () => ({ size: entries.size, hits, misses }),
  };
}
