import sharp from 'sharp';
import { prepareForOcr } from '../knowledge/parsing/image.ts';
import { DEFAULT_OCR_LANGS, ocrImage, type OcrBox, type OcrWord } from '../knowledge/parsing/ocr.ts';
import { guessLanguage, type Language } from '../retrieval/text.ts';
import { imageError, type OpenedImage } from './open-image.ts';

/**
 * OCR with word and line boxes, in the pixels of the upright input image. The OCR engine sees a prepared copy
 * (parsing/image.ts: greyscale, contrast, upscaled when small, downscaled when huge), so boxes are scaled back.
 */

export const OCR_LANGS = ['eng', 'ind', 'eng+ind'] as const;
export type OcrLangs = (typeof OCR_LANGS)[number];

export interface RecognizedText {
  text: string;
  /** Mean word confidence, 0–100 (0 when nothing was recognised). */
  confidence: number;
  /** Language of the recognised text (`en`/`id`), null when there is none. */
  language: Language | null;
  langs: OcrLangs;
  words: OcrWord[];
  lines: (OcrWord & { wordCount: number })[];
  width: number;
  height: number;
  durationMs: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function recognizeText(
  img: OpenedImage,
  opts: { langs?: OcrLangs } = {},
): Promise<RecognizedText> {
  const langs = opts.langs ?? (DEFAULT_OCR_LANGS as OcrLangs);
  const started = performance.now();
  const empty = (): RecognizedText => ({
    text: '',
    confidence: 0,
    language: null,
    langs,
    words: [],
    lines: [],
    width: img.width,
    height: img.height,
    durationMs: Math.round(performance.now() - started),
  });
  let png: Buffer | null;
  let scaleX = 1;
  let scaleY = 1;
  try {
    png = await prepareForOcr(img.bytes);
    if (!png) return empty(); // smaller than a glyph: nothing to read
    const prepared = await sharp(png).metadata();
    scaleX = img.width / (prepared.width ?? img.width);
    scaleY = img.height / (prepared.height ?? img.height);
  } catch (err) {
    throw imageError(err);
  }
  const result = await ocrImage(png, { langs, boxes: true }).catch((err: unknown) => {
    throw imageError(err);
  });
  const scale = (b: OcrBox): OcrBox => ({
    x0: clamp(Math.round(b.x0 * scaleX), img.width),
    y0: clamp(Math.round(b.y0 * scaleY), img.height),
    x1: clamp(Math.round(b.x1 * scaleX), img.width),
    y1: clamp(Math.round(b.y1 * scaleY), img.height),
  });
  const lines = (result.lines ?? [])
    .map((l) => ({
      text: l.text,
      confidence: round1(l.confidence),
      bbox: scale(l.bbox),
      words: l.words
        .filter((w) => w.text.trim())
        .map((w) => ({ text: w.text, confidence: round1(w.confidence), bbox: scale(w.bbox) })),
    }))
    .filter((l) => l.words.length > 0);
  const fallback: Language = langs === 'ind' ? 'id' : 'en';
  return {
    text: result.text,
    confidence: result.text ? round1(result.confidence) : 0,
    language: result.text ? (langs === 'eng+ind' ? guessLanguage(result.text, fallback) : fallback) : null,
    langs,
    words: lines.flatMap((l) => l.words),
    lines: lines.map(({ words, ...l }) => ({ ...l, wordCount: words.length })),
    width: img.width,
    height: img.height,
    durationMs: Math.round(performance.now() - started),
  };
}

const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
