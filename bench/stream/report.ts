// The markdown of bench/stream: Kawan's added latency per run against the target, then the raw percentiles.
import fs from 'node:fs';
import type { Added, KindSummary } from './stats.ts';
import type { PhaseStats } from './run.ts';

export interface RunReport {
  run: number;
  db: string;
  loadAverage: { before: number[]; after: number[] };
  direct: KindSummary;
  kawan: KindSummary;
  added: Added;
  phases: PhaseStats[];
  llmServerCounters: Record<string, number> | null;
  warmupErrors: number;
}

interface Report {
  date: string;
  machine: { cpuModel: string; cpuCount: number; node: string };
  source: { commit: string; dirty: boolean } | null;
  params: {
    clients: number;
    turnsPerClient: number;
    rounds: number;
    rampMs: number;
    model: { ttftMs: number; itlMs: number; tokens: number };
    kawanLogLevel: string;
    cpuProfile: boolean;
  };
  target: { addedP50MsAtMost: number; addedP99MsAtMost: number; errors: number };
  runs: RunReport[];
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const signed = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(1)}` : '–');

function meets(r: RunReport, t: Report['target']): boolean {
  const a = r.added;
  return (
    r.kawan.errors + r.direct.errors <= t.errors &&
    Math.max(a.ttftP50, a.totalP50) <= t.addedP50MsAtMost &&
    Math.max(a.ttftP99, a.totalP99) <= t.addedP99MsAtMost
  );
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};

export function markdown(rep: Report): string {
  const t = rep.target;
  const p = rep.params;
  const lines = [
    `Kawan's added latency (Kawan percentile − direct percentile, ms; target p50 ≤ ${t.addedP50MsAtMost}, p99 ≤ ${t.addedP99MsAtMost}, ${t.errors} errors):`,
    '',
    '| run | database | load avg before | errors direct / kawan | first token p50 | first token p99 | total p50 | total p99 | paired first token p50 / p99 | paired total p50 / p99 | Kawan before the model call p50 / p99 | target |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rep.runs.map((r) => {
      const a = r.added;
      return (
        `| ${r.run} | ${r.db} | ${r.loadAverage.before[0]} | ${r.direct.errors} / ${r.kawan.errors} | ` +
        `${signed(a.ttftP50)} | ${signed(a.ttftP99)} | ${signed(a.totalP50)} | ${signed(a.totalP99)} | ` +
        `${signed(a.paired.ttft.p50)} / ${signed(a.paired.ttft.p99)} | ${signed(a.paired.total.p50)} / ${signed(a.paired.total.p99)} | ` +
        `${ms(a.kawanBeforeModel.p50)} / ${ms(a.kawanBeforeModel.p99)} | ${meets(r, t) ? 'met' : '**not met**'} |`
      );
    }),
    '',
    'Measured at the client (ms from just before `fetch` to the first content token / to the end of the stream):',
    '',
    '| run | database | path | requests | errors | first token p50 | p90 | p99 | max | total p50 | p90 | p99 | max | CPU cores: Kawan (main thread) / test server / bench · machine busy |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rep.runs.flatMap((r) =>
      (['direct', 'kawan'] as const).map((kind) => {
        const s = r[kind];
        const ph = r.phases.filter((x) => x.kind === kind);
        const main = mean(ph.map((x) => x.kawanThreads.find((t) => t.thread === 'main')?.cores ?? null));
        const cores =
          `${mean(ph.map((x) => x.kawanCores)).toFixed(2)} (main thread ${main.toFixed(2)}) / ` +
          `${mean(ph.map((x) => x.llmServerCores)).toFixed(2)} / ${mean(ph.map((x) => x.benchCores)).toFixed(2)} · ` +
          `${Math.round(mean(ph.map((x) => x.machineBusy)) * 100)} %`;
        const label = kind === 'direct' ? 'straight to the test server' : 'through Kawan';
        return (
          `| ${r.run} | ${r.db} | ${label} | ${s.requests} | ${s.errors} | ${ms(s.ttft.p50)} | ${ms(s.ttft.p90)} | ${ms(s.ttft.p99)} | ${ms(s.ttft.max)} | ` +
          `${ms(s.total.p50)} | ${ms(s.total.p90)} | ${ms(s.total.p99)} | ${ms(s.total.max)} | ${cores} |`
        );
      }),
    ),
    '',
    `${rep.date} · ${rep.source ? `commit ${rep.source.commit}${rep.source.dirty ? ' + local changes' : ''} · ` : ''}` +
      `${rep.machine.cpuModel} × ${rep.machine.cpuCount} · Node ${rep.machine.node} · test server: TTFT ${p.model.ttftMs} ms, ` +
      `${p.model.itlMs} ms between tokens, ${p.model.tokens} tokens · ${p.clients} concurrent clients × ${p.turnsPerClient} sequential turns ` +
      `per phase, starts spread over ${p.rampMs} ms, ${p.rounds} rounds of (direct, Kawan) alternating order after a warm-up turn each · ` +
      `Kawan LOG_LEVEL=${p.kawanLogLevel}${p.cpuProfile ? ', --cpu-prof (slower)' : ''}; a chatbot with one small document ` +
      `(hybrid search every turn), one conversation per client; load generator, test server and Kawan share the machine`,
  ];
  return lines.join('\n');
}

/** Rewrites the part of bench/README.md between the bench:stream markers. */
export async function updateReadme(file: string, section: string): Promise<void> {
  const start = '<!-- bench:stream:start -->';
  const end = '<!-- bench:stream:end -->';
  const text = fs.readFileSync(file, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    process.stderr.write(`[bench:stream] ${file} has no ${start} … ${end} markers; not updated\n`);
    return;
  }
  const updated = `${text.slice(0, i + start.length)}\n\n${section}\n\n${text.slice(j)}`;
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(updated, { ...options, filepath: file }));
}
