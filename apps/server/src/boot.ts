import pino from 'pino';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { openDatabase, runMigrations } from './platform/db/database.ts';
import { createAccessTokens } from './platform/auth/tokens.ts';
import { createMailer } from './platform/email/mailer.ts';
import { createTtlCache } from './platform/cache.ts';
import { loadOrCreateSecret } from './platform/secrets.ts';
import { createFileStore } from './platform/files/store.ts';
import { createJobs } from './platform/jobs/jobs.ts';
import { registerKnowledgeJobs } from './modules/knowledge/knowledge.jobs.ts';
import { configureOcr, terminateOcr } from './modules/knowledge/parsing/ocr.ts';
import path from 'node:path';
import { localModelFromConfig } from './platform/llm/local-gguf.ts';

export interface Runtime extends Deps {
  close(): Promise<void>;
}

/** Opens every piece of infrastructure the configuration asks for and applies migrations. */
export async function createRuntime(config: Config, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'kawan' } });
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolMax: config.DATABASE_POOL_MAX,
  });
  try {
    if (opts.migrate !== false) await runMigrations(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false })
    : null;
  redis?.on('error', (err) => log.warn({ err }, 'redis error'));
  const jwtSecret = loadOrCreateSecret(config.DATA_DIR, 'jwtSecret', config.JWT_SECRET);
  const cache = createTtlCache(config.CACHE_TTL * 1000, { redis });
  const indexCache = createTtlCache(10 * 60 * 1000, { redis, maxEntries: 64 });
  const jobs = createJobs({ pool: database.pool, log, embedded: database.kind === 'pglite' });
  const localModel = localModelFromConfig(config, log);
  const mailer = createMailer({ db: database.db, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, log });
  const runtime: Runtime = {
    config,
    database,
    db: database.db,
    tokens: createAccessTokens(jwtSecret, config.ACCESS_TOKEN_TTL),
    mailer,
    log,
    redis,
    cache,
    indexCache,
    files: createFileStore(path.join(config.DATA_DIR, 'files')),
    jobs,
    modelBackends: { local: localModel ?? undefined },
    async close() {
      await jobs.stop();
      await localModel?.close();
      await terminateOcr();
      mailer.close();
      cache.close();
      indexCache.close();
      redis?.disconnect();
      await database.close();
    },
  };
  configureOcr({ cacheDir: path.join(config.DATA_DIR, 'cache', 'tessdata') });
  registerKnowledgeJobs(runtime);
  return runtime;
}
