import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import { createRuntime, type Runtime } from '../src/boot.ts';
import { buildApp } from '../src/app.ts';
import { migrationsFolder, openDatabase, runMigrations } from '../src/platform/db/database.ts';

/**
 * Integration harness: a real Kawan (real HTTP on a random port) on a real database.
 * Backends: 'pglite' always; 'postgres' when TEST_DATABASE_URL points at a server (each server gets its own
 * fresh database, dropped afterwards). Suites loop over `backends()` so one file covers both.
 */
export type Backend = 'pglite' | 'postgres';

export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestServer {
  backend: Backend;
  url: string;
  app: FastifyInstance;
  rt: Runtime;
  request<T = any>(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const tmpRoot = path.join(repoRoot, '.tmp');

export async function startServer(
  backend: Backend = 'pglite',
  env: Record<string, string> = {},
): Promise<TestServer> {
  fs.mkdirSync(tmpRoot, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(tmpRoot, 'test-'));
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (backend === 'pglite') {
    copyTemplate(await pgliteTemplate(), path.join(dataDir, 'pglite'));
  } else if (env.DATABASE_URL) {
    databaseUrl = env.DATABASE_URL; // share another test server's database (scale-out tests)
  } else {
    ({ url: databaseUrl, drop: dropDatabase } = await createPostgresDatabase());
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    PORT: '0',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const rt = await createRuntime(config);
  const app = await buildApp(rt);
  await rt.jobs.start({ work: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    backend,
    url,
    app,
    rt,
    request: (method, p, opts) => request(url, method, p, opts),
    async close() {
      await app.close();
      await rt.close();
      await dropDatabase?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function request<T = any>(
  base: string,
  method: string,
  p: string,
  opts: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${p}`, {
    method,
    headers,
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: res.status, body: body as T, headers: res.headers };
}

/**
 * A freshly initialised PGlite costs ~4 s (initdb); a migrated copy is made once per migration set and
 * copied per server. Built in a private dir and renamed, so concurrent test processes never see half a copy.
 */
async function pgliteTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of fs.readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    const full = path.join(migrationsFolder, f);
    if (fs.statSync(full).isFile()) hash.update(f).update(fs.readFileSync(full));
  }
  const dir = path.join(tmpRoot, `pglite-template-${hash.digest('hex').slice(0, 12)}`);
  if (fs.existsSync(path.join(dir, 'ready'))) return dir;
  const building = fs.mkdtempSync(path.join(tmpRoot, 'template-build-'));
  const database = await openDatabase({ dataDir: building, poolMax: 1 });
  await runMigrations(database);
  await database.close();
  fs.writeFileSync(path.join(building, 'ready'), '');
  try {
    fs.renameSync(building, dir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another process won the race
  }
  return dir;
}

function copyTemplate(template: string, target: string) {
  fs.cpSync(path.join(template, 'pglite'), target, { recursive: true });
}

async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `kawan_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function tmpDir(prefix: string): string {
  fs.mkdirSync(tmpRoot, { recursive: true });
  return fs.mkdtempSync(path.join(tmpRoot ?? os.tmpdir(), prefix));
}
