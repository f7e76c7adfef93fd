import { getDocumentProxy, getResolvedPDFJS } from 'unpdf';
import { ParseError } from './errors.ts';
import { MIN_OCR_SIDE, prepareForOcr, type RawImage } from './image.ts';
import { ocrImage } from './ocr.ts';
import type { ParsedPage } from './types.ts';

/**
 * PDF → one text per page (page numbers are what citations point at). Pages are processed strictly one after
 * another and released (page.cleanup) before the next, so memory stays flat on 1,000-page files and progress can
 * be reported per page. A page without a text layer (a scan) is OCRed from the images painted on it.
 */

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
type TextContent = Awaited<ReturnType<PdfPage['getTextContent']>>;

export interface PdfOptions {
  maxPages: number;
  ocr: boolean;
  onProgress?: (fraction: number) => void;
}

/** Fewer non-space characters than this and the page counts as having no text layer (page numbers, stamps). */
const MIN_TEXT_LAYER_CHARS = 16;
/** OCR at most this many images per page (largest first); scans have one, brochures may have dozens of logos. */
const MAX_OCR_IMAGES_PER_PAGE = 4;

async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  try {
    // pdf.js may transfer (detach) the buffer it is given: hand it a copy, the caller's bytes stay usable.
    // verbosity 0: pdf.js otherwise console.warns about every recoverable oddity of real-world files.
    return await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'PasswordException') {
      throw new ParseError('encrypted', 'The PDF is password-protected', { cause: err });
    }
    const msg = err instanceof Error ? err.message : String(err);
    throw new ParseError('corrupt', `The PDF cannot be read: ${msg}`, { cause: err });
  }
}

export async function parsePdf(bytes: Uint8Array, opts: PdfOptions) {
  const pdf = await openPdf(bytes);
  try {
    const n = pdf.numPages;
    if (n === 0) throw new ParseError('empty', 'The PDF has no pages');
    if (n > opts.maxPages) {
      throw new ParseError('too_many_pages', `The PDF has ${n} pages (limit ${opts.maxPages})`);
    }
    const title = await readTitle(pdf);
    const pages: ParsedPage[] = [];
    const warnings: string[] = [];
    let failed = 0;
    let needOcrButOff = 0;
    for (let i = 1; i <= n; i++) {
      let page: PdfPage | undefined;
      try {
        page = await pdf.getPage(i);
        let text = layoutText(await page.getTextContent());
        let ocr = false;
        if (countNonSpace(text) < MIN_TEXT_LAYER_CHARS) {
          if (opts.ocr) {
            const ocrText = await ocrPage(page, warnings, i);
            if (countNonSpace(ocrText) > countNonSpace(text)) {
              text = ocrText;
              ocr = true;
            }
          } else if (await hasImages(page)) {
            needOcrButOff++;
          }
        }
        pages.push({ page: i, text, ocr });
      } catch (err) {
        if (err instanceof ParseError && err.code === 'ocr_failed') throw err;
        // One broken page (bad content stream) should not lose the other 999.
        failed++;
        warnings.push(`Page ${i} could not be read: ${err instanceof Error ? err.message : String(err)}`);
        pages.push({ page: i, text: '', ocr: false });
      } finally {
        page?.cleanup();
      }
      opts.onProgress?.(i / n);
    }
    if (failed === n) throw new ParseError('corrupt', 'No page of the PDF could be read');
    if (needOcrButOff > 0) warnings.push(`${needOcrButOff} page(s) look scanned but OCR is disabled`);
    return { title, pages, warnings };
  } finally {
    await pdf.loadingTask.destroy();
  }
}

async function readTitle(pdf: PdfDocument): Promise<string | undefined> {
  try {
    const { info } = (await pdf.getMetadata()) as { info?: { Title?: unknown } };
    const t = typeof info?.Title === 'string' ? info.Title.trim() : '';
    return t || undefined;
  } catch {
    return undefined;
  }
}

const countNonSpace = (s: string) => s.replace(/\s+/g, '').length;

interface Line {
  text: string;
  size: number;
  y: number;
}

/**
 * Rebuilds lines from pdf.js text items (hasEOL or a jump in y ends a line), then adds structure the chunker can
 * use: a blank line where the vertical gap is clearly larger than the page's usual line spacing (paragraphs),
 * and a Markdown "# " prefix on short lines set clearly larger than the body text (headings).
 */
export function layoutText(content: TextContent): string {
  const lines: Line[] = [];
  let cur: Line | null = null;
  const sizeChars = new Map<number, number>();
  for (const item of content.items) {
    if (!('str' in item)) continue; // marked-content markers carry no text
    const [, , c = 0, d = 0, , y = 0] = item.transform as number[];
    const size = Math.round(Math.hypot(c, d) * 10) / 10;
    if (cur && Math.abs(y - cur.y) > Math.max(size, cur.size, 1) * 0.6 && item.str.trim()) {
      lines.push(cur);
      cur = null;
    }
    if (item.str) {
      cur ??= { text: '', size: 0, y };
      cur.text += item.str;
      if (item.str.trim()) {
        cur.size = Math.max(cur.size, size);
        sizeChars.set(size, (sizeChars.get(size) ?? 0) + item.str.length);
      }
    }
    if (item.hasEOL && cur) {
      lines.push(cur);
      cur = null;
    }
  }
  if (cur) lines.push(cur);
  const kept = lines
    // NULs come from fonts with broken ToUnicode maps; they would end up in the index as invisible junk.
    .map((l) => ({ ...l, text: l.text.replaceAll('\0', ' ').replace(/\s+/g, ' ').trim() }))
    .filter((l) => l.text);
  if (kept.length === 0) return '';

  const bodySize = [...sizeChars.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const gaps = kept
    .slice(1)
    .map((l, i) => kept[i]!.y - l.y)
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  const usualGap = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 0;

  const out: string[] = [];
  let prev: (Line & { heading: boolean }) | null = null;
  for (const l of kept) {
    const heading = bodySize > 0 && l.size >= bodySize * 1.2 && l.text.length <= 150 && /\p{L}/u.test(l.text);
    if (prev) {
      const gap = prev.y - l.y;
      if (heading && prev.heading && Math.abs(prev.size - l.size) < 0.5 && gap > 0 && gap < l.size * 2) {
        out[out.length - 1] += ` ${l.text}`; // a heading wrapped over two lines stays one heading
        prev = { ...l, heading };
        continue;
      }
      const paragraphBreak = heading || prev.heading || (usualGap > 0 && gap > usualGap * 1.4) || gap < 0;
      out.push(paragraphBreak ? '\n\n' : '\n');
    }
    out.push(heading ? `# ${l.text}` : l.text);
    prev = { ...l, heading };
  }
  return out.join('');
}

interface PdfImageObject {
  width: number;
  height: number;
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
}

/** The image objects painted on a page, as decoded pixels (pdf.js already did JPEG/JBIG2/CCITT decoding). */
async function pageImages(page: PdfPage): Promise<PdfImageObject[]> {
  const { OPS } = await getResolvedPDFJS();
  const ops = await page.getOperatorList();
  const found: PdfImageObject[] = [];
  for (let k = 0; k < ops.fnArray.length; k++) {
    const fn = ops.fnArray[k];
    const arg = (ops.argsArray[k] as unknown[] | undefined)?.[0];
    if (fn === OPS.paintInlineImageXObject && arg && typeof arg === 'object') {
      found.push(arg as PdfImageObject);
    } else if (
      (fn === OPS.paintImageXObject || fn === OPS.paintImageXObjectRepeat) &&
      typeof arg === 'string'
    ) {
      const objs = arg.startsWith('g_') ? page.commonObjs : page.objs;
      const img = await new Promise<PdfImageObject | null>((resolve) => {
        try {
          objs.get(arg, resolve);
        } catch {
          resolve(null);
        }
      });
      if (img) found.push(img);
    }
  }
  return found;
}

async function hasImages(page: PdfPage) {
  try {
    return (await pageImages(page)).some((i) => i.width >= MIN_OCR_SIDE && i.height >= MIN_OCR_SIDE);
  } catch {
    return false;
  }
}

/** pdf.js ImageKind: 1 = 1 bit per pixel (bit set = white, rows padded to bytes), 2 = RGB, 3 = RGBA. */
export function toRawImage(img: PdfImageObject): RawImage | null {
  const { width, height, data, kind } = img;
  if (!data || !width || !height) return null;
  if (kind === 1) {
    const rowBytes = (width + 7) >> 3;
    if (data.length < rowBytes * height) return null;
    const grey = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        grey[y * width + x] = data[y * rowBytes + (x >> 3)]! & (0x80 >> (x & 7)) ? 255 : 0;
      }
    }
    return { data: grey, width, height, channels: 1 };
  }
  const channels = data.length / (width * height);
  return channels === 1 || channels === 3 || channels === 4 ? { data, width, height, channels } : null;
}

async function ocrPage(page: PdfPage, warnings: string[], pageNo: number): Promise<string> {
  const images = (await pageImages(page))
    .filter((i) => i.width >= MIN_OCR_SIDE && i.height >= MIN_OCR_SIDE)
    .sort((a, b) => b.width * b.height - a.width * a.height);
  if (images.length > MAX_OCR_IMAGES_PER_PAGE) {
    warnings.push(
      `Page ${pageNo}: only the ${MAX_OCR_IMAGES_PER_PAGE} largest of ${images.length} images were OCRed`,
    );
  }
  const texts: string[] = [];
  for (const img of images.slice(0, MAX_OCR_IMAGES_PER_PAGE)) {
    const raw = toRawImage(img);
    if (!raw) continue;
    try {
      const png = await prepareForOcr(raw);
      if (!png) continue;
      const r = await ocrImage(png);
      if (r.text) texts.push(r.text);
    } catch (err) {
      if (err instanceof ParseError && err.code === 'ocr_failed') throw err;
      warnings.push(`Page ${pageNo}: an image could not be OCRed (${(err as Error).message})`);
    }
  }
  return texts.join('\n\n');
}
