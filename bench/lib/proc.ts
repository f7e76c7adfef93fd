import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1 (asked from the OS, released just before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Last lines of the child's stdout+stderr, to explain a failure. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

/**
 * Spawns `node <args>` in its own process group (so a stop reaches anything it forks) and tracks it, so
 * that `killAllSync()` can clean up on any exit path. Its stdout and stderr go straight to `logFile` (not
 * through a pipe to this process, which would spend the load generator's CPU on the server's logs).
 */
export function spawnNode(
  name: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Child {
  const fd = fs.openSync(opts.logFile, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  const child: Child = {
    name,
    proc,
    output: () => {
      try {
        return fs.readFileSync(opts.logFile, 'utf8').slice(-8000);
      } catch {
        return '';
      }
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          signalGroup(proc, 'SIGTERM');
          const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        // The leader is gone; make sure nothing it started survives.
        signalGroup(proc, 'SIGKILL');
        live.delete(child);
      })();
      return stopping;
    },
  };
  live.add(child);
  proc.once('exit', () => {
    if (!stopping) live.delete(child);
  });
  return child;
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: already gone
  }
}

/** Last-resort cleanup for `process.on('exit')`: synchronous SIGKILL of every child still tracked. */
export function killAllSync(): void {
  for (const child of live) signalGroup(child.proc, 'SIGKILL');
  live.clear();
}

/** Polls `url` until it answers 2xx, the child exits, or `timeoutMs` passes. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(
        `${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) before ${url} answered:\n${child.output()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${child.name}: ${url} not ready after ${timeoutMs} ms (${last}):\n${child.output()}`);
}
