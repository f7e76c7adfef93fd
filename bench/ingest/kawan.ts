// What the ingestion and search benches share: Kawan started as a separate process on the embedded default, an
// account and a chatbot made through the API, a multipart upload, and the process's memory read from /proc.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnNode, waitForHttp, type Child } from '../lib/proc.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Kawan {
  child: Child;
  base: string;
  pid: number;
}

/**
 * `node --import tsx apps/server/src/main.ts serve` with only what a first start needs: a DATA_DIR, a port, and
 * quiet logs. No DATABASE_URL / REDIS_URL (cleared in case the shell has them): embedded PGlite, in-memory cache.
 */
export async function startKawan(dataDir: string, logFile: string, nodeFlags: string[] = []): Promise<Kawan> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnNode('kawan', [...nodeFlags, '--import', 'tsx', 'apps/server/src/main.ts', 'serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    logFile,
  });
  await waitForHttp(`${base}/readyz`, child, 180_000);
  return { child, base, pid: child.proc.pid! };
}

import { api } from '../lib/api.ts';

export { api };

const PASSWORD = 'bench-password-123456';

/** Registers a user (owner of a new organization) and creates one chatbot. */
export async function accountWithBot(
  base: string,
): Promise<{ token: string; orgId: string; botId: string; email: string }> {
  const email = `bench-${Date.now()}@example.com`;
  const reg = await api<{ organization: { id: string }; session: { accessToken: string } }>(
    base,
    'POST',
    '/api/v1/auth/register',
    { email, password: PASSWORD, name: 'Bench' },
  );
  const token = reg.session.accessToken;
  const orgId = reg.organization.id;
  const bot = await api<{ chatbot: { id: string } }>(
    base,
    'POST',
    `/api/v1/orgs/${orgId}/chatbots`,
    { name: 'Bench bot' },
    token,
  );
  return { token, orgId, botId: bot.chatbot.id, email };
}

/** A fresh access token for an account made by accountWithBot (tokens expire: ACCESS_TOKEN_TTL). */
export async function login(base: string, email: string): Promise<string> {
  const res = await api<{ session: { accessToken: string } }>(base, 'POST', '/api/v1/auth/login', {
    email,
    password: PASSWORD,
  });
  return res.session.accessToken;
}

export async function uploadDocument(
  base: string,
  token: string,
  path: string,
  file: { name: string; bytes: Uint8Array; type: string },
): Promise<{ id: string; status: string }> {
  const form = new FormData();
  form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`upload → HTTP ${res.status}: ${text}`);
  return (JSON.parse(text) as { document: { id: string; status: string } }).document;
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, MB; threads (the PGlite worker) included. */
export function processMemory(pid: number): { peakMB: number; rssMB: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/**
 * Resets the process's VmHWM to its current RSS (Linux `clear_refs` 5), so a later peak is the peak of what ran
 * in between. False when the kernel refuses.
 */
export function resetPeakMemory(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** The commit measured, and whether apps/ had uncommitted changes (read-only git calls). */
export function source(): { commit: string; dirty: boolean } | null {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'apps', 'packages') !== '',
    };
  } catch {
    return null;
  }
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

export const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
