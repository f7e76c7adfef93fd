// Percentiles of the samples, Kawan's added latency (difference of percentiles, and the per-request paired view),
// and where Kawan's share of a first token went by its own clock.
import type { Kind, Sample } from './client.ts';

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Dist {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function dist(values: number[]): Dist {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p99: r(percentile(s, 99)),
    max: r(s.at(-1) ?? NaN),
    mean: r(mean),
  };
}

export interface KindSummary {
  requests: number;
  errors: number;
  /** distinct error messages with their counts */
  errorKinds: Record<string, number>;
  ttft: Dist;
  total: Dist;
}

export function summarise(samples: Sample[], kind: Kind): KindSummary {
  const mine = samples.filter((s) => s.kind === kind);
  const ok = mine.filter((s) => s.error === null);
  const errorKinds: Record<string, number> = {};
  for (const s of mine) {
    if (s.error === null) continue;
    const key = s.error.replace(/\d+(\.\d+)?/g, 'N').slice(0, 120);
    errorKinds[key] = (errorKinds[key] ?? 0) + 1;
  }
  return {
    requests: mine.length,
    errors: mine.length - ok.length,
    errorKinds,
    ttft: dist(ok.map((s) => s.ttftMs!)),
    total: dist(ok.map((s) => s.totalMs!)),
  };
}

export interface Added {
  /** Kawan's percentile minus the direct percentile, ms */
  ttftP50: number;
  ttftP99: number;
  totalP50: number;
  totalP99: number;
  /**
   * The same (round, client, turn) slot through Kawan minus straight to the test server. The two requests ran
   * in different phases, so each difference also carries the noise of both: its p99 is an upper bound.
   */
  paired: { ttft: Dist; total: Dist };
  /**
   * Kawan's own clock, per request: client-seen first token minus the first token as Kawan's model call saw
   * it = what Kawan spends before it calls the model (auth, conversation, history, the turn's writes, search,
   * context) plus relaying the first token; upstreamTtft is the model's TTFT measured inside Kawan.
   */
  kawanBeforeModel: Dist;
  upstreamTtft: Dist;
}

export function added(samples: Sample[], direct: KindSummary, kawan: KindSummary): Added {
  const r = (n: number) => Math.round(n * 100) / 100;
  const key = (s: Sample) => `${s.round}:${s.client}:${s.turn}`;
  const directBySlot = new Map(
    samples.filter((s) => s.kind === 'direct' && !s.error).map((s) => [key(s), s]),
  );
  const ttft: number[] = [];
  const total: number[] = [];
  const before: number[] = [];
  const upstream: number[] = [];
  for (const s of samples) {
    if (s.kind !== 'kawan' || s.error) continue;
    if (s.kawanUpstreamTtftMs != null) {
      before.push(s.ttftMs! - s.kawanUpstreamTtftMs);
      upstream.push(s.kawanUpstreamTtftMs);
    }
    const d = directBySlot.get(key(s));
    if (!d) continue;
    ttft.push(s.ttftMs! - d.ttftMs!);
    total.push(s.totalMs! - d.totalMs!);
  }
  return {
    ttftP50: r(kawan.ttft.p50 - direct.ttft.p50),
    ttftP99: r(kawan.ttft.p99 - direct.ttft.p99),
    totalP50: r(kawan.total.p50 - direct.total.p50),
    totalP99: r(kawan.total.p99 - direct.total.p99),
    paired: { ttft: dist(ttft), total: dist(total) },
    kawanBeforeModel: dist(before),
    upstreamTtft: dist(upstream),
  };
}
