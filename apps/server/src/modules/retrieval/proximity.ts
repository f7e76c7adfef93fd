// Term-proximity re-ranking of the lexical top candidates, after BM25TP (Rasolofo & Savoy 2003, "Term proximity
// scoring for keyword-based retrieval systems"): each pair of query terms that are adjacent in the query earns
//   w(a,b) · (k1 + 1) · tpi / (K(d) + tpi),   tpi = Σ over co-occurrences within `window` tokens of 1 / distance²,
// with K(d) the BM25 length normalisation and w(a,b) = min of the two terms' query weights × min idf. Documents
// where the query's words appear together (a phrase, a title quoted in the text) rise a little; the unigram
// BM25F ranking decides everything else. Positions are recomputed from the candidates' text (no positional index).
import { bm25Idf } from './bm25.ts';
import type { RetrievalIndex } from './index-store.ts';
import { isStopWord, stem, tokenize } from './text.ts';

export interface ProximityOptions {
  enabled: boolean;
  /** how many top lexical candidates are re-scored (default 50) */
  depth: number;
  /** maximum token distance counted (default 5) */
  window: number;
  /** multiplier of the proximity score (default 1, BM25TP's) */
  weight: number;
}

/** Term-id sequence of a document's tokens (title first, then body, with a gap so pairs never span fields). */
function termPositions(index: RetrievalIndex, slot: number, wanted: Set<number>): Map<number, number[]> {
  const doc = index.slots[slot]!;
  const positions = new Map<number, number[]>();
  let pos = 0;
  const scan = (text: string | undefined) => {
    if (!text) return;
    for (const tok of tokenize(text)) {
      pos++;
      if (isStopWord(tok, doc.language)) continue;
      const id = index.termIds.get(stem(tok, doc.language));
      if (id === undefined || !wanted.has(id)) continue;
      const list = positions.get(id);
      if (list) list.push(pos);
      else positions.set(id, [pos]);
    }
    pos += 100;
  };
  scan([doc.item.title ?? '', ...(doc.item.tags ?? [])].join(' '));
  scan(doc.item.text);
  return positions;
}

function pairInstances(a: number[], b: number[], window: number): number {
  let tpi = 0;
  let j = 0;
  for (const p of a) {
    while (j < b.length && b[j]! < p - window) j++;
    for (let k = j; k < b.length && b[k]! <= p + window; k++) {
      const d = Math.abs(b[k]! - p);
      if (d > 0) tpi += 1 / (d * d);
    }
  }
  return tpi;
}

/**
 * Proximity bonus per candidate slot. `pairs` are consecutive query terms (ids) in query order; `weights` the
 * final query weight of each original term.
 */
export function proximityScores(
  index: RetrievalIndex,
  slots: number[],
  pairs: [number, number][],
  weights: Map<number, number>,
  opts: ProximityOptions,
): Map<number, number> {
  const out = new Map<number, number>();
  if (pairs.length === 0) return out;
  const { k1, b } = index.options;
  const n = index.liveCount;
  const avgLen = (index.totalBodyLen + index.totalTitleLen) / Math.max(1, n) || 1;
  const wanted = new Set(pairs.flat());
  const pairWeight = pairs.map(([x, y]) => {
    const idf = Math.min(bm25Idf(n, index.postings[x]!.length), bm25Idf(n, index.postings[y]!.length));
    return Math.min(weights.get(x) ?? 0, weights.get(y) ?? 0) * idf * opts.weight;
  });
  for (const slot of slots) {
    const doc = index.slots[slot]!;
    const positions = termPositions(index, slot, wanted);
    const big = k1 * (1 - b + (b * (doc.lenBody + doc.lenTitle)) / avgLen);
    let score = 0;
    pairs.forEach(([x, y], i) => {
      const px = positions.get(x);
      const py = positions.get(y);
      if (!px || !py) return;
      const tpi = pairInstances(px, py, opts.window);
      if (tpi > 0) score += (pairWeight[i]! * (k1 + 1) * tpi) / (big + tpi);
    });
    if (score > 0) out.set(slot, score);
  }
  return out;
}
