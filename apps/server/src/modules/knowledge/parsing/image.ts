import sharp from 'sharp';
import { ParseError } from './errors.ts';
import { ocrImage } from './ocr.ts';

/**
 * Image preparation for OCR. Tesseract does best on dark text on a light background with glyphs ~20–40 px tall,
 * so we orient (EXIF), drop alpha onto white, greyscale, stretch contrast and bring the size into a sane band:
 * small images (screenshots, phone crops) are upscaled, huge scans downscaled (OCR time grows with pixels).
 */

/** Decompression cap: a tiny PNG can declare 50k × 50k pixels; sharp refuses before decoding. */
export const MAX_INPUT_PIXELS = 60_000_000;
const MAX_SIDE = 3000;
const MIN_SIDE_FOR_UPSCALE = 1000;
/** Images smaller than this on either side are icons/rules, not text worth OCRing. */
export const MIN_OCR_SIDE = 24;

export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

function toSharp(input: Uint8Array | RawImage) {
  if (input instanceof Uint8Array) {
    return sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
  }
  const { data, width, height, channels } = input;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels },
    limitInputPixels: MAX_INPUT_PIXELS,
  });
}

function mapSharpError(err: unknown): ParseError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) {
    return new ParseError('too_large_uncompressed', `The image has more than ${MAX_INPUT_PIXELS} pixels`);
  }
  return new ParseError('corrupt', `The image cannot be decoded: ${msg}`, { cause: err });
}

/** Returns a greyscale PNG ready for tesseract, or null when the image is too small to hold text. */
export async function prepareForOcr(input: Uint8Array | RawImage): Promise<Buffer | null> {
  try {
    const meta = input instanceof Uint8Array ? await toSharp(input).metadata() : input;
    let { width = 0, height = 0 } = meta;
    // EXIF orientations 5–8 swap the axes once rotated.
    if ('orientation' in meta && (meta.orientation ?? 1) >= 5) [width, height] = [height, width];
    if (width < MIN_OCR_SIDE || height < MIN_OCR_SIDE) return null;
    const long = Math.max(width, height);
    const scale =
      long > MAX_SIDE ? MAX_SIDE / long : long < MIN_SIDE_FOR_UPSCALE ? Math.min(2, MAX_SIDE / long) : 1;
    let img = toSharp(input).rotate().flatten({ background: '#ffffff' }).greyscale().toColourspace('b-w');
    if (scale !== 1) {
      img = img.resize({ width: Math.round(width * scale), height: Math.round(height * scale), fit: 'fill' });
    }
    // compressionLevel 1: the PNG is consumed at once by tesseract; encode speed matters more than size.
    return await img.normalise().png({ compressionLevel: 1 }).toBuffer();
  } catch (err) {
    throw mapSharpError(err);
  }
}

/** Image upload → one page of OCR text. */
export async function parseImage(bytes: Uint8Array, opts: { ocr: boolean }) {
  if (!opts.ocr) throw new ParseError('empty', 'The file is an image and OCR is disabled');
  const png = await prepareForOcr(bytes);
  if (!png) throw new ParseError('empty', 'The image is too small to contain text');
  const result = await ocrImage(png);
  const warnings: string[] = [];
  if (result.text && result.confidence < 50) {
    warnings.push(`OCR confidence is low (${Math.round(result.confidence)}%): the text may contain errors`);
  }
  return { pages: [{ page: 1, text: result.text, ocr: true }], warnings };
}
