/**
 * bench/stream — streamed chat turns through Kawan vs. the same load straight to the model server, same run.
 *
 * The model is the OpenAI-compatible test server (apps/server/test/llm-server/main.ts) at TTFT 300 ms, 15 ms
 * between tokens, 150 tokens, in its own process; Kawan runs in another (embedded PGlite, or a fresh database on
 * the local PostgreSQL with --db postgres). 200 clients each send --turns sequential requests, (a) to Kawan's
 * `POST …/conversations/:id/messages` (SSE) in their own conversation, (b) to the test server's
 * `/v1/chat/completions` (stream: true), through the same client code (client.ts); the phases alternate
 * (direct, kawan, kawan, direct, …) after an unmeasured warm-up of one turn each.
 *
 *   npm run bench:stream                          # embedded, 2 runs × 2 rounds × 200 clients × 3 turns
 *   npm run bench:stream -- --db both             # embedded, then PostgreSQL at 127.0.0.1:5432
 *   npm run bench:stream -- --cpu-prof            # diagnostic: V8 profiles of Kawan (results not written)
 *
 * Results: bench/results/stream.json, bench/results/stream.md and the table between the bench:stream markers
 * of bench/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { killAllSync } from '../lib/proc.ts';
import { machineCpu, threadCpu } from './cpu.ts';
import { loadAverage, machine, processCpuSeconds, root, round, source } from '../ingest/kawan.ts';
import { streamOnce, type Kind, type RequestSpec, type Sample } from './client.ts';
import { added, summarise } from './stats.ts';
import {
  API_KEY,
  MODEL,
  QUESTIONS,
  SYSTEM_PROMPT,
  createDatabase,
  setUpKawan,
  startKawan,
  startLlmServer,
  type Database,
  type DbKind,
  type KawanProcess,
  type KawanSetup,
  type LlmServer,
  type QueryStat,
  probeSnapshot,
} from './servers.ts';
import { markdown, updateReadme, type RunReport } from './report.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    turns: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    runs: { type: 'string', default: '2' },
    ttft: { type: 'string', default: '300' },
    itl: { type: 'string', default: '15' },
    tokens: { type: 'string', default: '150' },
    ramp: { type: 'string' },
    db: { type: 'string', default: 'embedded' },
    'log-level': { type: 'string', default: 'warn' },
    'cpu-prof': { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
    'no-readme': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'npm run bench:stream -- [--clients 200] [--turns 3] [--rounds 2] [--runs 2] [--ttft 300] [--itl 15]\n' +
      '   [--tokens 150] [--ramp <ms>] [--db embedded|postgres|both] [--log-level warn]\n' +
      '   [--cpu-prof] [--probe] [--no-readme]\n',
  );
  process.exit(0);
}
const int = (name: string, v: string, min = 0) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
};
const dbKinds: DbKind[] =
  args.db === 'both' ? ['embedded', 'postgres'] : args.db === 'postgres' ? ['postgres'] : ['embedded'];
if (!['embedded', 'postgres', 'both'].includes(args.db)) throw new Error('--db embedded|postgres|both');
const ttftMs = int('ttft', args.ttft);
const itlMs = int('itl', args.itl);
const tokens = int('tokens', args.tokens, 1);
/** One answer's length at the test server's pace: TTFT, the gaps between tokens, and the gap before [DONE]. */
const answerMs = ttftMs + tokens * itlMs;
export const params = {
  clients: int('clients', args.clients, 1),
  turnsPerClient: int('turns', args.turns, 1),
  rounds: int('rounds', args.rounds, 1),
  runs: int('runs', args.runs, 1),
  model: { ttftMs, itlMs, tokens },
  // Client i starts at i/clients of one answer: arrivals are spread as in a steady state of N conversations.
  rampMs: args.ramp === undefined ? answerMs : int('ramp', args.ramp),
  requestTimeoutMs: 60_000,
  dbKinds,
  kawanLogLevel: args['log-level'],
  cpuProfile: args['cpu-prof'],
  pgProbe: args.probe,
  knowledge: 'one 3-section Markdown document (rates.md, a few chunks): every turn runs a hybrid search',
  httpClient:
    'global fetch (undici, default agent: no per-origin connection limit, keep-alive), eventsource-parser',
};

function log(msg: string): void {
  process.stderr.write(`[bench:stream] ${msg}\n`);
}

interface Ctx {
  llm: LlmServer;
  kawan: KawanProcess;
  setup: KawanSetup;
  pgProbeFile?: string;
}

function requestFor(ctx: Ctx, kind: Kind, client: number, question: string): RequestSpec {
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (kind === 'direct') {
    return {
      url: `${ctx.llm.url}/chat/completions`,
      headers: { ...headers, authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        model: MODEL,
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: question },
        ],
        stream: true,
        stream_options: { include_usage: true },
      }),
    };
  }
  const { orgId, botId, conversationIds, token } = ctx.setup;
  return {
    url: `${ctx.kawan.base}/api/v1/orgs/${orgId}/chatbots/${botId}/conversations/${conversationIds[client]}/messages`,
    headers: { ...headers, authorization: `Bearer ${token}` },
    body: JSON.stringify({ content: question }),
  };
}

export interface PhaseStats {
  kind: Kind;
  round: number;
  wallSeconds: number;
  /** CPU cores used on average during the phase (CPU seconds / wall seconds) */
  kawanCores: number | null;
  /** the same by thread (main = the event loop; the embedded database runs in a worker thread) */
  kawanThreads: { thread: string; tid: number; cores: number }[];
  /** share of all the machine's CPU time that was busy (anything: ours, the database server's, others') */
  machineBusy: number | null;
  llmServerCores: number | null;
  benchCores: number;
  /** the load generator's own event-loop delay: high values mean the client, not the server, was late */
  benchLoopDelayP99Ms: number;
  loadAverage: number[];
  /** --probe, Kawan phases: pg queries per turn and their round trips (waiting for the pool not included) */
  queries?: { perTurn: number; avgMs: number; top: QueryStat[] };
}

async function phase(ctx: Ctx, kind: Kind, roundNo: number, turns: number, out: Sample[] | null) {
  const cpu = () => ({
    kawan: processCpuSeconds(ctx.kawan.pid),
    llm: processCpuSeconds(ctx.llm.child.proc.pid!),
    bench: process.cpuUsage(),
  });
  if (ctx.pgProbeFile && kind === 'kawan') await probeSnapshot(ctx.kawan, ctx.pgProbeFile);
  const before = cpu();
  const threadsBefore = threadCpu(ctx.kawan.pid);
  const machineBefore = machineCpu();
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: params.clients }, async (_, client) => {
      await sleep((client * params.rampMs) / params.clients);
      for (let turn = 0; turn < turns; turn++) {
        const question = QUESTIONS[(client + turn) % QUESTIONS.length]!;
        const r = await streamOnce(
          kind,
          requestFor(ctx, kind, client, question),
          tokens,
          params.requestTimeoutMs,
        );
        out?.push({ kind, round: roundNo, client, turn, ...r });
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  eld.disable();
  const after = cpu();
  const cores = (a: number | null, b: number | null) =>
    a === null || b === null ? null : round((b - a) / wall, 2);
  const bench = process.cpuUsage(before.bench);
  const threadsAfter = threadCpu(ctx.kawan.pid);
  const machineAfter = machineCpu();
  const kawanThreads = [...threadsAfter]
    .map(([tid, t]) => ({
      thread: tid === ctx.kawan.pid ? 'main' : t.name,
      tid,
      cores: round((t.cpu - (threadsBefore.get(tid)?.cpu ?? 0)) / wall, 2),
    }))
    .filter((t) => t.cores >= 0.01)
    .sort((a, b) => b.cores - a.cores);
  const stats: PhaseStats = {
    kind,
    round: roundNo,
    wallSeconds: round(wall, 2),
    kawanCores: cores(before.kawan, after.kawan),
    kawanThreads,
    machineBusy:
      machineBefore && machineAfter
        ? round(
            (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total),
            2,
          )
        : null,
    llmServerCores: cores(before.llm, after.llm),
    benchCores: round((bench.user + bench.system) / 1e6 / wall, 2),
    benchLoopDelayP99Ms: round(eld.percentile(99) / 1e6, 1),
    loadAverage: loadAverage(),
  };
  if (ctx.pgProbeFile && kind === 'kawan') {
    const rows = await probeSnapshot(ctx.kawan, ctx.pgProbeFile);
    const count = rows.reduce((a, q) => a + q.count, 0);
    const totalMs = rows.reduce((a, q) => a + q.totalMs, 0);
    const turnsDone = params.clients * turns;
    stats.queries = {
      perTurn: round(count / turnsDone, 2),
      avgMs: round(totalMs / Math.max(1, count), 3),
      top: rows.slice(0, 12),
    };
  }
  return stats;
}

async function oneRun(db: DbKind, runNo: number, profileDir: string | null): Promise<RunReport> {
  const tmpRoot = path.join(root, '.tmp');
  fs.mkdirSync(tmpRoot, { recursive: true });
  const work = fs.mkdtempSync(path.join(tmpRoot, 'bench-stream-'));
  workDirs.add(work);
  let database: Database | null = null;
  let llm: LlmServer | null = null;
  let kawan: KawanProcess | null = null;
  try {
    const loadBefore = loadAverage();
    log(`run ${runNo} (${db}): starting the test server and Kawan (load average ${loadBefore.join(' ')})`);
    llm = await startLlmServer(work, params.model);
    database = await createDatabase(db);
    databases.add(database);
    const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const pgProbeFile = params.pgProbe ? path.join(work, 'pg-probe.json') : undefined;
    kawan = await startKawan(work, database, { logLevel: params.kawanLogLevel, nodeFlags, pgProbeFile });
    const setup = await setUpKawan(kawan, llm.url, params.clients);
    const ctx: Ctx = { llm, kawan, setup, pgProbeFile };

    log(`warm-up: one turn per client, direct then kawan (not measured)`);
    const warm: Sample[] = [];
    await phase(ctx, 'direct', -1, 1, warm);
    await phase(ctx, 'kawan', -1, 1, warm);
    const warmErrors = warm.filter((s) => s.error);
    if (warmErrors.length) log(`warm-up: ${warmErrors.length} errors, first: ${warmErrors[0]!.error}`);

    const samples: Sample[] = [];
    const phases: PhaseStats[] = [];
    for (let r = 0; r < params.rounds; r++) {
      const order: Kind[] = r % 2 === 0 ? ['direct', 'kawan'] : ['kawan', 'direct'];
      for (const kind of order) {
        log(
          `round ${r + 1}/${params.rounds}: ${kind}, ${params.clients} clients × ${params.turnsPerClient} turns`,
        );
        phases.push(await phase(ctx, kind, r, params.turnsPerClient, samples));
        const last = phases.at(-1)!;
        log(
          `  ${last.wallSeconds} s, kawan ${last.kawanCores ?? '?'} cores, test server ${last.llmServerCores ?? '?'}, ` +
            `bench ${last.benchCores} (loop delay p99 ${last.benchLoopDelayP99Ms} ms), machine ${Math.round((last.machineBusy ?? NaN) * 100)} % busy, ` +
            `load ${last.loadAverage[0]}`,
        );
        if (last.kind === 'kawan') {
          log(`  kawan threads: ${last.kawanThreads.map((t) => `${t.thread} ${t.cores}`).join(', ')}`);
        }
        if (last.queries) {
          log(`  pg: ${last.queries.perTurn} queries per turn, ${last.queries.avgMs} ms average round trip`);
          for (const q of last.queries.top) {
            log(
              `    ${String(q.count).padStart(6)} × ${q.avgMs.toFixed(2)} ms (max ${q.maxMs.toFixed(1)})  ${q.text.slice(0, 110)}`,
            );
          }
        }
      }
    }
    await kawan.child.stop();
    const llmCounters = await llm.stop();
    const direct = summarise(samples, 'direct');
    const viaKawan = summarise(samples, 'kawan');
    return {
      run: runNo,
      db,
      loadAverage: { before: loadBefore, after: loadAverage() },
      direct,
      kawan: viaKawan,
      added: added(samples, direct, viaKawan),
      phases,
      llmServerCounters: llmCounters,
      warmupErrors: warmErrors.length,
    };
  } catch (err) {
    if (kawan) log(`Kawan's log (tail):\n${kawan.child.output().slice(-3000)}`);
    throw err;
  } finally {
    await kawan?.child.stop();
    await llm?.stop();
    await database?.drop().catch((e: unknown) => log(`could not drop the bench database: ${String(e)}`));
    fs.rmSync(work, { recursive: true, force: true });
    workDirs.delete(work);
  }
}

const workDirs = new Set<string>();
const databases = new Set<Database>();

async function main(): Promise<void> {
  const profileDir = params.cpuProfile ? path.join(root, '.tmp', `bench-stream-prof-${Date.now()}`) : null;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const runs: RunReport[] = [];
  for (const db of params.dbKinds) {
    for (let i = 1; i <= params.runs; i++) runs.push(await oneRun(db, i, profileDir));
  }
  const report = {
    bench: 'stream',
    date: new Date().toISOString(),
    machine: machine(),
    source: source(),
    params,
    target: { addedP50MsAtMost: 3, addedP99MsAtMost: 20, errors: 0 },
    runs,
  };
  const md = markdown(report);
  process.stdout.write(`\n${md}\n`);
  if (params.cpuProfile || params.pgProbe) {
    const json = path.join(root, 'bench/results/stream.diag.tmp.json');
    fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    log(`diagnostic run: ${path.relative(root, json)} written (stream.json/.md and the README left alone)`);
    if (profileDir) log(`CPU profiles: ${path.relative(root, profileDir)}`);
    return;
  }
  const resultsDir = path.join(root, 'bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'stream.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(resultsDir, 'stream.md'), `# bench/stream\n\n${md}\n`);
  if (!args['no-readme']) await updateReadme(path.join(root, 'bench/README.md'), md);
  log(
    `written: bench/results/stream.json, bench/results/stream.md${args['no-readme'] ? '' : ', bench/README.md'}`,
  );
}

process.on('exit', () => {
  killAllSync();
  for (const w of workDirs) fs.rmSync(w, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping children`);
    killAllSync();
    // The children are gone, so a PostgreSQL bench database can be dropped before leaving.
    void Promise.race([Promise.all([...databases].map((d) => d.drop().catch(() => {}))), sleep(5000)]).then(
      () => process.exit(130),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[bench:stream] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
