import sharp, { type Metadata, type Sharp } from 'sharp';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../../platform/errors.ts';
import { isParseError } from '../knowledge/parsing/errors.ts';
import { MAX_INPUT_PIXELS } from '../knowledge/parsing/image.ts';

/**
 * Every multimodal entry point starts here: decide from the bytes (never the client's name or MIME) that the file
 * is an image sharp decodes, read its header, and refuse pixel bombs before anything is decoded.
 *
 * Wider than the document sniffer (parsing/sniff.ts, PNG/JPEG/WebP): an image tool is expected to take the
 * common camera and web formats too. SVG is refused on purpose — it is a program for librsvg, not pixels.
 */
export const INPUT_IMAGE_MIMES: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
  'image/avif': 'avif',
};

export const ACCEPTED_IMAGES = 'PNG, JPEG, WebP, GIF, TIFF or AVIF';

export interface OpenedImage {
  bytes: Buffer;
  /** From the content, e.g. image/png. */
  mime: string;
  /** sharp's name of the format: png, jpeg, webp, gif, tiff, heif (AVIF). */
  format: string;
  /** Upright size: EXIF orientations 5–8 swap the stored axes. */
  width: number;
  height: number;
  orientation: number;
  hasAlpha: boolean;
  exifPresent: boolean;
  iccPresent: boolean;
  /** Frames of an animated GIF/WebP or pages of a TIFF; only the first is used. */
  pages: number;
  sizeBytes: number;
}

/** Decoder options every pipeline uses: the pixel cap, and stop on real decode errors (not warnings). */
export const decodeOptions = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' } as const;

/** sharp/parse failures → the API's codes: pixel bombs are 413, undecodable images 422. */
export function imageError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isParseError(err)) {
    if (err.code === 'too_large_uncompressed') return tooManyPixels();
    if (err.code === 'corrupt') return new AppError('unprocessable_image', err.message);
    return new AppError('service_unavailable', err.message); // the OCR engine could not start or timed out
  }
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) return tooManyPixels();
  return new AppError('unprocessable_image', `The image cannot be decoded: ${msg.split('\n')[0]}`);
}

const tooManyPixels = () =>
  new AppError('payload_too_large', `The image has more than ${MAX_INPUT_PIXELS} pixels`);

/** Sniffs and reads the header. Throws 400 (empty), 415 (not an image we read), 413 (pixels), 422 (corrupt). */
export async function openImage(bytes: Buffer): Promise<OpenedImage> {
  if (bytes.length === 0) throw new AppError('bad_request', 'The file is empty');
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !(type.mime in INPUT_IMAGE_MIMES)) {
    const what = type ? `${type.mime} (.${type.ext})` : 'not a recognised binary format';
    throw new AppError('unsupported_media_type', `The file is ${what}; send a ${ACCEPTED_IMAGES} image`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, decodeOptions).metadata();
  } catch (err) {
    throw imageError(err);
  }
  let width = meta.width ?? 0;
  let height = meta.height ?? 0;
  if (!width || !height) throw new AppError('unprocessable_image', 'The image has no size');
  // metadata() reads the header only; the cap is enforced by the decoder later, but refuse early and clearly.
  if (width * height > MAX_INPUT_PIXELS) throw tooManyPixels();
  const orientation = meta.orientation ?? 1;
  if (orientation >= 5) [width, height] = [height, width];
  return {
    bytes,
    mime: type.mime,
    format: meta.format ?? INPUT_IMAGE_MIMES[type.mime]!,
    width,
    height,
    orientation,
    hasAlpha: meta.hasAlpha ?? false,
    exifPresent: !!meta.exif?.length,
    iccPresent: !!meta.icc?.length,
    pages: meta.pages ?? 1,
    sizeBytes: bytes.length,
  };
}

/** A decoding pipeline on the first frame, upright (EXIF orientation applied). */
export function pipelineOf(img: OpenedImage): Sharp {
  return sharp(img.bytes, decodeOptions).autoOrient();
}
