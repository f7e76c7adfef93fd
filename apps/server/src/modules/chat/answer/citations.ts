// Citations of a model's answer: its [n] / [n, m] markers resolved against the numbered sources it was given.
import type { Citation } from './answer.types.ts';
import type { Source } from './context.ts';

// [1], [1, 3], [1; 3], [1,2,3], and ranges [2-4] / [2–4]. Markdown links "[1](…)" count as citations too.
const MARKER_RE = /\[(\d{1,3}(?:\s*[-–]\s*\d{1,3})?(?:\s*[,;]\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?)*)\]/g;
// Code is not prose: `arr[1]` in a code block or inline code is an index, not a citation.
const CODE_RE = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;
/** A range wider than this is a typo or not a citation; it is ignored rather than citing everything. */
const MAX_RANGE = 10;

/** Source numbers in the order the answer first cites them, deduplicated; numbers without a source are ignored. */
export function citedNumbers(text: string, sourceCount: number): number[] {
  const prose = text.replace(CODE_RE, (m) => ' '.repeat(m.length));
  const seen = new Set<number>();
  for (const m of prose.matchAll(MARKER_RE)) {
    for (const part of m[1]!.split(/[,;]/)) {
      const [a, b] = part.split(/[-–]/).map((x) => Number(x.trim()));
      const from = a!;
      const to = b ?? from;
      if (to < from || to - from > MAX_RANGE) continue;
      for (let n = from; n <= to; n++) if (n >= 1 && n <= sourceCount) seen.add(n);
    }
  }
  return [...seen];
}

/** Citations for the markers of a model's answer, in order of first citation; the quote is the source's text. */
export function parseCitations(text: string, sources: readonly Source[]): Citation[] {
  const byN = new Map(sources.map((s) => [s.n, s]));
  const max = Math.max(0, ...sources.map((s) => s.n));
  return citedNumbers(text, max).flatMap((n) => {
    const s = byN.get(n);
    if (!s) return [];
    return [
      {
        n,
        chunkId: s.chunkId,
        documentId: s.documentId,
        documentTitle: s.documentTitle,
        page: s.page,
        quote: s.text,
        charStart: s.charStart,
        // A source cut to fit the budget was sent only in part: highlight what the model saw.
        charEnd:
          s.text.length < s.charEnd - s.charStart ? s.charStart + s.text.replace(/…$/, '').length : s.charEnd,
      },
    ];
  });
}
