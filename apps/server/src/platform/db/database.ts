import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from './schema.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handle or the database itself: repo functions accept either. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  pool: pg.Pool;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations',
);

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolMax: number;
}

/**
 * Opens PostgreSQL when a URL is given, else the embedded PGlite. Either way the app gets a `pg` pool.
 * Embedded mode uses ONE connection: PGlite is a single session, and pglite-socket interleaves the
 * extended-protocol messages of concurrent connections (one connection's Parse could replace another's
 * unnamed statement). PGlite executes one query at a time anyway, so one connection costs no throughput.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let pool: pg.Pool;
  if (opts.databaseUrl) {
    pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolMax });
  } else {
    embedded = await startEmbeddedPostgres(opts.dataDir);
    pool = new pg.Pool({ ...embedded.connection, max: 1 });
  }
  pool.on('error', () => {}); // an idle client dying is reported by the next query that needs it
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return {
    kind: embedded ? 'pglite' : 'postgres',
    db,
    pool,
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

/**
 * Applies pending migrations in one transaction. On PostgreSQL an advisory lock serialises several processes
 * starting at once; the embedded database is single-process (pid lock) and needs none.
 */
export async function runMigrations(database: Database): Promise<void> {
  const client = await database.pool.connect();
  try {
    if (database.kind === 'postgres') await client.query('select pg_advisory_lock(7262026)');
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    if (database.kind === 'postgres')
      await client.query('select pg_advisory_unlock(7262026)').catch(() => {});
    client.release();
  }
}
