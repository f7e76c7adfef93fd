// Calibration bench of the extractive responder (apps/server/src/modules/chat/answer): does it answer what the
// documents hold and refuse what they do not?
//
//   node --import tsx bench/answer/run.ts [--eval-dir ../shared/eval] [--collections cranfield,cisi]
//
// Groups: the test collections (in scope: a collection's own queries with relevant documents; out of scope: the
// other collection's queries and generic questions) and two small knowledge bases with short customer questions
// (kb-questions.ts; English and Indonesian). Every question runs through the real search engine (hybrid, and
// keyword as Indonesian text gets it), then through extractiveAnswer, strict and relaxed. Reported: answer rate in
// scope, refusal rate out of scope, whether answers quote a relevant document (qrels) or the expected words (small
// knowledge bases), single-feature AUCs, a threshold sweep, and refits of the evidence model that leave one group
// out, to show the shipped weights transfer. Writes bench/results/answer.{json,md}.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  EVIDENCE_MODEL,
  evidenceScore,
  RELAXED_THRESHOLD,
  STRICT_THRESHOLD,
  type Evidence,
} from '../../apps/server/src/modules/chat/answer/evidence.ts';
import {
  extractiveAnswer,
  type ExtractiveAnswer,
} from '../../apps/server/src/modules/chat/answer/extractive.ts';
import { auc, fitLogistic, scoreWith, type Sample, type Weights } from './calibrate.ts';
import { GENERIC_QUESTIONS, loadCases, loadKbCases, SEARCH, type AnswerCase } from './cases.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argValue = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const evalDir = path.resolve(root, argValue('eval-dir', '../shared/eval'));
const names = argValue('collections', 'cranfield,cisi').split(',');
const MODES = ['hybrid', 'keyword'] as const;
type Mode = (typeof MODES)[number];
/** L2 of the refits (on standardised features): the shipped weights are the rounded pooled refit at this value */
const L2 = Number(argValue('l2', '0.03'));

interface Outcome {
  mode: Mode;
  c: AnswerCase;
  strict: ExtractiveAnswer;
  relaxed: ExtractiveAnswer;
  /** strict, with term statistics estimated from the hits instead of the collection's (hybrid only) */
  strictHitStats?: ExtractiveAnswer;
  ms: number;
}

const started = performance.now();
const outcomes: Outcome[] = [];
for (const mode of MODES) {
  const opts = { ...SEARCH, mode };
  for (const { termStats, cases } of [...loadCases(evalDir, names, opts), ...loadKbCases(opts)]) {
    for (const c of cases) {
      const input = { question: c.question, hits: c.hits, language: c.language, termStats };
      const t0 = performance.now();
      const strict = extractiveAnswer({ ...input, strictness: 'strict' });
      const ms = performance.now() - t0;
      const relaxed = extractiveAnswer({ ...input, strictness: 'relaxed' });
      const strictHitStats =
        mode === 'hybrid'
          ? extractiveAnswer({ ...input, termStats: undefined, strictness: 'strict' })
          : undefined;
      outcomes.push({ mode, c, strict, relaxed, strictHitStats, ms });
    }
  }
}
const groups = [...new Set(outcomes.map((o) => o.c.collection))];

const rate = (xs: readonly boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)} %`);
const quotesRelevant = (a: ExtractiveAnswer, rel: Set<string>, firstOnly: boolean) =>
  (firstOnly ? a.citations.slice(0, 1) : a.citations).some((x) => rel.has(x.documentId));
const quotesExpected = (a: ExtractiveAnswer, expected: string) =>
  a.citations.some((x) => expected.split('|').some((e) => x.quote.includes(e)));

interface Row {
  mode: Mode;
  group: string;
  inScope: number;
  other: number;
  generic: number;
  answerStrict: number;
  answerRelaxed: number;
  flaggedRelaxed: number;
  refuseOtherStrict: number;
  refuseOtherRelaxed: number;
  refuseGenericStrict: number;
  refuseGenericRelaxed: number;
  balancedAccuracyStrict: number;
  /** test collections: first / any citation is a relevant document; small KBs: a quote has the expected words */
  firstQuoteRelevant: number;
  anyQuoteRelevant: number;
  top1Relevant: number;
  top1RelevantWhenRefused: number;
  msPerAnswer: number;
}

const rows: Row[] = [];
for (const mode of MODES) {
  for (const group of groups) {
    const os_ = outcomes.filter((o) => o.mode === mode && o.c.collection === group);
    const inn = os_.filter((o) => o.c.kind === 'in');
    const other = os_.filter((o) => o.c.kind === 'other');
    const gen = os_.filter((o) => o.c.kind === 'generic');
    const answered = inn.filter((o) => o.strict.grounded);
    const refused = inn.filter((o) => !o.strict.grounded);
    const kb = inn.some((o) => o.c.expected);
    const good = (o: Outcome, first: boolean) =>
      o.c.expected ? quotesExpected(o.strict, o.c.expected) : quotesRelevant(o.strict, o.c.relevant, first);
    const top1 = (o: Outcome) => !!o.c.hits[0] && o.c.relevant.has(o.c.hits[0].documentId);
    const answerStrict = rate(inn.map((o) => o.strict.grounded));
    rows.push({
      mode,
      group,
      inScope: inn.length,
      other: other.length,
      generic: gen.length,
      answerStrict,
      answerRelaxed: rate(inn.map((o) => o.relaxed.grounded)),
      flaggedRelaxed: rate(inn.map((o) => o.relaxed.reason === 'weak_evidence')),
      refuseOtherStrict: rate(other.map((o) => !o.strict.grounded)),
      refuseOtherRelaxed: rate(other.map((o) => !o.relaxed.grounded)),
      refuseGenericStrict: rate(gen.map((o) => !o.strict.grounded)),
      refuseGenericRelaxed: rate(gen.map((o) => !o.relaxed.grounded)),
      balancedAccuracyStrict: (answerStrict + rate([...other, ...gen].map((o) => !o.strict.grounded))) / 2,
      firstQuoteRelevant: rate(answered.map((o) => good(o, true))),
      anyQuoteRelevant: rate(answered.map((o) => good(o, false))),
      top1Relevant: kb ? NaN : rate(inn.map(top1)),
      top1RelevantWhenRefused: kb ? NaN : rate(refused.map(top1)),
      msPerAnswer: mean(os_.map((o) => o.ms)),
    });
  }
}

// Single features and the combined score as separators of in scope vs out of scope (hybrid search).
const NO_EVIDENCE: Evidence = {
  queryTerms: 0,
  quoteCoverage: 0,
  chunkCoverage: 0,
  matchedTerms: 0,
  unseenShare: 1,
  margin: 0,
  vectorTop: null,
  quoteCosine: null,
  vectorRankTop: null,
};
const evidenceOf = (o: Outcome) => o.strict.evidence ?? NO_EVIDENCE;
const FEATURES: { key: string; label: string; value: (e: Evidence, o: Outcome) => number }[] = [
  {
    key: 'topScore',
    label: 'top hit fused score (one fixed score)',
    value: (_e, o) => o.c.hits[0]?.score ?? -1e9,
  },
  {
    key: 'chunkCoverage',
    label: 'coverage of the best chunk (idf-weighted, soft)',
    value: (e) => e.chunkCoverage,
  },
  { key: 'quoteCoverage', label: 'coverage of the quotes (idf-weighted)', value: (e) => e.quoteCoverage },
  {
    key: 'unseenShare',
    label: '− share of question missing from the collection',
    value: (e) => -e.unseenShare,
  },
  { key: 'matchedTerms', label: 'question terms quoted', value: (e) => e.matchedTerms },
  { key: 'margin', label: 'score margin of the top hit over the rest', value: (e) => e.margin },
  {
    key: 'vectorTop',
    label: 'question–top chunk cosine (search vector score)',
    value: (e) => e.vectorTop ?? 0,
  },
  {
    key: 'quoteCosine',
    label: 'question–quote cosine (lexical pick agrees semantically)',
    value: (e) => e.quoteCosine ?? 0,
  },
  {
    key: 'vectorRankTop',
    label: '− vector rank of the top hit among the hits',
    value: (e) => -(e.vectorRankTop ?? 0),
  },
  { key: 'evidenceScore', label: '**evidence score (shipped model)**', value: (e) => evidenceScore(e) },
];
const aucGroups = groups.filter((g) => g !== 'kb-id');
const aucs = FEATURES.map((f) => ({
  key: f.key,
  label: f.label,
  ...Object.fromEntries(
    aucGroups.map((g) => [
      g,
      auc(
        outcomes
          .filter((o) => o.mode === 'hybrid' && o.c.collection === g)
          .map((o) => ({ score: f.value(evidenceOf(o), o), positive: o.c.kind === 'in' })),
      ),
    ]),
  ),
})) as ({ key: string; label: string } & Record<string, number>)[];

// Threshold sweep of the shipped score.
const scoreOf = (o: Outcome) => (evidenceOf(o).matchedTerms > 0 ? evidenceScore(evidenceOf(o)) : 0);
const sweep = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((t) => ({
  threshold: t,
  cells: Object.fromEntries(
    MODES.flatMap((mode) =>
      groups.map((g) => {
        const os_ = outcomes.filter((o) => o.mode === mode && o.c.collection === g);
        return [
          `${mode}:${g}`,
          {
            answer: rate(os_.filter((o) => o.c.kind === 'in').map((o) => scoreOf(o) >= t)),
            refuse: rate(os_.filter((o) => o.c.kind !== 'in').map((o) => scoreOf(o) < t)),
          },
        ];
      }),
    ),
  ) as Record<string, { answer: number; refuse: number }>,
}));

// The two models of evidence.ts: with the question–quote cosine (English) and lexical (Indonesian). The lexical
// one is fitted on every group as if no vectors existed (kb-id alone is too small). Cases refused before any
// evidence (no hits, no content words) are not the model's decision and are left out.
const MODELS = [
  { key: 'withVector' as const, mode: 'hybrid' as Mode, withVector: true },
  { key: 'lexical' as const, mode: 'keyword' as Mode, withVector: false },
];
const samplesOf = (m: (typeof MODELS)[number], pick: (g: string) => boolean): Sample[] =>
  outcomes
    .filter((o) => o.mode === m.mode && pick(o.c.collection) && o.strict.evidence)
    .filter((o) => !m.withVector || o.strict.evidence!.quoteCosine !== null)
    .map((o) => ({ group: o.c.collection, positive: o.c.kind === 'in', evidence: o.strict.evidence! }));
const decideWith = (w: Weights, s: Sample) =>
  s.evidence.matchedTerms > 0 && scoreWith(w, s.evidence) >= STRICT_THRESHOLD;
// The lexical model ignores the cosine even where it exists.
const shipped = (key: 'withVector' | 'lexical'): Weights => ({ ...EVIDENCE_MODEL[key] });
const heldOut = MODELS.flatMap((m) =>
  groups
    .filter((test) => samplesOf(m, (g) => g === test).length > 0)
    .map((test) => {
      const w = fitLogistic(
        samplesOf(m, (g) => g !== test),
        m.withVector,
        L2,
      );
      const te = samplesOf(m, (g) => g === test);
      return {
        model: m.key,
        heldOut: test,
        weights: w,
        answer: rate(te.filter((s) => s.positive).map((s) => decideWith(w, s))),
        refuse: rate(te.filter((s) => !s.positive).map((s) => !decideWith(w, s))),
        shippedAnswer: rate(te.filter((s) => s.positive).map((s) => decideWith(shipped(m.key), s))),
        shippedRefuse: rate(te.filter((s) => !s.positive).map((s) => !decideWith(shipped(m.key), s))),
      };
    }),
);
const pooled = MODELS.map((m) => ({
  model: m.key,
  weights: fitLogistic(
    samplesOf(m, () => true),
    m.withVector,
    L2,
  ),
}));

// What the caller loses by not passing the collection's term statistics.
const withoutStats = groups.map((g) => {
  const os_ = outcomes.filter((o) => o.mode === 'hybrid' && o.c.collection === g);
  const inn = os_.filter((o) => o.c.kind === 'in');
  const out = os_.filter((o) => o.c.kind !== 'in');
  return {
    group: g,
    answer: rate(inn.map((o) => o.strict.grounded)),
    refuse: rate(out.map((o) => !o.strict.grounded)),
    answerHitStats: rate(inn.map((o) => !!o.strictHitStats?.grounded)),
    refuseHitStats: rate(out.map((o) => !o.strictHitStats?.grounded)),
  };
});

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
} catch {
  // not a git checkout
}
const totalSeconds = (performance.now() - started) / 1000;
const resultsDir = path.join(root, 'bench/results');
fs.mkdirSync(resultsDir, { recursive: true });
fs.writeFileSync(
  path.join(resultsDir, 'answer.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit,
      cpu,
      node: process.version,
      model: EVIDENCE_MODEL,
      thresholds: { strict: STRICT_THRESHOLD, relaxed: RELAXED_THRESHOLD },
      search: SEARCH,
      genericQuestions: GENERIC_QUESTIONS,
      rows,
      aucs,
      sweep,
      heldOut,
      pooled,
      withoutStats,
      l2: L2,
      seconds: totalSeconds,
    },
    null,
    2,
  ) + '\n',
);

const fmtW = (w: Weights) =>
  `${w.bias.toFixed(2)} + ${w.coverage.toFixed(2)}·coverage ${w.unseen.toFixed(2)}·missing + ${w.vector.toFixed(2)}·cosine + ${w.matched.toFixed(2)}·ln(1+quoted terms)`;
const outCell = (strict: number, relaxed: number, n: number) =>
  n ? `${pct(strict)} / ${pct(relaxed)} (n ${n})` : '–';
const md: string[] = [
  '# Extractive answers: answer what the documents hold, refuse what they do not',
  '',
  "Test collections: in scope = the collection's own queries with relevant documents; out of scope = the other",
  `collection's queries ("other") and ${GENERIC_QUESTIONS.length} generic questions (chit-chat, trivia, shop questions, 2 Indonesian).`,
  'kb-en / kb-id: a small pawnshop knowledge base (5 / 4 documents) with short customer questions written for it',
  '(bench/answer/kb-questions.ts): answerable ones, and ones it cannot answer that often share words with it.',
  `Search ${SEARCH.mode} (and keyword), top ${SEARCH.topK}. Strict answers need evidence score ≥ ${STRICT_THRESHOLD}; relaxed also answers from`,
  `${RELAXED_THRESHOLD}, flagged as weak. "quote right": share of strict answers whose first (any) citation is a relevant`,
  'document (qrels) — for kb-*, whose quotes contain the expected answer words. "P@1": top search hit relevant, over',
  'all in-scope queries / over the in-scope queries the responder refused.',
  '',
  '| search | group | in scope | answered strict | answered relaxed (flagged) | refused other strict / relaxed | refused generic strict / relaxed | balanced acc. strict | quote right: first / any | P@1 all / refused | ms/answer |',
  '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.group} | ${r.inScope} | ${pct(r.answerStrict)} | ${pct(r.answerRelaxed)} (${pct(r.flaggedRelaxed)}) | ${outCell(r.refuseOtherStrict, r.refuseOtherRelaxed, r.other)} | ${outCell(r.refuseGenericStrict, r.refuseGenericRelaxed, r.generic)} | ${pct(r.balancedAccuracyStrict)} | ${pct(r.firstQuoteRelevant)} / ${pct(r.anyQuoteRelevant)} | ${pct(r.top1Relevant)} / ${pct(r.top1RelevantWhenRefused)} | ${r.msPerAnswer.toFixed(2)} |`,
  ),
  '',
  'A responder that always quotes its best match would answer 100 % in scope and refuse 0 % out of scope.',
  'Indonesian text has no word vectors, so kb-id is keyword search and the lexical model whatever the mode.',
  'Every row is in-sample: the shipped weights were fitted on all four groups. The held-out table below is the',
  'honest estimate for unseen data. On the test collections "quote right" is bounded by retrieval (compare P@1):',
  'the responder quotes the best passage it is given, it does not find a better one.',
  '',
  '## Which evidence separates in scope from out of scope (ROC AUC, hybrid search)',
  '',
  `| feature | ${aucGroups.join(' | ')} |`,
  `|---|${aucGroups.map(() => '--:').join('|')}|`,
  ...aucs.map((a) => `| ${a.label} | ${aucGroups.map((g) => a[g]!.toFixed(3)).join(' | ')} |`),
  '',
  '## Held-out check: refit without one group, apply to it (strict threshold)',
  '',
  '| model | held-out group | refit without it: answered / refused | shipped (fitted with it): answered / refused | weights fitted without it |',
  '|---|---|--:|--:|---|',
  ...heldOut.map(
    (h) =>
      `| ${h.model} | ${h.heldOut} | ${pct(h.answer)} / ${pct(h.refuse)} | ${pct(h.shippedAnswer)} / ${pct(h.shippedRefuse)} | ${fmtW(h.weights)} |`,
  ),
  '',
  ...pooled.map((p) => `- pooled refit, ${p.model} (L2 ${L2}): ${fmtW(p.weights)}`),
  ...MODELS.map((m) => `- shipped, ${m.key}: ${fmtW(EVIDENCE_MODEL[m.key])}`),
  '',
  "## Without the collection's term statistics (estimated from the hits; strict, hybrid)",
  '',
  '| group | collection statistics: answered / refused | hit statistics: answered / refused |',
  '|---|--:|--:|',
  ...withoutStats.map(
    (w) =>
      `| ${w.group} | ${pct(w.answer)} / ${pct(w.refuse)} | ${pct(w.answerHitStats)} / ${pct(w.refuseHitStats)} |`,
  ),
  '',
  '## Threshold sweep of the shipped score (answered in scope / refused out of scope)',
  '',
  `| threshold | ${MODES.flatMap((m) => groups.map((g) => `${m} ${g}`)).join(' | ')} |`,
  `|--:|${MODES.flatMap(() => groups.map(() => '--:')).join('|')}|`,
  ...sweep.map((s) => {
    const label =
      s.threshold === STRICT_THRESHOLD ? ' (strict)' : s.threshold === RELAXED_THRESHOLD ? ' (relaxed)' : '';
    const cells = MODES.flatMap((m) =>
      groups.map((g) => `${pct(s.cells[`${m}:${g}`]!.answer)} / ${pct(s.cells[`${m}:${g}`]!.refuse)}`),
    );
    return `| ${s.threshold.toFixed(1)}${label} | ${cells.join(' | ')} |`;
  }),
  '',
  `${new Date().toISOString()} · commit ${commit} · ${cpu} × ${os.cpus().length} · Node ${process.version} · whole bench ${totalSeconds.toFixed(1)} s`,
  '',
];
fs.writeFileSync(path.join(resultsDir, 'answer.md'), md.join('\n'));
process.stdout.write(md.join('\n'));
