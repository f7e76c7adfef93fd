/**
 * bench/ingest — a 1,000-page text PDF uploaded through the API of a Kawan process on the embedded default,
 * timed until it is searchable, with the process's peak memory.
 *
 *   npm run bench:ingest                          # 1,000 pages, 2 runs (each on a fresh server + DATA_DIR)
 *   npm run bench:ingest -- --pages 300 --runs 1  # smaller / fewer
 *   npm run bench:ingest -- --cpu-prof            # + V8 CPU profiles of the server (diagnostic: results not written)
 *
 * Per run: generate the PDF (in this process, before the server starts, so it does not count), start Kawan
 * (`apps/server/src/main.ts serve`, fresh DATA_DIR, no DATABASE_URL/REDIS_URL), register, create a chatbot, then
 * time from the start of the upload until a hybrid search for a phrase that only the last page contains returns
 * that page. Meanwhile the document is polled every 100 ms (status/progress timeline), the phrase is searched
 * every second (it must not be found before the document is indexed), and VmHWM / VmRSS of the server process
 * (main thread and PGlite worker thread alike) are sampled. Writes bench/results/ingest.{json,md}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTextPdf } from '../../apps/server/src/modules/knowledge/parsing/test-fixtures.ts';
import { killAllSync } from '../lib/proc.ts';
import { makeCorpus, pageLines } from './corpus.ts';
import {
  accountWithBot,
  api,
  loadAverage,
  machine,
  processCpuSeconds,
  processMemory,
  resetPeakMemory,
  root,
  round,
  source,
  startKawan,
  uploadDocument,
} from './kawan.ts';

const { values: args } = parseArgs({
  options: {
    pages: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '2' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const PAGES = Number(args.pages);
const RUNS = Number(args.runs);
const TARGET = { seconds: 60, peakMB: 1024 };
/** Only the last page says this (an invented word, so no other page can match it by chance). */
const MARKER = 'zorblaxite';
const PHRASE = `The ${MARKER} harbour ledger closes the archive of this manual.`;
const QUERY = `${MARKER} harbour ledger`;

const log = (msg: string) => process.stderr.write(`[bench:ingest] ${msg}\n`);

async function generatePdf(pages: number): Promise<Uint8Array> {
  const corpus = makeCorpus(7, 60);
  const spec = Array.from({ length: pages }, (_, i) => {
    const topic = Math.floor(i / 10) % corpus.topics.length; // ten pages per "chapter"
    const lines = pageLines(corpus, topic, 44, 80);
    if (i === pages - 1) lines[lines.length - 1] = PHRASE;
    return { heading: `Chapter ${i + 1}: ${corpus.topics[topic]!.slice(0, 3).join(' ')}`, lines };
  });
  return makeTextPdf(spec, 'Bench manual');
}

interface Sample {
  /** ms since the upload started */
  t: number;
  status: string;
  progress: number;
  rssMB?: number;
}

interface Hit {
  documentId: string;
  page: number | null;
}

async function runOnce(pdf: Uint8Array, n: number, profileDir: string | null) {
  const work = fs.mkdtempSync(path.join(root, '.tmp', 'bench-ingest-'));
  const dataDir = path.join(work, 'data');
  const logFile = path.join(work, 'kawan.log');
  // The very first start creates the database (initdb + migrations), a one-off with its own memory peak: it is
  // recorded, then the process measured is a normal start on that DATA_DIR.
  const first = await startKawan(dataDir, logFile);
  const firstStartPeakMB = processMemory(first.pid)?.peakMB ?? NaN;
  const { token, orgId, botId } = await accountWithBot(first.base);
  await first.child.stop();
  const kawan = await startKawan(
    dataDir,
    logFile,
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  try {
    const botPath = `/api/v1/orgs/${orgId}/chatbots/${botId}`;
    const search = (query: string) =>
      api<{ hits: Hit[] }>(
        kawan.base,
        'POST',
        `${botPath}/search`,
        { query, mode: 'hybrid', topK: 5 },
        token,
      );
    await search(QUERY); // the login path, the chatbot cache and an empty index are warm before the clock starts
    const idle = processMemory(kawan.pid);
    const peakReset = resetPeakMemory(kawan.pid);
    const cpu0 = processCpuSeconds(kawan.pid) ?? 0;
    log(`run ${n}: server up (RSS ${idle?.rssMB.toFixed(0)} MB); uploading ${PAGES} pages`);

    const t0 = performance.now();
    const since = () => Math.round(performance.now() - t0);
    const doc = await uploadDocument(kawan.base, token, `${botPath}/documents`, {
      name: 'manual.pdf',
      bytes: pdf,
      type: 'application/pdf',
    });
    const uploadMs = since();
    const timeline: Sample[] = [{ t: uploadMs, status: doc.status, progress: 0 }];
    const earlySearches: { t: number; status: string; hits: number }[] = [];
    let lastSearch = 0;
    let lastMem = 0;
    // How long each status request took: the API must stay responsive while the document is processed.
    const polls: { ms: number; status: string }[] = [];
    let status = doc.status;
    let progress = 0;
    let chunkCount = 0;
    let pageCount = 0;
    while (status !== 'indexed') {
      if (status === 'failed') throw new Error(`ingestion failed: ${JSON.stringify(timeline.at(-1))}`);
      if (since() > 600_000) throw new Error(`not indexed after 10 min (${status} ${progress} %)`);
      await sleep(100);
      const p0 = performance.now();
      const d = await api<{ status: string; progress: number; chunkCount: number; pageCount: number }>(
        kawan.base,
        'GET',
        `${botPath}/documents/${doc.id}`,
        undefined,
        token,
      );
      polls.push({ ms: performance.now() - p0, status: d.status });
      const changed = d.status !== status || d.progress !== progress;
      ({ status, progress, chunkCount, pageCount } = d);
      const t = since();
      if (changed || t - lastMem >= 1000) {
        lastMem = t;
        timeline.push({ t, status, progress, rssMB: round(processMemory(kawan.pid)?.rssMB ?? NaN, 0) });
      }
      if (status !== 'indexed' && t - lastSearch >= 1000) {
        lastSearch = t;
        earlySearches.push({ t, status, hits: (await search(QUERY)).hits.length });
      }
    }
    const indexedMs = since();
    const result = await search(QUERY);
    const searchableMs = since();
    const top = result.hits[0];
    if (top?.documentId !== doc.id || top.page !== PAGES) {
      throw new Error(
        `the last page's phrase did not come first: ${JSON.stringify(result.hits.slice(0, 2))}`,
      );
    }
    const warm = performance.now();
    await search(QUERY);
    const warmSearchMs = performance.now() - warm;
    const mem = processMemory(kawan.pid);
    const cpu = (processCpuSeconds(kawan.pid) ?? 0) - cpu0;
    const order = ['queued', 'parsing', 'chunking', 'embedding', 'indexed'];
    // First sample at or past a stage (a short stage may fall between two polls).
    const phase = (s: string) => timeline.find((x) => order.indexOf(x.status) >= order.indexOf(s))?.t ?? null;
    const slowest = polls.reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, status: '' });
    const run = {
      run: n,
      uploadMs,
      phasesStartMs: {
        parsing: phase('parsing'),
        chunking: phase('chunking'),
        embedding: phase('embedding'),
        indexed: indexedMs,
      },
      secondsToIndexed: round(indexedMs / 1000, 2),
      secondsToSearchable: round(searchableMs / 1000, 2),
      firstSearchMs: searchableMs - indexedMs,
      warmSearchMs: round(warmSearchMs, 1),
      pages: pageCount,
      chunks: chunkCount,
      serverCpuSeconds: round(cpu, 1),
      memoryMB: {
        /** VmHWM of the measured process from its start until the upload (boot, login, an empty search) */
        bootPeak: round(idle?.peakMB ?? NaN, 0),
        idleRss: round(idle?.rssMB ?? NaN, 0),
        /** VmHWM from the upload until searchable (reset before the upload), or the lifetime peak if no reset */
        ingestPeak: round(mem?.peakMB ?? NaN, 0),
        /** the process's peak over its whole life: max of the two */
        peak: round(Math.max(mem?.peakMB ?? NaN, idle?.peakMB ?? NaN), 0),
        peakWasReset: peakReset,
        rssAfter: round(mem?.rssMB ?? NaN, 0),
        firstStartPeak: round(firstStartPeakMB, 0),
      },
      progressUpdatesSeen: timeline.length,
      statusPolls: polls.length,
      slowestStatusPoll: { ms: round(slowest.ms, 0), status: slowest.status },
      searchesBeforeIndexed: earlySearches,
      timeline,
    };
    log(
      `run ${n}: searchable after ${run.secondsToSearchable} s (indexed ${run.secondsToIndexed} s), ` +
        `${run.chunks} chunks, peak ${run.memoryMB.peak} MB, server CPU ${run.serverCpuSeconds} s`,
    );
    if (earlySearches.some((s) => s.hits > 0))
      throw new Error('the phrase was found before the document was indexed');
    return run;
  } finally {
    await kawan.child.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

type Run = Awaited<ReturnType<typeof runOnce>>;

function markdown(report: { date: string; runs: Run[]; load: number[][]; pdfMB: number }): string {
  const m = machine();
  const lines = [
    `| run | upload s | queued s | parsing s | chunking s | embedding + insert s | first search s | **searchable s** | chunks | peak MB (ingest) | **peak MB (process)** | server CPU s | progress samples | slowest status poll ms |`,
    `|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|`,
    ...report.runs.map((r) => {
      const p = r.phasesStartMs;
      const d = (a: number | null, b: number | null) =>
        a === null || b === null ? '–' : ((b - a) / 1000).toFixed(1);
      return `| ${r.run} | ${(r.uploadMs / 1000).toFixed(2)} | ${d(r.uploadMs, p.parsing)} | ${d(p.parsing, p.chunking)} | ${d(p.chunking, p.embedding)} | ${d(p.embedding, p.indexed)} | ${(r.firstSearchMs / 1000).toFixed(1)} | **${r.secondsToSearchable.toFixed(1)}** | ${r.chunks} | ${r.memoryMB.ingestPeak} | **${r.memoryMB.peak}** | ${r.serverCpuSeconds} | ${r.progressUpdatesSeen} | ${r.slowestStatusPoll.ms} (${r.slowestStatusPoll.status}) |`;
    }),
    '',
    `${PAGES}-page text PDF (${report.pdfMB.toFixed(1)} MB, pdf-lib, ~44 lines of prose per page) uploaded through ` +
      `\`POST …/documents\` to Kawan on the embedded default (PGlite worker thread, no env but DATA_DIR/PORT). ` +
      `"searchable" = from the start of the upload until a hybrid search for a phrase only the last page holds ` +
      `returns that page first (includes the first, cold index build). Peak = VmHWM of the server process ` +
      `(main and PGlite worker threads): "ingest" is reset (clear_refs) just before the upload, "process" is over ` +
      `the process's whole life (a normal start on an existing DATA_DIR; the very first start, which runs initdb, ` +
      `peaked at ${report.runs.map((r) => r.memoryMB.firstStartPeak).join(' / ')} MB). ` +
      `Phases: between the first status polls (every 100 ms) that saw each stage. Slowest status poll: the ` +
      `longest \`GET …/documents/:id\` during ingestion, i.e. how long the API stalled at worst. ` +
      `Targets: ≤ ${TARGET.seconds} s, ≤ ${TARGET.peakMB} MB.`,
    '',
    `${report.date} · ${m.cpuModel} × ${m.cpuCount} · Node ${m.node} · load average before each run: ` +
      report.load.map((l) => l[0]).join(', '),
  ];
  return lines.join('\n');
}

async function main() {
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const profileDir = args['cpu-prof'] ? fs.mkdtempSync(path.join(root, '.tmp', 'bench-ingest-prof-')) : null;
  log(`generating a ${PAGES}-page PDF`);
  const g0 = performance.now();
  const pdf = await generatePdf(PAGES);
  log(
    `generated ${(pdf.byteLength / 1e6).toFixed(1)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  );
  const runs: Run[] = [];
  const load: number[][] = [];
  for (let n = 1; n <= RUNS; n++) {
    load.push(loadAverage());
    if ((load.at(-1)![0] ?? 0) > 1) log(`warning: load average ${load.at(-1)![0]}: the machine is busy`);
    runs.push(await runOnce(pdf, n, profileDir));
  }
  const date = new Date().toISOString();
  const report = {
    bench: 'ingest',
    date,
    machine: machine(),
    source: source(),
    params: { pages: PAGES, runs: RUNS, pdfBytes: pdf.byteLength, query: QUERY },
    target: TARGET,
    met: runs.every((r) => r.secondsToSearchable <= TARGET.seconds && r.memoryMB.peak <= TARGET.peakMB),
    loadAverageBeforeRuns: load,
    loadAverageAfter: loadAverage(),
    runs,
  };
  const md = markdown({ date, runs, load, pdfMB: pdf.byteLength / 1e6 });
  if (profileDir) {
    log(`CPU profiles in ${profileDir} (diagnostic run: results not written)`);
  } else {
    fs.writeFileSync(path.join(root, 'bench/results/ingest.json'), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(root, 'bench/results/ingest.md'), md + '\n');
  }
  console.log(md);
}

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
