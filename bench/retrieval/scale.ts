// Scale check of the retrieval engine on a synthetic corpus (not a quality measure):
//   node --import tsx bench/retrieval/scale.ts [--chunks 100000] [--queries 300] [--words 180]
// Chunks are `--words` words drawn from a Zipf law over the embedder's 50k-word English vocabulary, grouped in
// "topics" (each chunk mixes a topic's own 400-word pool with the general distribution) so postings and feedback
// behave like text rather than noise; queries are 3–8 words from a random chunk's topic. Reports index build time,
// heap growth, and per-query latency (p50 / p95 / p99) per mode; writes bench/results/retrieval-scale.{json,md}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWordVectors } from '../../apps/server/src/modules/retrieval/embedder.ts';
import {
  buildIndex,
  search,
  type RetrievalItem,
  type SearchMode,
} from '../../apps/server/src/modules/retrieval/engine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const CHUNKS = arg('chunks', 100_000);
const QUERIES = arg('queries', 300);
const WORDS = arg('words', 180);
const TOPICS = Math.max(10, Math.round(CHUNKS / 50));

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 42;
const rand = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const table = loadWordVectors();
const vocab = table.words;
// Zipf sampler over ranks via the inverse of the harmonic CDF approximation.
const zipf = () => Math.min(vocab.length - 1, Math.floor(Math.exp(rand() * Math.log(vocab.length)) - 1));
const topicPools = Array.from({ length: TOPICS }, () =>
  Array.from({ length: 400 }, () => vocab[200 + Math.floor(rand() * 20000)]!),
);
const STOP = ['the', 'of', 'and', 'to', 'in', 'a', 'is', 'for', 'that', 'with'];

function makeChunk(i: number): RetrievalItem {
  const topic = topicPools[i % TOPICS]!;
  const words: string[] = [];
  for (let w = 0; w < WORDS; w++) {
    const r = rand();
    words.push(
      r < 0.3
        ? STOP[Math.floor(rand() * STOP.length)]!
        : r < 0.55
          ? topic[Math.floor(rand() * topic.length)]!
          : vocab[zipf()]!,
    );
  }
  return {
    id: `c${i}`,
    docId: `d${Math.floor(i / 8)}`,
    title: `${topic[0]} ${topic[1]} ${topic[2]}`,
    text: words.join(' '),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Heap + ArrayBuffer bytes after full collections (backing stores are released asynchronously). */
async function usedMemory(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const heap0 = await usedMemory();
const items = Array.from({ length: CHUNKS }, (_, i) => makeChunk(i));
const heapItems = await usedMemory();
let t0 = performance.now();
const index = buildIndex(items);
const buildMs = performance.now() - t0;
const heapIndex = await usedMemory();

const queries = Array.from({ length: QUERIES }, () => {
  const topic = topicPools[Math.floor(rand() * TOPICS)]!;
  const n = 3 + Math.floor(rand() * 6);
  return Array.from({ length: n }, () =>
    rand() < 0.7 ? topic[Math.floor(rand() * topic.length)]! : vocab[zipf()]!,
  ).join(' ');
});

const rows: { mode: SearchMode; expand: boolean; p50: number; p95: number; p99: number; mean: number }[] = [];
for (const [mode, expand] of [
  ['keyword', false],
  ['keyword', true],
  ['semantic', false],
  ['hybrid', true],
] as [SearchMode, boolean][]) {
  for (const q of queries.slice(0, 20)) search(index, q, { mode, expand, topK: 10 }); // warm-up (caches, JIT)
  const times: number[] = [];
  for (const q of queries) {
    t0 = performance.now();
    search(index, q, { mode, expand, topK: 10 });
    times.push(performance.now() - t0);
  }
  rows.push({
    mode,
    expand,
    p50: pct(times, 50),
    p95: pct(times, 95),
    p99: pct(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  });
}

const result = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
  corpus: {
    chunks: CHUNKS,
    wordsPerChunk: WORDS,
    topics: TOPICS,
    terms: index.terms.length,
    queries: QUERIES,
  },
  buildSeconds: buildMs / 1000,
  indexMegabytes: (heapIndex - heapItems) / 1e6,
  itemsMegabytes: (heapItems - heap0) / 1e6,
  gcExposed: typeof global.gc === 'function',
  latencyMs: rows,
};
const md = [
  `| mode | expand | p50 ms | p95 ms | p99 ms | mean ms |`,
  `|---|---|--:|--:|--:|--:|`,
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.expand} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.mean.toFixed(1)} |`,
  ),
  '',
  `${CHUNKS.toLocaleString('en')} synthetic chunks × ${WORDS} words (${index.terms.length.toLocaleString('en')} terms) · build ${result.buildSeconds.toFixed(1)} s · index ≈ ${result.indexMegabytes.toFixed(0)} MB on top of the items (${result.itemsMegabytes.toFixed(0)} MB) · ${result.machine.cpu} × ${result.machine.cores} · Node ${process.version} · ${result.date}`,
].join('\n');
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(
  path.join(root, 'bench/results/retrieval-scale.json'),
  JSON.stringify(result, null, 2) + '\n',
);
fs.writeFileSync(path.join(root, 'bench/results/retrieval-scale.md'), md + '\n');
console.log(md);
