import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

/**
 * The embedded database: PGlite in a worker thread, reachable as a Postgres server on a unix socket.
 * A pid lock keeps two processes from opening the same data directory (PGlite is single-writer).
 */
export interface EmbeddedPostgres {
  /** `pg` connection settings: host is the socket directory. */
  connection: { host: string; port: number; user: string; database: string };
  stop(): Promise<void>;
}

const SOCKET_PORT = 5432; // only names the socket file `.s.PGSQL.5432`; no TCP port is opened

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, 'pglite');
  fs.mkdirSync(pgDir, { recursive: true });
  const release = acquireLock(path.join(root, 'pglite.lock'));
  const socketDir = pickSocketDir(root);
  const socketPath = path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  fs.rmSync(socketPath, { force: true }); // stale after a crash; the lock above proves nobody owns it

  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
    workerData: { dataDir: pgDir, socketPath, maxConnections: 64 },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`PGlite worker exited with code ${code}`)));
      worker.on('message', (msg: { type: string; message?: string }) => {
        if (msg.type === 'ready') resolve();
        if (msg.type === 'error') reject(new Error(`PGlite failed to start: ${msg.message}`));
      });
    });
  } catch (err) {
    await worker.terminate();
    release();
    throw err;
  }
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');

  return {
    connection: { host: socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
    async stop() {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        worker.on('message', (msg: { type: string }) => {
          if (msg.type === 'stopped') {
            clearTimeout(timer);
            resolve();
          }
        });
        worker.postMessage({ type: 'stop' });
      });
      await worker.terminate();
      fs.rmSync(socketPath, { force: true });
      release();
    },
  };
}

/** Unix socket paths are limited to ~107 bytes; deep data dirs get a short private dir in /tmp instead. */
function pickSocketDir(root: string): string {
  const preferred = path.join(root, 'run');
  if (Buffer.byteLength(path.join(preferred, `.s.PGSQL.${SOCKET_PORT}`)) < 100) {
    fs.mkdirSync(preferred, { recursive: true });
    return preferred;
  }
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kawan-pg-'));
}

function acquireLock(lockPath: string): () => void {
  try {
    const owner = Number(fs.readFileSync(lockPath, 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `The data directory is in use by process ${owner}. Stop it or choose another DATA_DIR.`,
      );
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lockPath, String(process.pid));
  return () => fs.rmSync(lockPath, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
