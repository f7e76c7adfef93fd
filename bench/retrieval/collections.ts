// Test-collection helpers for the retrieval bench: load {corpus,queries,qrels}, run queries through the engine,
// write TREC runs, and compute the same metrics as ../shared/eval/score.py (in-process, for quick sweeps; the
// bench's reported numbers always come from score.py itself).
import fs from 'node:fs';
import path from 'node:path';
import {
  buildIndex,
  search,
  type IndexOptions,
  type RetrievalIndex,
  type SearchOptions,
} from '../../apps/server/src/modules/retrieval/engine.ts';

export interface Collection {
  name: string;
  dir: string;
  docs: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  qrels: Map<string, Set<string>>;
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export function loadCollection(dir: string): Collection {
  const docs = readJsonl<{ id: string | number; title?: string; text?: string }>(
    path.join(dir, 'corpus.jsonl'),
  ).map((d) => ({ id: String(d.id), title: d.title ?? '', text: d.text ?? '' }));
  const queries = readJsonl<{ id: string | number; text: string }>(path.join(dir, 'queries.jsonl')).map(
    (q) => ({
      id: String(q.id),
      text: q.text,
    }),
  );
  const qrels = new Map<string, Set<string>>();
  const lines = fs.readFileSync(path.join(dir, 'qrels.tsv'), 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const [q, d, s] = line.split('\t');
    if (!q || !d || !(Number(s) > 0)) continue;
    if (!qrels.has(q)) qrels.set(q, new Set());
    qrels.get(q)!.add(d);
  }
  return { name: path.basename(dir), dir, docs, queries, qrels };
}

/** Known-item variant: every 4th document's title is a query whose only relevant document is that document,
 * indexed without its title (Cranfield's abstract repeats the title: that copy is cut too). */
export function knownItem(c: Collection): Collection {
  const docs = c.docs.map((d) => {
    let text = d.text;
    const t = d.title.trim();
    if (t && text.startsWith(t)) text = text.slice(t.length);
    return { id: d.id, title: '', text };
  });
  const queries: { id: string; text: string }[] = [];
  const qrels = new Map<string, Set<string>>();
  c.docs.forEach((d, i) => {
    if (i % 4 !== 0 || d.title.trim().split(/\s+/).length < 3) return;
    queries.push({ id: `k${d.id}`, text: d.title });
    qrels.set(`k${d.id}`, new Set([d.id]));
  });
  return { ...c, docs, queries, qrels };
}

export function indexCollection(c: Collection, opts?: IndexOptions): RetrievalIndex {
  return buildIndex(
    c.docs.map((d) => ({ id: d.id, docId: d.id, title: d.title, text: d.text })),
    opts,
  );
}

export type Run = Map<string, { docId: string; score: number }[]>;

export function runQueries(index: RetrievalIndex, c: Collection, opts: SearchOptions, depth = 100): Run {
  const run: Run = new Map();
  for (const q of c.queries) {
    const hits = search(index, q.text, { ...opts, topK: depth });
    run.set(
      q.id,
      hits.map((h) => ({ docId: h.docId, score: h.score })),
    );
  }
  return run;
}

export function writeTrecRun(run: Run, file: string, tag: string): void {
  const lines: string[] = [];
  for (const [qid, hits] of run) {
    // trec_eval re-sorts by score and breaks ties by docid: printed scores are kept strictly decreasing so the
    // scored order is exactly the engine's order.
    let prev = Infinity;
    hits.forEach((h, i) => {
      const score = Math.min(Number(h.score.toFixed(6)), Number((prev - 1e-6).toFixed(6)));
      prev = score;
      lines.push(`${qid} Q0 ${h.docId} ${i + 1} ${score.toFixed(6)} ${tag}`);
    });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

export interface Metrics {
  ndcg10: number;
  recall100: number;
  mrr10: number;
}

export function perQueryMetrics(run: Run, c: Collection): Map<string, Metrics> {
  const out = new Map<string, Metrics>();
  for (const [qid, rel] of c.qrels) {
    const ranking = (run.get(qid) ?? []).map((h) => h.docId);
    let dcg = 0;
    ranking.slice(0, 10).forEach((d, i) => {
      if (rel.has(d)) dcg += 1 / Math.log2(i + 2);
    });
    let idcg = 0;
    for (let i = 0; i < Math.min(rel.size, 10); i++) idcg += 1 / Math.log2(i + 2);
    const recall = ranking.slice(0, 100).filter((d) => rel.has(d)).length / rel.size;
    const first = ranking.slice(0, 10).findIndex((d) => rel.has(d));
    out.set(qid, { ndcg10: dcg / idcg, recall100: recall, mrr10: first >= 0 ? 1 / (first + 1) : 0 });
  }
  return out;
}

export function meanMetrics(per: Map<string, Metrics>): Metrics {
  const n = per.size || 1;
  const sum = { ndcg10: 0, recall100: 0, mrr10: 0 };
  for (const m of per.values()) {
    sum.ndcg10 += m.ndcg10;
    sum.recall100 += m.recall100;
    sum.mrr10 += m.mrr10;
  }
  return { ndcg10: sum.ndcg10 / n, recall100: sum.recall100 / n, mrr10: sum.mrr10 / n };
}
