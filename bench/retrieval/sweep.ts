// Parameter sweeps for development (not part of the bench):
//   node --import tsx bench/retrieval/sweep.ts [--variants full,chunked,titles,firstsentence] '<json>' ...
// Each JSON argument is {"label"?, "index"?: IndexOptions, "search"?: SearchOptions}. Prints nDCG@10 (and the
// per-query robustness index vs the first configuration: (wins − losses) / queries) for each collection variant.
// Variants stress conditions the dev collections lack: chunked = documents split into ~60-word chunks that keep
// the title (as Kawan indexes them; ranked per document by the best chunk); titles = title-only documents;
// firstsentence = only the first sentence of each query.
import {
  knownItem,
  loadCollection,
  perQueryMetrics,
  meanMetrics,
  type Collection,
  type Metrics,
  type Run,
} from './collections.ts';
import { buildIndex, search, type RetrievalItem } from '../../apps/server/src/modules/retrieval/engine.ts';

function variantItems(c: Collection, variant: string): RetrievalItem[] {
  if (variant === 'titles') return c.docs.map((d) => ({ id: d.id, docId: d.id, text: d.title }));
  if (variant === 'chunked') {
    const out: RetrievalItem[] = [];
    for (const d of c.docs) {
      const words = d.text.split(/\s+/).filter(Boolean);
      for (let k = 0, i = 0; i < Math.max(1, words.length); k++, i += 60) {
        out.push({ id: `${d.id}#${k}`, docId: d.id, title: d.title, text: words.slice(i, i + 60).join(' ') });
      }
    }
    return out;
  }
  return c.docs.map((d) => ({ id: d.id, docId: d.id, title: d.title, text: d.text }));
}

function variantQuery(text: string, variant: string): string {
  if (variant !== 'firstsentence') return text;
  const m = /^.*?[?.!](\s|$)/.exec(text);
  return m ? m[0] : text;
}

const args = process.argv.slice(2);
let variants = ['full'];
if (args[0] === '--variants') {
  variants = args[1]!.split(',');
  args.splice(0, 2);
}
const collections = ['cranfield', 'cisi'].map((n) => loadCollection(`/work/shared/eval/${n}`));
const indexCache = new Map<string, ReturnType<typeof buildIndex>>();
let reference: Map<string, Map<string, Metrics>> | undefined;
const header = ['config'.padEnd(28)];
for (const c of collections) for (const v of variants) header.push(`${c.name.slice(0, 4)}/${v}`.padEnd(20));
console.log(header.join(' | '));
for (const arg of args) {
  const cfg = JSON.parse(arg) as { index?: object; search?: object; label?: string };
  const row: string[] = [(cfg.label ?? arg).slice(0, 28).padEnd(28)];
  const perAll = new Map<string, Map<string, Metrics>>();
  for (const c of collections) {
    for (const v of variants) {
      const key = `${c.name}/${v}/${JSON.stringify(cfg.index ?? {})}`;
      const cv = v === 'knownitem' ? knownItem(c) : c;
      let index = indexCache.get(key);
      if (!index) indexCache.set(key, (index = buildIndex(variantItems(cv, v), cfg.index)));
      const run: Run = new Map();
      for (const q of cv.queries) {
        const hits = search(index, variantQuery(q.text, v), {
          ...(cfg.search ?? {}),
          topK: v === 'chunked' ? 600 : 100,
        });
        const seen = new Set<string>();
        const list: { docId: string; score: number }[] = [];
        for (const h of hits) {
          if (seen.has(h.docId)) continue;
          seen.add(h.docId);
          list.push({ docId: h.docId, score: h.score });
          if (list.length === 100) break;
        }
        run.set(q.id, list);
      }
      const per = perQueryMetrics(run, cv);
      perAll.set(`${c.name}/${v}`, per);
      const m = meanMetrics(per);
      let cell = m.ndcg10.toFixed(4);
      if (process.env.SWEEP_MRR) cell = `${cell}/${m.mrr10.toFixed(3)}`;
      const ref = reference?.get(`${c.name}/${v}`);
      if (ref) {
        let wins = 0;
        let losses = 0;
        for (const [q, x] of per) {
          const d = x.ndcg10 - ref.get(q)!.ndcg10;
          if (d > 1e-9) wins++;
          else if (d < -1e-9) losses++;
        }
        cell += ` RI${((wins - losses) / per.size >= 0 ? '+' : '') + ((wins - losses) / per.size).toFixed(2)}`;
      }
      row.push(cell.padEnd(20));
    }
  }
  reference ??= perAll;
  console.log(row.join(' | '));
}
