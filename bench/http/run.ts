/**
 * bench/http — authenticated `GET /api/v1/orgs/:orgId/chatbots/:botId` on Kawan (embedded PGlite) side by
 * side with a bare Fastify 5 hello, both measured with autocannon in the same run, one load at a time.
 *
 *   npm run bench:http                                  # 50 connections, 5 s warm-up + 15 s per scenario
 *   npm run bench:http -- --duration 30 --warmup 10     # or BENCH_DURATION=30 BENCH_WARMUP=10
 *   npm run bench:http -- --breakdown                   # + Kawan /healthz (no auth, no DB) and /readyz (1 DB query)
 *   npm run bench:http -- --probe                       # + count/time pg queries per request (diagnostic run)
 *   npm run bench:http -- --cpu-prof                    # + V8 CPU profiles of the Kawan process (diagnostic run)
 *
 * Results: bench/results/http.json (raw + machine + params), bench/results/http.md (table), and the table
 * between the bench:http markers in bench/README.md. A diagnostic run (--probe, --cpu-prof) perturbs the
 * numbers, so it writes bench/results/http.diag.tmp.json (git-ignored) instead and leaves those alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { freePort, killAllSync, spawnNode, waitForHttp, type Child } from '../lib/proc.ts';
import { api } from '../lib/api.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(root, 'bench/results');
const readmePath = path.join(root, 'bench/README.md');
const TARGET_RATIO = 0.25;

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    'log-level': { type: 'string' },
    breakdown: { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'no-readme': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'npm run bench:http -- [--connections 50] [--warmup 5] [--duration 15] [--log-level warn]\n' +
      '                      [--breakdown] [--probe] [--cpu-prof] [--no-readme]\n' +
      'Env equivalents: BENCH_CONNECTIONS, BENCH_WARMUP, BENCH_DURATION, BENCH_LOG_LEVEL.\n',
  );
  process.exit(0);
}

function intParam(name: string, arg: string | undefined, env: string | undefined, def: number, min = 1) {
  const raw = arg ?? env;
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

const params = {
  connections: intParam('connections', args.connections, process.env.BENCH_CONNECTIONS, 50),
  warmupSeconds: intParam('warmup', args.warmup, process.env.BENCH_WARMUP, 5, 0),
  durationSeconds: intParam('duration', args.duration, process.env.BENCH_DURATION, 15),
  pipelining: 1,
  kawanLogLevel: args['log-level'] ?? process.env.BENCH_LOG_LEVEL ?? 'warn',
  kawanDatabase: 'embedded PGlite (worker thread, unix socket, 1 pg connection)',
  breakdown: args.breakdown,
  pgProbe: args.probe,
  cpuProfile: args['cpu-prof'],
};
const diagnostic = params.pgProbe || params.cpuProfile;

interface Scenario {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** The process serving it, for the query probe. */
  kawan?: Child;
}

interface QueryStat {
  text: string;
  count: number;
  totalMs: number;
  maxMs: number;
  avgMs: number;
}

interface Measured {
  scenario: string;
  url: string;
  reqPerSec: number;
  reqPerSecStddev: number;
  latencyP50: number;
  latencyP99: number;
  latencyAvg: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** --probe: pg queries issued during the measured window. */
  queries?: { perRequest: number; avgMs: number; byText: QueryStat[] };
}

/** Runs autocannon to completion and returns its result (no progress bar: output stays readable). */
async function load(s: Scenario, seconds: number): Promise<Result> {
  return autocannon({
    url: s.url,
    connections: params.connections,
    pipelining: params.pipelining,
    duration: seconds,
    headers: s.headers,
    title: s.name,
  });
}

async function measure(s: Scenario): Promise<Measured> {
  if (params.warmupSeconds > 0) {
    log(`${s.name}: warm-up ${params.warmupSeconds} s`);
    await load(s, params.warmupSeconds);
  }
  log(`${s.name}: measuring ${params.durationSeconds} s at ${params.connections} connections`);
  if (params.pgProbe && s.kawan) await probeSnapshot(s.kawan); // drop warm-up queries
  const r = await load(s, params.durationSeconds);
  const byText = params.pgProbe && s.kawan ? await probeSnapshot(s.kawan) : undefined;
  const requests = r.latency.totalCount;
  let queries: Measured['queries'];
  if (byText) {
    const count = byText.reduce((a, q) => a + q.count, 0);
    const totalMs = byText.reduce((a, q) => a + q.totalMs, 0);
    queries = { perRequest: count / Math.max(1, requests), avgMs: totalMs / Math.max(1, count), byText };
  }
  return {
    scenario: s.name,
    url: s.url,
    reqPerSec: r.requests.average,
    reqPerSecStddev: r.requests.stddev,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    latencyAvg: r.latency.average,
    requests: r.latency.totalCount,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, v]) => [code, v.count])),
    queries,
  };
}

let probeFile: string | null = null;

/** Asks the Kawan child (preloaded with bench/lib/pg-probe.ts) for its query stats since the last ask. */
async function probeSnapshot(kawan: Child): Promise<QueryStat[]> {
  if (!probeFile || kawan.proc.pid === undefined) throw new Error('query probe not running');
  const read = () => {
    try {
      return JSON.parse(fs.readFileSync(probeFile!, 'utf8')) as { seq: number; rows: QueryStat[] };
    } catch {
      return { seq: -1, rows: [] };
    }
  };
  const before = read().seq;
  process.kill(kawan.proc.pid, 'SIGUSR2');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const snap = read();
    if (snap.seq > before) return snap.rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('query probe did not answer');
}

function log(msg: string): void {
  process.stderr.write(`[bench:http] ${msg}\n`);
}

/** Starts Kawan on a fresh embedded database and creates the user + chatbot the load reads. */
async function startKawan(dataDir: string, profileDir: string | null) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const nodeArgs = ['--import', 'tsx'];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  if (params.pgProbe) {
    probeFile = path.join(path.dirname(dataDir), 'pg-probe.json');
    nodeArgs.push('bench/lib/with-pg-probe.ts');
  }
  const child = spawnNode('kawan', [...nodeArgs, 'apps/server/src/main.ts', 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: params.kawanLogLevel,
      // Never share a configured database / Redis with the bench: embedded defaults only.
      DATABASE_URL: '',
      REDIS_URL: '',
      API_RATE_LIMIT: '0',
      SMTP_URL: '',
      ...(probeFile ? { BENCH_PG_PROBE_OUT: probeFile } : {}),
    },
    logFile: path.join(path.dirname(dataDir), 'kawan.log'),
  });
  await waitForHttp(`${base}/readyz`, child, 120_000);

  const reg = await api<{ organization: { id: string }; session: { accessToken: string } }>(
    base,
    'POST',
    '/api/v1/auth/register',
    { email: `bench-${Date.now()}@example.com`, password: 'bench-password-123456', name: 'Bench' },
  );
  const orgId = reg.organization.id;
  const token = reg.session.accessToken;
  const created = await api<{ chatbot: { id: string } }>(
    base,
    'POST',
    `/api/v1/orgs/${orgId}/chatbots`,
    { name: 'Bench bot' },
    token,
  );
  const botId = created.chatbot.id;
  const scenario: Scenario = {
    name: 'kawan GET /api/v1/orgs/:orgId/chatbots/:botId (Bearer JWT)',
    url: `${base}/api/v1/orgs/${orgId}/chatbots/${botId}`,
    headers: { authorization: `Bearer ${token}` },
    kawan: child,
  };
  // Sanity check: the exact request the load sends must succeed and return that chatbot.
  const got = await api<{ id?: string }>(base, 'GET', new URL(scenario.url).pathname, undefined, token);
  if (got.id !== botId) throw new Error(`unexpected chatbot body: ${JSON.stringify(got)}`);
  const breakdown: Scenario[] = [
    { name: 'kawan GET /healthz (no auth, no DB)', url: `${base}/healthz`, kawan: child },
    { name: 'kawan GET /readyz (no auth, 1 DB query `select 1`)', url: `${base}/readyz`, kawan: child },
  ];
  return { child, scenario, breakdown };
}

async function startBare(work: string) {
  const port = await freePort();
  const child = spawnNode('bare', ['--import', 'tsx', 'bench/http/bare-server.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
    logFile: path.join(work, 'bare.log'),
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(url, child, 30_000);
  return { child, scenario: { name: 'bare Fastify 5 GET / {hello:"world"}', url } satisfies Scenario };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(rows: Measured[], bare: Measured): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | errors | % of bare |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const errors = r.errors + r.timeouts + r.non2xx;
      return `| ${r.scenario} | ${fmt(r.reqPerSec)} | ${fmt(r.latencyP50)} | ${fmt(r.latencyP99)} | ${errors} | ${fmt((100 * r.reqPerSec) / bare.reqPerSec, 1)} % |`;
    }),
  ];
  return lines.join('\n');
}

function queryReport(rows: Measured[]): string {
  const out: string[] = ['pg queries during the measured window (bench/lib/pg-probe.ts):'];
  for (const r of rows) {
    if (!r.queries) continue;
    out.push(
      `  ${r.scenario}: ${fmt(r.queries.perRequest, 2)} queries/request, ${fmt(r.queries.avgMs, 3)} ms avg round trip`,
    );
    for (const q of r.queries.byText.slice(0, 5)) {
      out.push(
        `    ${fmt(q.count).padStart(8)} × ${fmt(q.avgMs, 3)} ms avg, ${fmt(q.maxMs, 1)} ms max  ${q.text}`,
      );
    }
  }
  return out.join('\n');
}

/** The commit measured, and whether apps/ or packages/ had uncommitted changes (read-only git calls). */
function source(): { commit: string; dirty: boolean } | null {
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

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** Rewrites the table between the bench:http markers of bench/README.md and the root README.md. */
async function updateReadme(section: string): Promise<void> {
  for (const file of [readmePath, path.join(root, 'README.md')]) await replaceSection(file, section);
}

async function replaceSection(file: string, section: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  const start = '<!-- bench:http:start -->';
  const end = '<!-- bench:http:end -->';
  const text = fs.readFileSync(file, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i)
    return log(`${path.relative(root, file)} has no ${start} … ${end} markers; not updated`);
  const updated = `${text.slice(0, i + start.length)}\n\n${section}\n\n${text.slice(j)}`;
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(updated, { ...options, filepath: file }));
}

let workDir: string | null = null;

function removeWorkDir(): void {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}

async function main(): Promise<void> {
  const tmpRoot = path.join(root, '.tmp');
  fs.mkdirSync(tmpRoot, { recursive: true });
  const work = fs.mkdtempSync(path.join(tmpRoot, 'bench-http-'));
  workDir = work;
  const children: Child[] = [];
  let profileDir: string | null = null;
  const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  if ((loadBefore[0] ?? 0) > os.availableParallelism() * 0.75) {
    log(
      `warning: load average ${loadBefore[0]} before start: something else is using the CPU; numbers will be low`,
    );
  }
  try {
    if (params.cpuProfile) {
      profileDir = path.join(tmpRoot, `bench-http-prof-${Date.now()}`);
      fs.mkdirSync(profileDir, { recursive: true });
    }
    log('starting Kawan (embedded database) and the bare Fastify server');
    const kawan = await startKawan(path.join(work, 'data'), profileDir);
    children.push(kawan.child);
    const bare = await startBare(work);
    children.push(bare.child);

    // One load at a time: the bare baseline first, then Kawan. The bare server is stopped before Kawan's
    // load so an idle process cannot steal anything from it.
    const bareResult = await measure(bare.scenario);
    await bare.child.stop();
    const kawanResult = await measure(kawan.scenario);
    const breakdown: Measured[] = [];
    if (params.breakdown) for (const b of kawan.breakdown) breakdown.push(await measure(b));
    await kawan.child.stop();
    if (profileDir) {
      const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      log(
        `CPU profile(s) of Kawan: ${files.map((f) => path.join(profileDir!, f)).join(', ') || 'none written'}`,
      );
    }

    const ratio = kawanResult.reqPerSec / bareResult.reqPerSec;
    const date = new Date().toISOString();
    const m = machine();
    const src = source();
    const report = {
      bench: 'http',
      date,
      machine: m,
      source: src,
      params,
      target: { kawanOverBareAtLeast: TARGET_RATIO },
      loadAverage: { before: loadBefore, after: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      results: { bare: bareResult, kawan: kawanResult, ...(breakdown.length ? { breakdown } : {}) },
      kawanOverBare: Math.round(ratio * 10_000) / 10_000,
      meetsTarget: ratio >= TARGET_RATIO,
    };
    const md = [
      `${table([bareResult, kawanResult, ...breakdown], bareResult)}`,
      '',
      `${date} · ${src ? `commit ${src.commit}${src.dirty ? ' + local changes' : ''} · ` : ''}` +
        `${m.cpuModel} × ${m.cpuCount} · Node ${m.node} · ${params.connections} connections, ` +
        `${params.warmupSeconds} s warm-up + ${params.durationSeconds} s measured per scenario, one at a time · ` +
        `Kawan: ${params.kawanDatabase}, LOG_LEVEL=${params.kawanLogLevel}` +
        `${params.cpuProfile ? ', --cpu-prof (slower)' : ''}${params.pgProbe ? ', pg query probe (slower)' : ''} · ` +
        `load average before: ${loadBefore[0]} · ` +
        `Kawan/bare = **${fmt(ratio * 100, 1)} %** (target ≥ ${TARGET_RATIO * 100} %: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
    ].join('\n');

    fs.mkdirSync(resultsDir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    let written: string;
    if (diagnostic) {
      fs.writeFileSync(path.join(resultsDir, 'http.diag.tmp.json'), json);
      written = 'bench/results/http.diag.tmp.json (diagnostic run: http.json, http.md and README untouched)';
    } else {
      fs.writeFileSync(path.join(resultsDir, 'http.json'), json);
      fs.writeFileSync(path.join(resultsDir, 'http.md'), `# bench/http\n\n${md}\n`);
      if (!args['no-readme']) await updateReadme(md);
      written = `bench/results/http.json, bench/results/http.md${args['no-readme'] ? '' : ', bench/README.md, README.md'}`;
    }
    process.stdout.write(`\n${md}\n`);
    if (params.pgProbe) process.stdout.write(`\n${queryReport([kawanResult, ...breakdown])}\n`);
    process.stdout.write(`\nwritten: ${written}\n`);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    removeWorkDir();
  }
}

process.on('exit', () => {
  killAllSync();
  removeWorkDir();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping children`);
    process.exit(130); // the 'exit' handler kills the children and removes the temporary data dir
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[bench:http] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
