// Sentence spans of a chunk for quoting: Intl.Segmenter (UAX #29) plus two repairs it needs on document text.
// Spans are offsets into the chunk text, so a quote is always `text.slice(start, end)`: verbatim by construction.
import type { Language } from '../../retrieval/text.ts';

export interface SentenceSpan {
  start: number;
  end: number;
}

/** Longer "sentences" (tables, lists without punctuation, run-on OCR text) are quoted in pieces of about this size. */
export const MAX_SENTENCE_CHARS = 420;

const segmenters = new Map<Language, Intl.Segmenter>();
function segmenter(language: Language): Intl.Segmenter {
  let s = segmenters.get(language);
  if (!s) segmenters.set(language, (s = new Intl.Segmenter(language, { granularity: 'sentence' })));
  return s;
}

// A full stop with whitespace before it is never an abbreviation ("wing . an experimental study"): UAX #29 does
// not break there because a lowercase word follows, so lowercased or tokenised corpora would be one long sentence.
const SPACED_STOP_RE = /\s[.!?]+(?=\s)/g;
const TERMINAL_RE = /[.!?:;"'”’)\]]\s*$/u;
const STARTS_LOWER_RE = /^\s*\p{Ll}/u;
const WORD_RE = /[\p{L}\p{N}]/u;
// "Dr. Smith": a lone short word with a dot is an abbreviation, not a sentence of its own.
const ABBREVIATION_RE = /^[\p{L}.]{1,5}\.$/u;

function trimSpan(text: string, start: number, end: number): SentenceSpan {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

/** Splits at word boundaries into pieces of at most `max` characters (a single longer word stays whole). */
function splitLong(text: string, span: SentenceSpan, max: number): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  let start = span.start;
  while (span.end - start > max) {
    let cut = text.lastIndexOf(' ', start + max);
    if (cut <= start) cut = text.indexOf(' ', start + max);
    if (cut < 0 || cut >= span.end) break;
    out.push(trimSpan(text, start, cut));
    start = cut;
  }
  out.push(trimSpan(text, start, span.end));
  return out.filter((s) => s.end > s.start);
}

/**
 * Sentence spans of `text`, in order, whitespace trimmed. Repairs over plain Intl.Segmenter:
 * - a line break inside a sentence (PDF text wraps lines) does not end it when the next line starts in lowercase;
 * - a stop preceded by whitespace ends a sentence even before a lowercase word;
 * - a lone abbreviation ("Dr.") and fragments without a letter or digit join their neighbour;
 * - over-long sentences are cut at spaces.
 */
export function splitSentences(text: string, language: Language, max = MAX_SENTENCE_CHARS): SentenceSpan[] {
  const raw: SentenceSpan[] = [];
  for (const seg of segmenter(language).segment(text)) {
    const start = seg.index;
    const end = start + seg.segment.length;
    const prev = raw[raw.length - 1];
    const prevText = prev ? text.slice(prev.start, prev.end) : '';
    const wrappedLine =
      prev &&
      /[^\n]\n$/.test(prevText) &&
      !TERMINAL_RE.test(prevText.trimEnd()) &&
      STARTS_LOWER_RE.test(seg.segment);
    const abbreviation = prev && ABBREVIATION_RE.test(prevText.trim());
    if (prev && (wrappedLine || abbreviation || !WORD_RE.test(seg.segment))) prev.end = end;
    else raw.push({ start, end });
  }
  const out: SentenceSpan[] = [];
  for (const span of raw) {
    let start = span.start;
    const piece = text.slice(span.start, span.end);
    for (const m of piece.matchAll(SPACED_STOP_RE)) {
      const cut = span.start + m.index + m[0].length;
      out.push(trimSpan(text, start, cut));
      start = cut;
    }
    out.push(trimSpan(text, start, span.end));
  }
  return out
    .filter((s) => s.end > s.start && WORD_RE.test(text.slice(s.start, s.end)))
    .flatMap((s) => (s.end - s.start > max ? splitLong(text, s, max) : [s]));
}
