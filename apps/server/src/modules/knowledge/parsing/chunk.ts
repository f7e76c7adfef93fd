import { Tiktoken } from 'js-tiktoken/lite';
import cl100k_base from 'js-tiktoken/ranks/cl100k_base';

/**
 * Structure-aware, token-bounded chunking.
 *
 * - Tokens: cl100k_base (the tokenizer of OpenAI's text-embedding-3 models; close to what other embedders
 *   count). Only its ranks are loaded (js-tiktoken/lite), not every encoding.
 * - Defaults: 400 tokens per chunk, 60 tokens (15 %) of overlap: small enough for precise retrieval and several
 *   chunks per prompt, large enough to hold a paragraph with its context.
 * - Structure: a Markdown heading ("# …", which every parser emits for headings) starts a new chunk; chunks end
 *   preferably at paragraph ends, otherwise at sentence ends, otherwise at word boundaries. A chunk is never cut
 *   inside a word, except a single "word" longer than maxTokens (a base64 blob), which has to be.
 * - Offsets: charStart/charEnd index into the text of the chunk's page (UTF-16 code units, as JS strings), and
 *   `pages[i].text.slice(charStart, charEnd) === chunk.text` holds exactly. Chunks never span pages; the overlap
 *   is the tail of the previous chunk on the same page, so it lies inside [charStart, charEnd) too.
 * - heading: the nearest heading at or before the chunk (carried across pages), without its "#" marks.
 */

export const DEFAULT_MAX_TOKENS = 400;
export const DEFAULT_OVERLAP_TOKENS = 60;

export interface ChunkOptions {
  maxTokens?: number;
  overlapTokens?: number;
}

export interface Chunk {
  /** 0-based, in document order. */
  ordinal: number;
  page: number;
  charStart: number;
  charEnd: number;
  heading?: string;
  text: string;
  tokenCount: number;
}

let encoder: Tiktoken | undefined;
let pretokenize: RegExp | undefined;
/** Token counts of pretokenized pieces ("␣word", "123", ",\n"…); natural text repeats them constantly. */
const pieceCache = new Map<string, number>();
const PIECE_CACHE_MAX = 100_000;
/** BPE is quadratic in piece length; longer pieces (runs of spaces, dashes) are counted in slices. */
const MAX_PIECE = 256;

function countPiece(piece: string): number {
  let n = pieceCache.get(piece);
  if (n === undefined) {
    n = 0;
    // Slicing can only prevent merges, so for the rare giant piece this over-counts slightly: a safe bound.
    for (let k = 0; k < piece.length; k += MAX_PIECE) {
      n += encoder!.encode(piece.slice(k, k + MAX_PIECE), [], []).length;
    }
    if (pieceCache.size >= PIECE_CACHE_MAX) pieceCache.clear();
    pieceCache.set(piece, n);
  }
  return n;
}

/**
 * Token count under cl100k_base, equal to `encode(text).length`: tiktoken runs BPE on each piece of its
 * pretokenizer regex independently, so we split with that same regex and memoise per piece. This is ~10x
 * faster than encoding whole chunks again and again (js-tiktoken also rebuilds its regexes on every call).
 * The one exception, pieces over MAX_PIECE characters, is over-counted a little, which keeps maxTokens safe.
 * Special-token strings in user text count as plain text.
 */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(cl100k_base);
  pretokenize ??= new RegExp(cl100k_base.pat_str, 'gu');
  let n = 0;
  for (const m of text.matchAll(pretokenize)) n += countPiece(m[0]);
  return n;
}

interface Unit {
  start: number;
  end: number;
  tokens: number;
  /** First unit of a paragraph. */
  para: boolean;
  /** Heading text when the unit is a heading line. */
  heading?: string;
}

const HEADING = /^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Splits a page into units: heading lines, and sentences of paragraphs (over-long ones cut at word bounds). */
function segment(text: string, maxTokens: number): Unit[] {
  const units: Unit[] = [];
  const push = (start: number, end: number, para: boolean, heading?: string) => {
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (start >= end) return false;
    const slice = text.slice(start, end);
    // Long or blob-like runs go straight to the word splitter, which never tokenizes a giant word whole.
    const tokens = slice.length > maxTokens * 8 || HAS_GIANT_WORD.test(slice) ? Infinity : countTokens(slice);
    if (tokens <= maxTokens) units.push({ start, end, tokens, para, heading });
    else splitWords(text, start, end, maxTokens, para, units);
    return true;
  };
  // Paragraphs are separated by blank lines; within one, heading lines stand alone and break the paragraph.
  const paraRe = /\n[ \t]*\n/g;
  let pStart = 0;
  for (;;) {
    const m = paraRe.exec(text);
    const pEnd = m ? m.index : text.length;
    let first = true;
    let runStart = pStart;
    let lineStart = pStart;
    const flushRun = (end: number) => {
      if (runStart >= end) return;
      for (const s of sentenceSegmenter.segment(text.slice(runStart, end))) {
        if (push(runStart + s.index, runStart + s.index + s.segment.length, first)) first = false;
      }
    };
    while (lineStart <= pEnd) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0 || lineEnd > pEnd) lineEnd = pEnd;
      const h = HEADING.exec(text.slice(lineStart, lineEnd));
      if (h) {
        flushRun(lineStart);
        push(lineStart, lineEnd, true, h[1]!.trim());
        first = true; // text after a heading line is a new paragraph
        runStart = lineEnd;
      }
      lineStart = lineEnd + 1;
    }
    flushRun(pEnd);
    if (!m) break;
    pStart = m.index + m[0].length;
  }
  return units;
}

/**
 * Words longer than this are not words (base64, hashes, minified code): they are cut into byte-bounded pieces
 * (giantPieces) without tokenizing them whole, which for a long run would be slow and pointless.
 */
const GIANT_WORD = 64;
const HAS_GIANT_WORD = new RegExp(`\\S{${GIANT_WORD + 1}}`);

/** A sentence longer than maxTokens: cut between words; a single giant word is cut where it must be. */
function splitWords(text: string, start: number, end: number, maxTokens: number, para: boolean, out: Unit[]) {
  const words = [...text.slice(start, end).matchAll(/\S+/g)].map((w) => ({
    s: start + w.index,
    e: start + w.index + w[0].length,
  }));
  let cs = -1;
  let ce = -1;
  let tokens = 0;
  const add = (s: number, e: number, t: number) => {
    out.push({ start: s, end: e, tokens: t, para });
    para = false;
  };
  const emit = () => {
    if (cs >= 0) add(cs, ce, countTokens(text.slice(cs, ce)));
    cs = -1;
    tokens = 0;
  };
  for (const w of words) {
    const t = w.e - w.s > GIANT_WORD ? Infinity : countTokens(text.slice(w.s, w.e)) + 1; // +1: the joining space
    if (t > maxTokens) {
      emit();
      for (const [s, e] of giantPieces(text, w.s, w.e, maxTokens)) add(s, e, countTokens(text.slice(s, e)));
      continue;
    }
    if (cs >= 0 && tokens + t > maxTokens) emit();
    if (cs < 0) cs = w.s;
    ce = w.e;
    tokens += t;
  }
  emit();
}

/**
 * Cuts [s, e) into pieces of at most maxTokens UTF-8 bytes: a token is at least one byte, so each piece surely
 * fits, and the tokenizer only ever sees short strings. Pieces end on code point boundaries.
 */
function giantPieces(text: string, s: number, e: number, maxTokens: number): [number, number][] {
  const pieces: [number, number][] = [];
  let pieceStart = s;
  let bytes = 0;
  for (let k = s; k < e;) {
    const cp = text.codePointAt(k)!;
    const units = cp > 0xffff ? 2 : 1;
    const b = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + b > maxTokens) {
      pieces.push([pieceStart, k]);
      pieceStart = k;
      bytes = 0;
    }
    bytes += b;
    k += units;
  }
  pieces.push([pieceStart, e]);
  return pieces;
}

/**
 * Where the next chunk should start so that it repeats ≤ budget tokens of the previous one [cs, ce) made of
 * `own` units: the earliest sentence start that fits (if it gives at least half the budget), else the earliest
 * word start that fits. Always > cs, so a chunk is never repeated whole.
 */
function overlapStart(text: string, own: Unit[], cs: number, ce: number, budget: number): number | null {
  if (budget <= 0) return null;
  const fits = (p: number) => countTokens(text.slice(p, ce)) <= budget;
  // Walk sentence starts backwards from the chunk end while the suffix still fits.
  let best: number | null = null;
  for (let k = own.length - 1; k >= 0; k--) {
    const p = own[k]!.start;
    if (p <= cs || !fits(p)) break;
    best = p;
  }
  if (best !== null && countTokens(text.slice(best, ce)) >= budget / 2) return best;
  // Word starts in a window that surely covers `budget` tokens (a token is rarely more than ~8 characters).
  const from = Math.max(cs + 1, ce - budget * 12);
  const starts: number[] = [];
  for (let p = from; p < ce; p++) {
    if (!/\s/.test(text[p]!) && /\s/.test(text[p - 1]!)) starts.push(p);
  }
  let lo = 0;
  let hi = starts.length; // first index whose suffix fits (fitting is monotonic in p)
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(starts[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo < starts.length ? starts[lo]! : best;
}

/** Paragraph token totals, looked up by the index of the paragraph's first unit. */
function paragraphTokens(units: Unit[]): Map<number, number> {
  const totals = new Map<number, number>();
  let head = -1;
  units.forEach((u, i) => {
    if (u.para || u.heading !== undefined || head < 0) head = i;
    totals.set(head, (totals.get(head) ?? 0) + u.tokens + 1);
  });
  return totals;
}

export function chunkPages(pages: { page: number; text: string }[], opts: ChunkOptions = {}): Chunk[] {
  const maxTokens = Math.max(16, opts.maxTokens ?? DEFAULT_MAX_TOKENS);
  const overlap = Math.max(
    0,
    Math.min(opts.overlapTokens ?? DEFAULT_OVERLAP_TOKENS, Math.floor(maxTokens / 2)),
  );
  const chunks: Chunk[] = [];
  let heading: string | undefined;

  for (const { page, text } of pages) {
    const units = segment(text, maxTokens);
    const paraTotals = paragraphTokens(units);
    let i = 0;
    let ov: number | null = null; // overlap start carried into the next chunk
    while (i < units.length) {
      const chunkFirst = i;
      let cs: number = ov ?? units[i]!.start;
      let tokens = ov === null ? 0 : countTokens(text.slice(ov, units[i]!.start));
      let j = i;
      let onlyHeadings = true;
      while (j < units.length) {
        const u = units[j]!;
        if (j > i && u.heading !== undefined && !onlyHeadings) break; // a heading opens a new chunk
        const cost = u.tokens + (tokens > 0 ? 1 : 0);
        if (tokens + cost > maxTokens) {
          if (j === i && ov !== null) {
            // The overlap leaves no room for the next unit: drop the overlap, never the unit.
            ov = null;
            cs = u.start;
            tokens = 0;
            continue;
          }
          break;
        }
        // Prefer ending at a paragraph end once the chunk is half full and the next paragraph will not fit.
        if (j > i && u.para && tokens >= maxTokens / 2 && tokens + (paraTotals.get(j) ?? 0) > maxTokens)
          break;
        tokens += cost;
        if (u.heading === undefined) onlyHeadings = false;
        j++;
      }
      let ce = units[j - 1]!.end;
      let count = countTokens(text.slice(cs, ce));
      // The estimate above is conservative; this guards the rare case where real BPE counts more.
      while (count > maxTokens) {
        if (cs < units[i]!.start)
          cs = units[i]!.start; // first give up the overlap…
        else if (j - 1 > i)
          j--; // …then units from the end (a single unit always fits: see segment)
        else break;
        ce = units[j - 1]!.end;
        count = countTokens(text.slice(cs, ce));
      }
      for (let k = i; k < j; k++) if (units[k]!.heading !== undefined) heading = units[k]!.heading;
      chunks.push({
        ordinal: chunks.length,
        page,
        charStart: cs,
        charEnd: ce,
        ...(heading !== undefined ? { heading } : {}),
        text: text.slice(cs, ce),
        tokenCount: count,
      });
      i = j;
      const next = units[i];
      ov =
        next && next.heading === undefined
          ? overlapStart(
              text,
              units.slice(chunkFirst, j),
              cs,
              ce,
              Math.min(overlap, maxTokens - next.tokens - 1),
            )
          : null;
    }
  }
  return chunks;
}
