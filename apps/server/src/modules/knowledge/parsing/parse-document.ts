import { parseCsv } from './csv.ts';
import { parseDocx } from './docx.ts';
import { ParseError } from './errors.ts';
import { parseHtml } from './html.ts';
import { parseImage } from './image.ts';
import { parseJson } from './json.ts';
import { parsePdf } from './pdf.ts';
import { decodeText, detectDocument, type Sniffed } from './sniff.ts';
import { parseText } from './text.ts';
import type { ParsedDocument, ParsedPage, ParseOptions } from './types.ts';

export type { ParsedDocument, ParsedPage, ParseOptions } from './types.ts';
export { ParseError, type ParseErrorCode } from './errors.ts';

/** Enough for long manuals; the ingestion target is a 1,000-page PDF in ≤ 60 s. */
export const DEFAULT_MAX_PAGES = 2000;

/**
 * Bytes → per-page text. The type is sniffed from the content (the filename only picks among text formats);
 * every failure is a ParseError with a stable code, never an untyped crash.
 */
export async function parseDocument(bytes: Uint8Array, opts: ParseOptions): Promise<ParsedDocument> {
  const progress = progressReporter(opts.onProgress);
  progress(0);
  const sniffed = await detectDocument(bytes, opts.filename, opts.declaredMime);
  const warnings = mimeMismatch(sniffed, opts.declaredMime);
  let result: { title?: string; pages: ParsedPage[]; warnings: string[] };
  try {
    result = await parseByKind(bytes, sniffed, opts, progress);
  } catch (err) {
    if (err instanceof ParseError) throw err;
    // Library bugs on hostile input (stack overflows, odd exceptions) are still "this file is broken".
    throw new ParseError('corrupt', `The ${sniffed.kind.toUpperCase()} cannot be parsed: ${String(err)}`, {
      cause: err,
    });
  }
  if (!result.pages.some((p) => p.text.trim())) {
    const why = result.warnings.length ? ` (${result.warnings.join('; ')})` : '';
    throw new ParseError('empty', `No text could be extracted from the document${why}`);
  }
  progress(100);
  return {
    kind: sniffed.kind,
    mime: sniffed.mime,
    ...(result.title ? { title: result.title } : {}),
    pages: result.pages,
    warnings: [...warnings, ...result.warnings],
  };
}

async function parseByKind(
  bytes: Uint8Array,
  sniffed: Sniffed,
  opts: ParseOptions,
  progress: (pct: number) => void,
): Promise<{ title?: string; pages: ParsedPage[]; warnings: string[] }> {
  const ocr = opts.ocr ?? true;
  switch (sniffed.kind) {
    case 'pdf':
      return parsePdf(bytes, {
        maxPages: opts.maxPages ?? DEFAULT_MAX_PAGES,
        ocr,
        // Page extraction is the whole job for a PDF: map it onto 1–99.
        onProgress: (f) => progress(1 + Math.floor(f * 98)),
      });
    case 'docx':
      return parseDocx(bytes);
    case 'image':
      return parseImage(bytes, { ocr });
    default: {
      const text = decodeText(bytes);
      // The sniffer only checked the head of the file; a bad byte further on lands here.
      if (text === null) throw new ParseError('unsupported_type', 'The file is not valid UTF-8 text');
      switch (sniffed.kind) {
        case 'html':
          return htmlResult(text);
        case 'csv':
          return parseCsv(text, opts.filename);
        case 'json':
          return parseJson(text);
        case 'markdown':
        case 'text':
          return parseText(text, sniffed.kind);
      }
    }
  }
}

function htmlResult(html: string) {
  const { title, text } = parseHtml(html);
  return { title, pages: [{ page: 1, text, ocr: false }], warnings: [] };
}

function mimeMismatch(sniffed: Sniffed, declared?: string): string[] {
  const d = declared?.split(';')[0]?.trim().toLowerCase();
  if (!d || d === 'application/octet-stream' || d === sniffed.mime) return [];
  // Text flavours are decided by extension anyway; only warn when the claimed family differs (pdf vs image…).
  const family = (m: string) => (m.startsWith('text/') || m === 'application/json' ? 'text' : m);
  if (family(d) === family(sniffed.mime)) return [];
  return [`The file was declared as ${d} but its content is ${sniffed.mime}`];
}

/** Integer percentages, never going backwards, each value reported once; callback errors do not break parsing. */
function progressReporter(cb?: (pct: number) => void) {
  let last = -1;
  return (pct: number) => {
    const v = Math.max(0, Math.min(100, Math.floor(pct)));
    if (!cb || v <= last) return;
    last = v;
    try {
      cb(v);
    } catch {
      // a failing progress sink (e.g. a DB write) must not abort the parse
    }
  };
}
