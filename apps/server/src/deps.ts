import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { Database, Db } from './platform/db/database.ts';
import type { AccessTokens } from './platform/auth/tokens.ts';
import type { Mailer } from './platform/email/mailer.ts';
import type { TtlCache } from './platform/cache.ts';
import type { FileStore } from './platform/files/store.ts';
import type { Jobs } from './platform/jobs/jobs.ts';
import type { ModelBackends } from './platform/llm/resolve-model.ts';

/**
 * Everything modules may depend on, built once at boot (main.ts / test harness). Services take a narrowed
 * `Pick<Deps, …>` so each one states what it touches.
 */
export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  tokens: AccessTokens;
  mailer: Mailer;
  log: FastifyBaseLogger;
  redis: Redis | null;
  /** Short-lived cache of hot lookups (membership roles, API keys, chatbots); invalidated on every change. */
  cache: TtlCache;
  /** Search indexes per chatbot (large, rebuilt on change): few entries, long TTL, same invalidation. */
  indexCache: TtlCache;
  files: FileStore;
  jobs: Jobs;
  /** in-process model backends chosen by config (a local GGUF model); org providers are resolved per request */
  modelBackends: ModelBackends;
}
