// Partial credit for a question word the passage does not contain but says differently ("rate" ~ "interest",
// "repay" ~ "repaid", "weekend" ~ "Saturday"), from the embedder's English word vectors. Without it a short
// question phrased in other words than the document looks out of scope; with a cosine floor, unrelated words
// ("car" vs "gold": 0.31) get none. English only: Indonesian words have no vectors and match exactly or not at all.
import { loadWordVectors, lookupWord } from '../../retrieval/embedder.ts';

/** Cosine at or below which a word gets no credit, and from which it gets full credit. */
export const SOFT_FLOOR = 0.6;
export const SOFT_FULL = 0.85;

function row(word: string): number {
  return lookupWord(word) ?? -1;
}

/** Cosine of two rows of the word-vector table (int8 vectors: the per-row scale cancels out). */
function rowCosine(a: number, b: number): number {
  const t = loadWordVectors();
  const { dims, vectors, invNorms } = t;
  let dot = 0;
  for (let d = 0, i = a * dims, j = b * dims; d < dims; d++, i++, j++) dot += vectors[i]! * vectors[j]!;
  return dot * invNorms[a]! * invNorms[b]!;
}

export function creditOf(cosine: number): number {
  return Math.min(1, Math.max(0, (cosine - SOFT_FLOOR) / (SOFT_FULL - SOFT_FLOOR)));
}

/**
 * For each word, the passage words it gets credit from (credit > 0) with that credit; empty for words without a
 * vector. `passageWords` should be content words (stop words carry no meaning to match).
 */
export function creditTable(words: readonly string[], passageWords: Iterable<string>): Map<string, number>[] {
  const passage = [...new Set(passageWords)].map((w) => [w, row(w)] as const).filter(([, r]) => r >= 0);
  return words.map((w) => {
    const out = new Map<string, number>();
    const r = row(w);
    if (r < 0) return out;
    for (const [pw, pr] of passage) {
      const c = pr === r ? 1 : creditOf(rowCosine(r, pr));
      if (c > 0) out.set(pw, c);
    }
    return out;
  });
}

/** Best credit (0..1) of each word against some passage words, through a creditTable. */
export function bestCredits(
  table: readonly Map<string, number>[],
  passageWords: readonly string[],
): number[] {
  return table.map((m) => {
    let best = 0;
    if (m.size) for (const w of passageWords) best = Math.max(best, m.get(w) ?? 0);
    return best;
  });
}
