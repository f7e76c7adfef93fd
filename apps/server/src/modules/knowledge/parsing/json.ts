import { ParseError } from './errors.ts';

/**
 * JSON → flattened "path: value" lines (e.g. `products[2].price: 15000`). Every line carries its full path, so a
 * chunk cut from the middle of a big document still says what each value is — pretty-printed JSON would leave
 * a chunk of bare `"price": 15000` lines without their context. Elements of a top-level array (the common
 * "list of records" export) are separated by blank lines so the chunker keeps each record together.
 */

const MAX_DEPTH = 64;
const MAX_LINES = 200_000;

function key(path: string, k: string) {
  const safe = /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(k) ? k : JSON.stringify(k);
  return path ? `${path}.${safe}` : safe;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\s*\n\s*/g, ' ');
  return String(v);
}

export function flattenJson(value: unknown): { text: string; truncated: boolean } {
  const lines: string[] = [];
  let truncated = false;
  const walk = (v: unknown, path: string, depth: number) => {
    if (lines.length >= MAX_LINES) {
      truncated = true;
      return;
    }
    if (v === null || typeof v !== 'object') {
      lines.push(`${path || '(value)'}: ${scalar(v)}`);
      return;
    }
    if (depth >= MAX_DEPTH) {
      lines.push(`${path}: ${JSON.stringify(v).slice(0, 500)}`);
      return;
    }
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [`${path}[${i}]`, x])
      : Object.entries(v).map(([k, x]) => [key(path, k), x]);
    if (entries.length === 0) lines.push(`${path || '(value)'}: ${Array.isArray(v) ? '[]' : '{}'}`);
    for (const [p, x] of entries) {
      // Blank line between the records of a top-level array: a paragraph per record.
      if (depth === 0 && Array.isArray(v) && lines.length > 0) lines.push('');
      walk(x, p, depth + 1);
    }
  };
  walk(value, '', 0);
  return { text: lines.join('\n'), truncated };
}

export function parseJson(text: string) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParseError('corrupt', `The JSON is invalid: ${(err as Error).message}`, { cause: err });
  }
  const { text: flat, truncated } = flattenJson(value);
  const warnings = truncated ? [`Only the first ${MAX_LINES} values were read`] : [];
  return { pages: [{ page: 1, text: flat, ocr: false }], warnings };
}
