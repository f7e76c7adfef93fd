import type { Redis } from 'ioredis';

/**
 * A small TTL cache for lookups that every request makes and that rarely change: membership roles, API key
 * rows, chatbot rows. Writers call `invalidate(prefix)` after their change commits. The process that made the
 * change forgets at once; with Redis the prefix is broadcast so other API processes forget within
 * milliseconds; without Redis (one process) there is nobody else to tell. The TTL bounds staleness if a
 * broadcast is lost.
 */
export interface TtlCache {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  invalidate(prefix: string): void;
  stats(): { size: number; hits: number; misses: number };
}

const CHANNEL = 'kawan:cache-invalidate';

export function createTtlCache(ttlMs: number, opts: { maxEntries?: number; redis?: Redis | null } = {}) {
  const maxEntries = opts.maxEntries ?? 50_000;
  const entries = new Map<string, { value: unknown; expires: number }>();
  let hits = 0;
  let misses = 0;
  const dropLocal = (prefix: string) => {
    if (prefix === '') return entries.clear();
    for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
  };

  let subscriber: Redis | undefined;
  if (opts.redis) {
    subscriber = opts.redis.duplicate();
    subscriber.on('message', (_channel: string, prefix: string) => dropLocal(prefix));
    subscriber.on('error', () => {}); // the TTL still bounds staleness; the main client logs Redis errors
    void subscriber.subscribe(CHANNEL).catch(() => {});
  }

  const cache: TtlCache & { close(): void } = {
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
    invalidate(prefix) {
      dropLocal(prefix);
      opts.redis?.publish(CHANNEL, prefix).catch(() => {});
    },
    stats: () => ({ size: entries.size, hits, misses }),
    close() {
      subscriber?.disconnect();
    },
  };
  return cache;
}
