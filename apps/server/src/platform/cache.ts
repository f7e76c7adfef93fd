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
  /**
   * The cached value, or the result of `load` — one load per key at a time however many requests miss together
   * (no stampede on the single embedded-database connection when an entry expires). `undefined` is cached too.
   */
  getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T>;
  invalidate(prefix: string): void;
  stats(): { size: number; hits: number; misses: number };
}

const CHANNEL = 'kawan:cache-invalidate';

export function createTtlCache(ttlMs: number, opts: { maxEntries?: number; redis?: Redis | null } = {}) {
  const maxEntries = opts.maxEntries ?? 50_000;
  const entries = new Map<string, { value: unknown; expires: number }>();
  let hits = 0;
  let misses = 0;
  const pending = new Map<string, Promise<unknown>>();
  // Bumped by every invalidation: a load that started before one must not cache what it read.
  let generation = 0;
  const dropLocal = (prefix: string) => {
    generation++;
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
    getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
      const e = entries.get(key);
      if (e && e.expires >= Date.now()) {
        hits++;
        return Promise.resolve(e.value as T);
      }
      const inFlight = pending.get(key);
      if (inFlight) return inFlight as Promise<T>;
      misses++;
      const startedAt = generation;
      const p = load().then(
        (value) => {
          pending.delete(key);
          if (generation === startedAt) cache.set(key, value);
          return value;
        },
        (err: unknown) => {
          pending.delete(key);
          throw err;
        },
      );
      pending.set(key, p);
      return p;
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
