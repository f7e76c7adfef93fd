import { fileTypeFromBuffer } from 'file-type';
import { ParseError } from './errors.ts';
import { isZip, zipEntryNames } from './zip.ts';

/**
 * Decides what a file is from its bytes. The client's filename and MIME are never trusted for binary formats
 * (a PNG named report.pdf is an image); for text formats — which have no magic number — the extension decides
 * between CSV/JSON/HTML/Markdown/plain text, but only once the bytes are known to be valid, NUL-free text.
 */

export type DocumentKind = 'pdf' | 'docx' | 'image' | 'html' | 'csv' | 'json' | 'markdown' | 'text';

export interface Sniffed {
  kind: DocumentKind;
  /** The MIME type we stand behind (from content), e.g. stored as documents.mime_type. */
  mime: string;
}

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/webp']);

const TEXT_KIND_BY_EXT: Record<string, Sniffed> = {
  csv: { kind: 'csv', mime: 'text/csv' },
  tsv: { kind: 'csv', mime: 'text/tab-separated-values' },
  json: { kind: 'json', mime: 'application/json' },
  html: { kind: 'html', mime: 'text/html' },
  htm: { kind: 'html', mime: 'text/html' },
  xhtml: { kind: 'html', mime: 'text/html' },
  md: { kind: 'markdown', mime: 'text/markdown' },
  markdown: { kind: 'markdown', mime: 'text/markdown' },
  txt: { kind: 'text', mime: 'text/plain' },
  text: { kind: 'text', mime: 'text/plain' },
  log: { kind: 'text', mime: 'text/plain' },
  rst: { kind: 'text', mime: 'text/plain' },
  xml: { kind: 'text', mime: 'text/plain' },
  yaml: { kind: 'text', mime: 'text/plain' },
  yml: { kind: 'text', mime: 'text/plain' },
};

/** For files without an extension (e.g. fetched URLs) the declared MIME may pick the text flavour. */
const TEXT_KIND_BY_MIME: Record<string, Sniffed> = {
  'text/csv': TEXT_KIND_BY_EXT.csv!,
  'text/tab-separated-values': TEXT_KIND_BY_EXT.tsv!,
  'application/json': TEXT_KIND_BY_EXT.json!,
  'text/html': TEXT_KIND_BY_EXT.html!,
  'application/xhtml+xml': TEXT_KIND_BY_EXT.html!,
  'text/markdown': TEXT_KIND_BY_EXT.md!,
  'text/plain': TEXT_KIND_BY_EXT.txt!,
};

export function extensionOf(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes text strictly: UTF-8 (BOM dropped) or UTF-16 with a BOM. Returns null for anything else, including
 * text containing NUL, which in practice means a binary file that happens to decode.
 */
export function decodeText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe)
      text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    else if (bytes[0] === 0xfe && bytes[1] === 0xff)
      text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    else text = utf8.decode(bytes); // TextDecoder strips a UTF-8 BOM by default
  } catch {
    return null;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.includes('\0') ? null : text;
}

const looksLikeHtml = (text: string) => /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>])/i.test(text);

function sniffText(bytes: Uint8Array, filename: string, declaredMime?: string): Sniffed | null {
  // Only the first 64 KiB is checked here (uploads can be large); the parser decodes the whole file strictly.
  const head = bytes.subarray(0, 64 * 1024);
  const probe = head.length < bytes.length ? trimPartialUtf8(head) : head;
  if (decodeText(probe) === null) return null;
  const ext = extensionOf(filename);
  if (ext) return TEXT_KIND_BY_EXT[ext] ?? null;
  const byMime = declaredMime
    ? TEXT_KIND_BY_MIME[declaredMime.split(';')[0]!.trim().toLowerCase()]
    : undefined;
  if (byMime) return byMime;
  return looksLikeHtml(new TextDecoder().decode(probe.subarray(0, 2048)))
    ? TEXT_KIND_BY_EXT.html!
    : TEXT_KIND_BY_EXT.txt!;
}

/** Cuts a truncated multi-byte UTF-8 sequence off the end of a prefix so the strict decoder does not reject it. */
function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (b[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  return i >= 0 && b[i]! >= 0xc0 ? b.subarray(0, i) : b;
}

function sniffMagic(b: Uint8Array): Sniffed | 'zip' | null {
  const at = (off: number, s: string) => [...s].every((c, i) => b[off + i] === c.charCodeAt(0));
  // Header at offset 0 only: a text file that merely mentions "%PDF-" early on must stay text.
  if (at(0, '%PDF-')) return { kind: 'pdf', mime: 'application/pdf' };
  if (b[0] === 0x89 && at(1, 'PNG\r\n\x1a\n')) return { kind: 'image', mime: 'image/png' };
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'image', mime: 'image/jpeg' };
  if (at(0, 'RIFF') && at(8, 'WEBP')) return { kind: 'image', mime: 'image/webp' };
  if (isZip(b)) return 'zip';
  return null;
}

/** A zip whose directory is unreadable counts as DOCX only if named so: the parser then reports it corrupt. */
function isDocxZip(bytes: Uint8Array, filename = '') {
  const names = zipEntryNames(bytes);
  return names ? names.includes('word/document.xml') : extensionOf(filename) === 'docx';
}

/**
 * Synchronous sniff for the upload path (refuse early, before storing). Magic numbers for the binary kinds we
 * parse, strict text decoding for the rest. Returns null when the file is not something we can parse.
 */
export function sniffDocument(bytes: Uint8Array, filename: string, declaredMime?: string): Sniffed | null {
  if (bytes.length === 0) return null;
  const magic = sniffMagic(bytes);
  if (magic === 'zip') return isDocxZip(bytes, filename) ? { kind: 'docx', mime: DOCX_MIME } : null;
  if (magic) return magic;
  return sniffText(bytes, filename, declaredMime);
}

/**
 * Authoritative detection for the parser: file-type recognises ~150 binary formats, so an XLSX, GIF or EXE is
 * refused with its real type named instead of being mistaken for text. Throws ParseError('unsupported_type').
 */
export async function detectDocument(
  bytes: Uint8Array,
  filename: string,
  declaredMime?: string,
): Promise<Sniffed> {
  if (bytes.length === 0) throw new ParseError('empty', 'The file is empty');
  const ft = await fileTypeFromBuffer(bytes);
  if (ft) {
    if (ft.mime === 'application/pdf') return { kind: 'pdf', mime: ft.mime };
    if (ft.mime === DOCX_MIME) return { kind: 'docx', mime: DOCX_MIME };
    if (IMAGE_MIMES.has(ft.mime)) return { kind: 'image', mime: ft.mime };
    // A zip whose [Content_Types].xml file-type could not read may still be a DOCX: trust the entry list.
    if (ft.mime === 'application/zip' && isDocxZip(bytes, filename)) return { kind: 'docx', mime: DOCX_MIME };
    // file-type also guesses from weak signatures (e.g. "ftyp" at offset 4 → QuickTime) that plain prose can
    // contain, and names some text formats (XML, XHTML). Bytes that strictly decode as text of a text type we
    // read are text; real binary formats never pass that strict decoding.
    const text = sniffText(bytes, filename, declaredMime);
    if (text) return text;
    throw new ParseError('unsupported_type', `Unsupported file type ${ft.mime} (.${ft.ext})`);
  }
  const magic = sniffMagic(bytes);
  if (magic && magic !== 'zip') return magic; // belt and braces: our own magic numbers agree with file-type's
  const text = sniffText(bytes, filename, declaredMime);
  if (text) return text;
  throw new ParseError(
    'unsupported_type',
    `Unsupported file type for "${filename}": not PDF, DOCX, PNG, JPEG, WebP or a UTF-8 text format we read`,
  );
}
