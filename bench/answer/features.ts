// Dumps the responder's evidence for every case as JSONL (for calibrating evidence.ts by hand):
//   node --import tsx bench/answer/features.ts > .tmp/answer/features.jsonl
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractiveAnswer } from '../../apps/server/src/modules/chat/answer/extractive.ts';
import { loadCases, loadKbCases, SEARCH } from './cases.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mode = process.argv.includes('--keyword') ? 'keyword' : 'hybrid';
const loaded = [
  ...loadCases(path.join(root, '../shared/eval'), ['cranfield', 'cisi'], { ...SEARCH, mode }),
  ...loadKbCases({ ...SEARCH, mode }),
];
for (const { termStats, cases } of loaded) {
  for (const c of cases) {
    const a = extractiveAnswer({
      question: c.question,
      hits: c.hits,
      language: c.language,
      strictness: 'relaxed',
      termStats,
    });
    const docs = a.citations.map((x) => x.documentId);
    process.stdout.write(
      JSON.stringify({
        collection: c.collection,
        mode,
        kind: c.kind,
        id: c.id,
        reason: a.reason,
        ...a.evidence,
        top1Relevant: c.hits[0] ? c.relevant.has(c.hits[0].documentId) : false,
        quoteRelevant: docs.some((d) => c.relevant.has(d)),
        firstQuoteRelevant: docs.length ? c.relevant.has(docs[0]!) : false,
        expectedQuoted: c.expected
          ? a.citations.some((x) => c.expected!.split('|').some((e) => x.quote.includes(e)))
          : null,
        question: c.question,
        top1: c.hits[0]?.score ?? null,
      }) + '\n',
    );
  }
}
