/**
 * bench/search — hybrid search latency over the HTTP API with 100k chunks in the embedded database, and the
 * cold index build.
 *
 *   npm run bench:search                                # 100,000 chunks, 2 measured server runs
 *   npm run bench:search -- --chunks 20000 --queries 300
 *   npm run bench:search -- --keep                      # keep the loaded DATA_DIR (path printed) …
 *   npm run bench:search -- --data-dir .tmp/bench-search-xyz/data   # … and measure it again without loading
 *
 * 1. Load: Kawan starts once on a fresh DATA_DIR (initdb), a user and a chatbot are made through the API, the
 *    server stops, and generated Markdown manuals are ingested into that chatbot with the production ingestion
 *    code run in this process (bench/search/load.ts) until there are ≥ --chunks chunks. Then, still in this
 *    process, the index build is timed in parts: reading the chunks from the database, building the index
 *    computing every sentence vector, and building it from the stored chunk embeddings.
 * 2. Per run: start Kawan (`apps/server/src/main.ts serve`, embedded default), time the first search (cold:
 *    reads the chunks + builds the index), then --rebuilds more cold builds (a document title edit invalidates
 *    the index), then --warmup unrecorded searches and --queries recorded ones, one at a time, hybrid mode with
 *    query expansion (the defaults), queries of 2–6 words drawn from the corpus's topics.
 * Writes bench/results/search.{json,md}. Targets: p50 ≤ 20 ms, p99 ≤ 60 ms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listSearchableChunks } from '../../apps/server/src/modules/knowledge/knowledge.repo.ts';
import { buildIndex, type RetrievalItem } from '../../apps/server/src/modules/retrieval/engine.ts';
import { killAllSync } from '../lib/proc.ts';
import { makeCorpus } from '../ingest/corpus.ts';
import {
  accountWithBot,
  api,
  login,
  loadAverage,
  machine,
  processMemory,
  root,
  round,
  source,
  startKawan,
} from '../ingest/kawan.ts';
import { ingestGenerated, markdownDocument, openRuntime } from './load.ts';

const { values: args } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '50' },
    runs: { type: 'string', default: '2' },
    rebuilds: { type: 'string', default: '2' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const CHUNKS = Number(args.chunks);
const QUERIES = Number(args.queries);
const WARMUP = Number(args.warmup);
const RUNS = Number(args.runs);
const REBUILDS = Number(args.rebuilds);
const TARGET = { p50Ms: 20, p99Ms: 60 };
const SEED = 11;
const TOPICS = 200;
const SECTIONS_PER_DOC = 120; // ≈ 180 chunks per manual

const log = (msg: string) => process.stderr.write(`[bench:search] ${msg}\n`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const stats = (xs: number[]) => ({
  p50: round(pct(xs, 50), 2),
  p95: round(pct(xs, 95), 2),
  p99: round(pct(xs, 99), 2),
  max: round(Math.max(...xs), 2),
  mean: round(xs.reduce((a, b) => a + b, 0) / xs.length, 2),
});

interface Account {
  orgId: string;
  botId: string;
  email: string;
}

/** Fresh DATA_DIR with one account + chatbot, filled to ≥ CHUNKS chunks; also times the index build in parts. */
async function load(work: string) {
  const dataDir = path.join(work, 'data');
  const first = await startKawan(dataDir, path.join(work, 'kawan.log'));
  const account = await accountWithBot(first.base);
  await first.child.stop();
  fs.writeFileSync(path.join(work, 'account.json'), JSON.stringify(account));

  const rt = await openRuntime(dataDir);
  try {
    const corpus = makeCorpus(SEED, TOPICS);
    const t0 = performance.now();
    let chunks = 0;
    let docs = 0;
    while (chunks < CHUNKS) {
      const doc = markdownDocument(corpus, docs, SECTIONS_PER_DOC);
      chunks += await ingestGenerated(rt, account.orgId, account.botId, doc, `manual-${docs + 1}.md`);
      docs++;
      if (docs % 50 === 0) log(`loaded ${chunks} chunks (${docs} documents)`);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    log(`loaded ${chunks} chunks in ${docs} documents in ${loadSeconds.toFixed(0)} s`);
    return { dataDir, account, loaded: { chunks, documents: docs, seconds: round(loadSeconds, 1) } };
  } finally {
    await rt.close();
  }
}

/**
 * The parts of a cold build, in this process: the database read, then the index built twice, once computing
 * every sentence vector (as before stored embeddings were reused) and once from the stored ones.
 */
async function buildParts(dataDir: string, account: Account) {
  const rt = await openRuntime(dataDir);
  try {
    let t = performance.now();
    const rows = await listSearchableChunks(rt.db, account.orgId, account.botId);
    const readMs = performance.now() - t;
    const items = (withVectors: boolean): RetrievalItem[] =>
      rows.map((r) => ({
        id: r.id,
        docId: r.documentId,
        title: r.heading ? `${r.title} ${r.heading}` : r.title,
        text: r.text,
        language: (r.language ?? undefined) as RetrievalItem['language'],
        tags: r.tags,
        metadata: r.metadata,
        ...(withVectors && r.embedding ? { vector: r.embedding } : {}),
      }));
    const out = {
      rows: rows.length,
      documents: new Set(rows.map((r) => r.documentId)).size,
      readMs: round(readMs, 0),
      computeVectorsMs: [] as number[],
      storedVectorsMs: [] as number[],
    };
    for (let i = 0; i < 2; i++) {
      for (const stored of [false, true]) {
        const list = items(stored);
        t = performance.now();
        buildIndex(list);
        (stored ? out.storedVectorsMs : out.computeVectorsMs).push(round(performance.now() - t, 0));
      }
    }
    return out;
  } finally {
    await rt.close();
  }
}

async function measure(dataDir: string, account: Account, n: number) {
  const logFile = path.join(path.dirname(dataDir), `kawan-run${n}.log`);
  const t0 = performance.now();
  const kawan = await startKawan(dataDir, logFile);
  const bootMs = performance.now() - t0;
  const botPath = `/api/v1/orgs/${account.orgId}/chatbots/${account.botId}`;
  try {
    const token = await login(kawan.base, account.email);
    const search = async (query: string) => {
      const t = performance.now();
      const res = await api<{ hits: unknown[] }>(
        kawan.base,
        'POST',
        `${botPath}/search`,
        { query, mode: 'hybrid', topK: 10 },
        token,
      );
      return { ms: performance.now() - t, hits: res.hits.length };
    };
    const corpus = makeCorpus(SEED, TOPICS); // same topics as the loaded manuals
    const queries = Array.from({ length: WARMUP + QUERIES }, () => corpus.query());
    const coldMs = [(await search(queries[0]!)).ms];
    const docs = await api<{ data: { id: string; title: string }[] }>(
      kawan.base,
      'GET',
      `${botPath}/documents?limit=1`,
      undefined,
      token,
    );
    for (let i = 0; i < REBUILDS; i++) {
      // A title edit invalidates the chatbot's index: the next search builds it again (this time with a warm JIT).
      await api(
        kawan.base,
        'PATCH',
        `${botPath}/documents/${docs.data[0]!.id}`,
        { title: `Edited ${i}` },
        token,
      );
      coldMs.push((await search(queries[i + 1]!)).ms);
    }
    const afterBuild = processMemory(kawan.pid);
    for (const q of queries.slice(0, WARMUP)) await search(q);
    const times: number[] = [];
    let hits = 0;
    for (const q of queries.slice(WARMUP)) {
      const r = await search(q);
      times.push(r.ms);
      hits += r.hits;
    }
    const mem = processMemory(kawan.pid);
    const run = {
      run: n,
      bootMs: round(bootMs, 0),
      coldBuildMs: coldMs.map((x) => round(x, 0)),
      latencyMs: stats(times),
      meanHits: round(hits / times.length, 1),
      memoryMB: {
        rssAfterBuild: round(afterBuild?.rssMB ?? NaN, 0),
        rssAfter: round(mem?.rssMB ?? NaN, 0),
        peak: round(mem?.peakMB ?? NaN, 0),
      },
    };
    log(
      `run ${n}: cold ${run.coldBuildMs.join(' / ')} ms; p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms ` +
        `(${times.length} queries); RSS ${run.memoryMB.rssAfter} MB`,
    );
    return run;
  } finally {
    await kawan.child.stop();
  }
}

type Run = Awaited<ReturnType<typeof measure>>;

function markdown(r: {
  date: string;
  chunks: number;
  documents: number;
  loadSeconds: number | null;
  parts: Awaited<ReturnType<typeof buildParts>>;
  runs: Run[];
  load: number[][];
}): string {
  const m = machine();
  const ms = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(1)).join(' / ');
  return [
    `| run | p50 ms | p95 ms | p99 ms | max ms | mean ms | cold build s (first / after an edit…) | RSS MB |`,
    `|---|--:|--:|--:|--:|--:|--:|--:|`,
    ...r.runs.map(
      (x) =>
        `| ${x.run} | **${x.latencyMs.p50}** | ${x.latencyMs.p95} | **${x.latencyMs.p99}** | ${x.latencyMs.max} | ${x.latencyMs.mean} | ${ms(x.coldBuildMs)} | ${x.memoryMB.rssAfter} |`,
    ),
    '',
    `Cold build in parts (bench process, same data): read ${r.parts.rows.toLocaleString('en')} chunks from PGlite ` +
      `${(r.parts.readMs / 1000).toFixed(1)} s · build computing every sentence vector ${ms(r.parts.computeVectorsMs)} s · ` +
      `build from the stored chunk embeddings ${ms(r.parts.storedVectorsMs)} s.`,
    '',
    `${r.chunks.toLocaleString('en')} chunks (${r.documents} generated Markdown manuals, ingested by the production ` +
      `ingestion code${r.loadSeconds ? ` in ${r.loadSeconds.toFixed(0)} s` : ''}) in one chatbot on the embedded ` +
      `database. ${QUERIES} searches per run, one at a time, after ${WARMUP} unrecorded: \`POST …/search\` ` +
      `{mode: hybrid, topK: 10} (query expansion on), 2–6-word queries from the corpus's topics, latency seen by ` +
      `the client (HTTP + auth + JSON included). Targets: p50 ≤ ${TARGET.p50Ms} ms, p99 ≤ ${TARGET.p99Ms} ms.`,
    '',
    `${r.date} · ${m.cpuModel} × ${m.cpuCount} · Node ${m.node} · load average before each run: ` +
      r.load.map((l) => l[0]).join(', '),
  ].join('\n');
}

async function main() {
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  let work: string;
  let dataDir: string;
  let account: Account;
  let loaded: { chunks: number; documents: number; seconds: number | null };
  if (args['data-dir']) {
    dataDir = path.resolve(args['data-dir']);
    work = path.dirname(dataDir);
    account = JSON.parse(fs.readFileSync(path.join(work, 'account.json'), 'utf8')) as Account;
    loaded = { chunks: NaN, documents: NaN, seconds: null };
  } else {
    work = fs.mkdtempSync(path.join(root, '.tmp', 'bench-search-'));
    ({ dataDir, account, loaded } = await load(work));
  }
  try {
    const parts = await buildParts(dataDir, account);
    log(`index build parts: ${JSON.stringify(parts)}`);
    if (Number.isNaN(loaded.chunks)) loaded = { ...loaded, chunks: parts.rows, documents: parts.documents };
    const runs: Run[] = [];
    const load: number[][] = [];
    for (let n = 1; n <= RUNS; n++) {
      load.push(loadAverage());
      if ((load.at(-1)![0] ?? 0) > 1) log(`warning: load average ${load.at(-1)![0]}: the machine is busy`);
      runs.push(await measure(dataDir, account, n));
    }
    const date = new Date().toISOString();
    const report = {
      bench: 'search',
      date,
      machine: machine(),
      source: source(),
      params: { chunks: CHUNKS, queries: QUERIES, warmup: WARMUP, runs: RUNS, rebuilds: REBUILDS },
      target: TARGET,
      met: runs.every((r) => r.latencyMs.p50 <= TARGET.p50Ms && r.latencyMs.p99 <= TARGET.p99Ms),
      corpus: loaded,
      buildParts: parts,
      loadAverageBeforeRuns: load,
      loadAverageAfter: loadAverage(),
      runs,
    };
    const md = markdown({
      date,
      chunks: loaded.chunks,
      documents: loaded.documents,
      loadSeconds: loaded.seconds,
      parts,
      runs,
      load,
    });
    fs.writeFileSync(path.join(root, 'bench/results/search.json'), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(root, 'bench/results/search.md'), md + '\n');
    console.log(md);
  } finally {
    if (args.keep || args['data-dir']) log(`data kept: --data-dir ${path.relative(root, dataDir)}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
