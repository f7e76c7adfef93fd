/**
 * Loaded into a Kawan process under bench (through bench/lib/with-pg-probe.ts): counts and
 * times every query sent through `pg` (the embedded database is reached through `pg` too). On SIGUSR2 it
 * writes `{ seq, rows }` — the stats since the previous SIGUSR2 — to $BENCH_PG_PROBE_OUT and starts over.
 * Times are from `Client.query()` to its result, i.e. one round trip on an already acquired connection
 * (waiting for the pool is not included). Nothing in apps/ is changed.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

interface Stat {
  count: number;
  totalMs: number;
  maxMs: number;
}

const out = process.env.BENCH_PG_PROBE_OUT;
// Resolve `pg` as the server does (apps/server → hoisted node_modules), so we patch the same module instance.
const require = createRequire(path.resolve('apps/server/package.json'));
const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
const stats = new Map<string, Stat>();

function textOf(config: unknown): string {
  const t = typeof config === 'string' ? config : (config as { text?: string } | null)?.text;
  return (t ?? '(query object)').replace(/\s+/g, ' ').slice(0, 160);
}

function record(text: string, started: number): void {
  const ms = performance.now() - started;
  const s = stats.get(text) ?? { count: 0, totalMs: 0, maxMs: 0 };
  s.count++;
  s.totalMs += ms;
  s.maxMs = Math.max(s.maxMs, ms);
  stats.set(text, s);
}

const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
  const text = textOf(args[0]);
  const started = performance.now();
  const cbIndex = args.findIndex((a) => typeof a === 'function');
  if (cbIndex >= 0) {
    const cb = args[cbIndex] as (...a: unknown[]) => unknown;
    args[cbIndex] = (...a: unknown[]) => {
      record(text, started);
      return cb(...a);
    };
    return original.apply(this, args);
  }
  const result = original.apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).then(
      () => record(text, started),
      () => record(text, started),
    );
  }
  return result;
};

let seq = 0;
process.on('SIGUSR2', () => {
  const rows = [...stats.entries()]
    .map(([text, s]) => ({ text, ...s, avgMs: s.totalMs / s.count }))
    .sort((a, b) => b.totalMs - a.totalMs);
  stats.clear();
  if (!out) return;
  fs.writeFileSync(`${out}.part`, `${JSON.stringify({ seq: ++seq, rows }, null, 2)}\n`);
  fs.renameSync(`${out}.part`, out);
});
