import type { OcrWord } from '../knowledge/parsing/ocr.ts';
import { imageError, pipelineOf, type OpenedImage } from './open-image.ts';

/**
 * What can be said about an image without a model: its main colours, how busy it is, and — from the OCR word
 * boxes — whether it reads like a document/screenshot (text covering a real share of it) or a photo.
 */

export interface Colour {
  hex: string;
  name: string;
  /** Share of the pixels, 0–1. */
  share: number;
}

export type ImageKind = 'document' | 'photo' | 'graphic';

export interface VisualFacts {
  colours: Colour[];
  /** Mean luminance, 0 (black) – 1 (white). */
  brightness: number;
  /** Shannon entropy of the grey histogram, 0–8 bits: flat graphics are low, photos high. */
  entropy: number;
  /** Distinct colours that hold ≥ 0.5% of the pixels (on a 512-colour grid): a busyness measure. */
  colourCount: number;
}

/** Sampled pixels for colour shares: plenty for shares of ≥ 1%, and ~10 ms whatever the input size. */
const SAMPLE_SIDE = 160;
const BITS = 3; // 8 levels per channel → 512 buckets: shades of one colour fall together

export async function visualFacts(img: OpenedImage, maxColours = 5): Promise<VisualFacts> {
  try {
    const [{ data, info }, stats] = await Promise.all([
      pipelineOf(img)
        // nearest: sample real pixels; any averaging kernel blends thin dark strokes into a grey nobody drew
        .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: 'inside', kernel: 'nearest' })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true }),
      pipelineOf(img).resize(256, 256, { fit: 'inside' }).greyscale().stats(),
    ]);
    const ch = info.channels;
    const pixels = info.width * info.height;
    const buckets = new Map<number, { n: number; r: number; g: number; b: number }>();
    let luma = 0;
    for (let i = 0; i < data.length; i += ch) {
      const r = data[i]!;
      const g = ch >= 3 ? data[i + 1]! : r;
      const b = ch >= 3 ? data[i + 2]! : r;
      luma += 0.2126 * r + 0.7152 * g + 0.0722 * b;
      const key = ((r >> (8 - BITS)) << (2 * BITS)) | ((g >> (8 - BITS)) << BITS) | (b >> (8 - BITS));
      const bucket = buckets.get(key) ?? { n: 0, r: 0, g: 0, b: 0 };
      bucket.n++;
      bucket.r += r;
      bucket.g += g;
      bucket.b += b;
      buckets.set(key, bucket);
    }
    const ranked = [...buckets.values()].sort((x, y) => y.n - x.n);
    // Buckets are finer than colour words (a gradient spreads over many): report per word, with the hex of
    // its largest bucket.
    const byName = new Map<string, Colour>();
    for (const c of ranked) {
      const rgb = [c.r / c.n, c.g / c.n, c.b / c.n].map(Math.round) as [number, number, number];
      const name = colourName(rgb);
      const seen = byName.get(name);
      if (seen) seen.share += c.n / pixels;
      else byName.set(name, { hex: toHex(rgb), name, share: c.n / pixels });
    }
    const colours = [...byName.values()]
      .filter((c) => c.share >= 0.01)
      .sort((x, y) => y.share - x.share)
      .slice(0, maxColours)
      .map((c) => ({ ...c, share: round3(c.share) }));
    return {
      colours,
      brightness: round3(luma / pixels / 255),
      entropy: Math.round((stats.entropy ?? 0) * 100) / 100,
      colourCount: ranked.filter((c) => c.n / pixels >= 0.005).length,
    };
  } catch (err) {
    throw imageError(err);
  }
}

export interface TextLayout {
  /** Words read with confidence ≥ 60 that contain at least two letters or digits. */
  confidentWords: number;
  /** Share of the image covered by those words' boxes, 0–1. */
  textCoverage: number;
}

export function textLayout(words: OcrWord[], width: number, height: number): TextLayout {
  const good = words.filter((w) => w.confidence >= 60 && /[\p{L}\p{N}]{2,}/u.test(w.text));
  const area = good.reduce((sum, w) => sum + (w.bbox.x1 - w.bbox.x0) * (w.bbox.y1 - w.bbox.y0), 0);
  return { confidentWords: good.length, textCoverage: round3(area / Math.max(1, width * height)) };
}

/**
 * Document/screenshot: several confidently read words covering a visible share of the picture (or plenty of
 * small print). Photo: rich in colours and tones. Anything else (logos, charts, icons, flat art) is a graphic.
 */
export function classify(facts: VisualFacts, layout: TextLayout): ImageKind {
  const { confidentWords, textCoverage } = layout;
  if ((confidentWords >= 3 && textCoverage >= 0.02) || confidentWords >= 20) return 'document';
  if (facts.entropy >= 5.5 && facts.colourCount >= 12) return 'photo';
  return 'graphic';
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const toHex = (rgb: number[]) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** A plain colour word from HSL, good enough for "mostly white with black text" or "blue and green". */
export function colourName([r, g, b]: [number, number, number]): string {
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const l = (max + min) / 2;
  const d = max - min;
  const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  if (l < 0.12) return 'black';
  if (s < 0.15 || d < 0.08)
    return l > 0.9 ? 'white' : l > 0.6 ? 'light grey' : l > 0.3 ? 'grey' : 'dark grey';
  if (l > 0.94) return 'white';
  let h: number;
  const [rf, gf, bf] = [r / 255, g / 255, b / 255];
  if (max === rf) h = ((gf - bf) / d) % 6;
  else if (max === gf) h = (bf - rf) / d + 2;
  else h = (rf - gf) / d + 4;
  h = (h * 60 + 360) % 360;
  if (h < 15 || h >= 345) return l > 0.7 ? 'pink' : 'red';
  if (h < 45) return l < 0.4 ? 'brown' : 'orange';
  if (h < 70) return l < 0.35 ? 'olive' : 'yellow';
  if (h < 165) return 'green';
  if (h < 195) return 'cyan';
  if (h < 255) return l < 0.3 ? 'navy' : 'blue';
  if (h < 290) return 'purple';
  return 'pink';
}
