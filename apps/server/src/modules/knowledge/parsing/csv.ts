import { parse } from 'csv-parse/sync';
import { ParseError } from './errors.ts';

/**
 * CSV → one record per row, each written as "header: value" pairs, so every row reads on its own once chunked
 * (a bare row like "3,Jakarta,12" means nothing to a search engine or an LLM without its headers).
 * Records are separated by a blank line: the chunker treats each as a paragraph and does not cut inside one.
 */

/** Past this many rows the rest is dropped with a warning; a spreadsheet export is not prose. */
export const MAX_CSV_ROWS = 100_000;

/** Picks the delimiter that splits the first lines most consistently (Excel in id-ID writes ";"). */
export function guessDelimiter(text: string, filename: string): string {
  if (/\.tsv$/i.test(filename)) return '\t';
  const sample = text.split('\n', 20).filter((l) => l.trim());
  let best = ',';
  let bestScore = 0;
  for (const d of [',', ';', '\t', '|']) {
    const counts = sample.map((l) => countOutsideQuotes(l, d));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    // Consistent column counts across lines matter more than a high count on one line.
    const consistent = counts.filter((c) => c === first).length;
    const score = consistent * 1000 + first;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

function countOutsideQuotes(line: string, d: string) {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

export function parseCsv(text: string, filename: string) {
  const delimiter = guessDelimiter(text, filename);
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      to: MAX_CSV_ROWS + 1, // header + MAX rows; stop parsing early on huge files
    }) as string[][];
  } catch (err) {
    throw new ParseError('corrupt', `The CSV cannot be parsed: ${(err as Error).message}`, { cause: err });
  }
  const warnings: string[] = [];
  const [header, ...records] = rows;
  if (!header || records.length === 0) throw new ParseError('empty', 'The CSV has no data rows');
  const names = header.map((h, i) => h || `column ${i + 1}`);
  if (records.length >= MAX_CSV_ROWS) warnings.push(`Only the first ${MAX_CSV_ROWS} rows were read`);
  const text2 = records
    .map((r) =>
      r
        .map((v, i) => (v ? `${names[i] ?? `column ${i + 1}`}: ${v.replace(/\s*\n\s*/g, ' ')}` : ''))
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n');
  return { pages: [{ page: 1, text: text2, ocr: false }], warnings, rows: records.length };
}
