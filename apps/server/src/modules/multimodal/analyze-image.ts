import type { Config } from '../../config.ts';
import { ProviderError, type Usage } from '../../platform/llm/types.ts';
import { analyzeWithModel, type VisionModel } from './analyze-with-model.ts';
import { prepareChatImage } from './chat-image.ts';
import { classify, textLayout, visualFacts, type Colour, type ImageKind } from './image-facts.ts';
import type { OpenedImage } from './open-image.ts';
import { factsOf, type ImageFacts } from './process-image.ts';
import { recognizeText, type OcrLangs, type RecognizedText } from './recognize-text.ts';

/**
 * `analyze`: a vision model describes the image when one is configured and can see; otherwise (no model, the
 * built-in extractive responder, a text-only model, a failing provider) the answer is built offline from OCR and
 * pixel statistics — and says so (`method: 'offline'`, `note` with the reason), never passing it off as a model's.
 */

export interface AnalyzeInput {
  prompt?: string;
  /** Model reference (`<providerId>/<model>`, `local/<file>`); default: config.DEFAULT_MODEL. */
  model?: string;
  langs?: OcrLangs;
}

export interface Analysis {
  method: 'vision' | 'offline';
  model: string | null;
  description: string;
  /** Recognised text (offline only). */
  text: string | null;
  ocr: { confidence: number; language: string | null; wordCount: number; textCoverage: number } | null;
  facts: ImageFacts & {
    /** From OCR text density and colour statistics: offline only, null on the vision path. */
    kind: ImageKind | null;
    colours: Colour[];
    brightness: number;
    entropy: number;
  };
  /** Why the offline path was taken although a model was named or configured. */
  note: string | null;
  usage: Usage | null;
  durationMs: number;
}

export type ResolveVisionModel = (ref: string) => Promise<VisionModel>;

/** builtin/* refs (the extractive responder) are answered by the chat module, never by a model that sees. */
const BUILTIN = /^builtin\//;

export async function analyzeImage(
  deps: { config: Pick<Config, 'DEFAULT_MODEL' | 'CHAT_TIMEOUT'> },
  resolve: ResolveVisionModel,
  img: OpenedImage,
  input: AnalyzeInput,
  signal: AbortSignal,
): Promise<Analysis> {
  const started = performance.now();
  const explicit = input.model !== undefined;
  const ref = input.model ?? deps.config.DEFAULT_MODEL;
  let note: string | null = null;

  if (BUILTIN.test(ref)) {
    if (explicit) note = `${ref} has no vision: analysed offline`;
  } else {
    let m: VisionModel | null = null;
    try {
      m = await resolve(ref);
    } catch (err) {
      if (explicit) throw err; // the caller named a model that does not exist or is not configured
      note = `The default model ${ref} is not available (${(err as Error).message}): analysed offline`;
    }
    if (m && !m.info.vision) {
      note = `Model ${ref} cannot see images (no vision in its catalogue entry): analysed offline`;
    } else if (m) {
      const visual = await visualFacts(img);
      const chatImage = await prepareChatImage(img.bytes);
      const timeout = AbortSignal.timeout(deps.config.CHAT_TIMEOUT * 1000);
      try {
        const out = await analyzeWithModel(m, chatImage.dataUrl, input.prompt, {
          signal: AbortSignal.any([signal, timeout]),
        });
        return {
          method: 'vision',
          model: ref,
          description: out.text,
          text: null,
          ocr: null,
          facts: { ...factsOf(img), kind: null, ...pickVisual(visual) },
          note: null,
          usage: out.usage,
          durationMs: Math.round(performance.now() - started),
        };
      } catch (err) {
        if (signal.aborted || !(err instanceof ProviderError)) throw err;
        note = `Vision model ${ref} failed (${err.message}): analysed offline`;
      }
    }
  }
  return { ...(await analyzeOffline(img, input)), note, durationMs: Math.round(performance.now() - started) };
}

async function analyzeOffline(img: OpenedImage, input: AnalyzeInput) {
  const [visual, ocr] = await Promise.all([visualFacts(img), recognizeText(img, { langs: input.langs })]);
  const layout = textLayout(ocr.words, img.width, img.height);
  const kind = classify(visual, layout);
  const text = legibleText(ocr);
  return {
    method: 'offline' as const,
    model: null,
    description: describeOffline(img, kind, visual.colours, { ...ocr, text }, layout.textCoverage),
    text,
    ocr: {
      confidence: ocr.confidence,
      language: ocr.language,
      wordCount: ocr.words.length,
      textCoverage: layout.textCoverage,
    },
    facts: { ...factsOf(img), kind, ...pickVisual(visual) },
    usage: null,
  };
}

/** Lines below this confidence are mostly texture read as letters (foliage, fabric, noise). */
const LEGIBLE_LINE_CONFIDENCE = 50;

/**
 * OCR text without the illegible lines (low confidence, or no word of two letters/digits); the original text,
 * paragraph breaks included, when every line is kept.
 */
function legibleText(ocr: RecognizedText): string {
  const legible = ocr.lines.filter(
    (l) => l.confidence >= LEGIBLE_LINE_CONFIDENCE && /[\p{L}\p{N}]{2,}/u.test(l.text),
  );
  return legible.length === ocr.lines.length ? ocr.text : legible.map((l) => l.text).join('\n');
}

const pickVisual = (v: Awaited<ReturnType<typeof visualFacts>>) => ({
  colours: v.colours,
  brightness: v.brightness,
  entropy: v.entropy,
});

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', id: 'Indonesian' };
const KIND_PHRASES: Record<ImageKind, string> = {
  document: 'looks like a document or screenshot',
  photo: 'looks like a photo',
  graphic: 'looks like a graphic (logo, chart, icon or drawing)',
};
const FORMAT_NAMES: Record<string, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
};

/** A plain-language summary of the offline facts, usable as-is as a chat message or alt text. */
export function describeOffline(
  img: OpenedImage,
  kind: ImageKind,
  colours: Colour[],
  ocr: RecognizedText,
  textCoverage: number,
): string {
  const format = FORMAT_NAMES[img.format] ?? (img.mime === 'image/avif' ? 'AVIF' : img.format.toUpperCase());
  const parts = [`A ${img.width}×${img.height} ${format} image that ${KIND_PHRASES[kind]}`];
  if (kind === 'document') parts[0] += ` (text covers ${Math.round(textCoverage * 100)}% of it)`;
  parts[0] += '.';
  if (colours.length) {
    const main = colours.slice(0, 3).map((c) => `${c.name} ${Math.round(c.share * 100)}%`);
    parts.push(`Main colours: ${main.join(', ')}.`);
  }
  if (ocr.text) {
    const lang = ocr.language ? `${LANGUAGE_NAMES[ocr.language]}, ` : '';
    const quoted = ocr.text.length > 400 ? `${ocr.text.slice(0, 400)}…` : ocr.text;
    parts.push(
      `Text (${lang}OCR confidence ${Math.round(ocr.confidence)}%): "${quoted.replace(/\s+/g, ' ')}"`,
    );
  } else {
    parts.push('No legible text was found.');
  }
  return parts.join(' ');
}
