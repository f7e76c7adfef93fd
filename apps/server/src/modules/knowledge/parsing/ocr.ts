import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import tesseract from 'tesseract.js';
import { ParseError } from './errors.ts';

/**
 * OCR with tesseract.js, fully offline. tesseract.js reads language data from one `langPath` folder (and
 * downloads from a CDN when langPath is unset), but English and Indonesian ship in two separate npm packages.
 * So we stage both `*.traineddata.gz` files into one local folder and point langPath there; the worker script and
 * the WASM core are loaded from node_modules by tesseract.js itself in Node. Nothing is fetched.
 *
 * One worker per language set, created lazily and reused: creation costs ~0.3–0.5 s (WASM + model load).
 * All recognitions go through one queue (concurrency 1): a recognition already keeps one core busy and the
 * machine has two, the other one being needed by the API process.
 */

export const DEFAULT_OCR_LANGS = 'eng+ind';

/**
 * 4.0.0_best_int is the LSTM-only, integer-quantised model: what tesseract.js itself picks for the default
 * LSTM engine, ~3x smaller and faster to load than the 4.0.0 (legacy + LSTM) files. We never use the legacy engine.
 */
const MODEL_DIR = '4.0.0_best_int';

export interface OcrSettings {
  /** Folder for the staged language files; the caller may point it at DATA_DIR. */
  cacheDir: string;
  /** Worker start (WASM + language load) must finish within this. */
  initTimeoutMs: number;
  /** One recognition must finish within this; past it the worker is killed and recreated on next use. */
  recognizeTimeoutMs: number;
}

const settings: OcrSettings = {
  cacheDir: path.join(os.tmpdir(), 'kawan-tessdata'),
  initTimeoutMs: 60_000,
  recognizeTimeoutMs: 120_000,
};

export function configureOcr(opts: Partial<OcrSettings>) {
  Object.assign(settings, opts);
}

const require = createRequire(import.meta.url);

/** Copies each language's data from its @tesseract.js-data package into the shared folder (once per machine). */
function stageLanguages(langs: string[]): string {
  const dir = settings.cacheDir;
  fs.mkdirSync(dir, { recursive: true });
  for (const lang of langs) {
    if (!/^[a-z_]+$/.test(lang)) throw new ParseError('ocr_failed', `Bad OCR language code "${lang}"`);
    let pkgDir: string;
    try {
      pkgDir = path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
    } catch {
      throw new ParseError('ocr_failed', `OCR language data for "${lang}" is not installed`);
    }
    const src = path.join(pkgDir, MODEL_DIR, `${lang}.traineddata.gz`);
    const dst = path.join(dir, `${lang}.traineddata.gz`);
    const same = fs.existsSync(dst) && fs.statSync(dst).size === fs.statSync(src).size;
    if (!same) {
      // Copy-then-rename so a second process never reads a half-written file.
      const tmp = `${dst}.${process.pid}.tmp`;
      fs.copyFileSync(src, tmp);
      fs.renameSync(tmp, dst);
    }
  }
  return dir;
}

type TWorker = Awaited<ReturnType<typeof tesseract.createWorker>>;
const workers = new Map<string, Promise<TWorker>>();

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ParseError('ocr_failed', `${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function createWorker(langs: string): Promise<TWorker> {
  let dir: string;
  try {
    dir = stageLanguages(langs.split('+'));
  } catch (err) {
    if (err instanceof ParseError) throw err;
    throw new ParseError(
      'ocr_failed',
      `OCR language data cannot be staged in ${settings.cacheDir}: ${String(err)}`,
    );
  }
  // tesseract.js only rejects createWorker when the core fails to load; a failing language load leaves the
  // promise pending forever — hence the timeout.
  const created = tesseract.createWorker(langs, tesseract.OEM.LSTM_ONLY, {
    langPath: dir,
    cachePath: dir,
    // Keep nothing but the staged .gz files: no unzipped copies written next to them (or into the cwd).
    cacheMethod: 'none',
    gzip: true,
    // Without an errorHandler tesseract.js rethrows worker errors from a message listener, which would
    // crash the process; the failing job's promise is rejected anyway.
    errorHandler: () => {},
  });
  try {
    const worker = await withTimeout(created, settings.initTimeoutMs, 'OCR engine start');
    // Our inputs carry no trustworthy DPI (raw PDF images, PNGs at 72); without this tesseract guesses and
    // prints "Invalid resolution" warnings. The pixel size is what we normalise (image.ts), not the DPI.
    await worker.setParameters({ user_defined_dpi: '300' });
    return worker;
  } catch (err) {
    void created.then((w) => w.terminate()).catch(() => {});
    throw err instanceof ParseError
      ? err
      : new ParseError('ocr_failed', `OCR engine failed to start: ${String(err)}`);
  }
}

function getWorker(langs: string): Promise<TWorker> {
  let w = workers.get(langs);
  if (!w) {
    w = createWorker(langs);
    workers.set(langs, w);
    // A failed start must not poison the cache: the next call tries again.
    w.catch(() => workers.delete(langs));
  }
  return w;
}

async function dropWorker(langs: string) {
  const w = workers.get(langs);
  workers.delete(langs);
  await w?.then((x) => x.terminate()).catch(() => {});
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs fn after every previously queued OCR job: a process-wide concurrency of 1. */
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => {});
  return run;
}

/** Pixel box in the recognised image: (x0, y0) top-left, (x1, y1) bottom-right. */
export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  confidence: number;
  bbox: OcrBox;
}

export interface OcrLine extends OcrWord {
  words: OcrWord[];
}

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
  ms: number;
  /** Only with `boxes: true`: lines in reading order, each with its words. */
  lines?: OcrLine[];
}

type TPage = Awaited<ReturnType<TWorker['recognize']>>['data'];

/** Flattens tesseract's block → paragraph → line → word tree into lines of words. */
function linesOf(page: TPage): OcrLine[] {
  const box = ({ x0, y0, x1, y1 }: OcrBox): OcrBox => ({ x0, y0, x1, y1 });
  return (page.blocks ?? []).flatMap((b) =>
    b.paragraphs.flatMap((p) =>
      p.lines.map((l) => ({
        text: l.text.trim(),
        confidence: l.confidence,
        bbox: box(l.bbox),
        words: l.words.map((w) => ({ text: w.text, confidence: w.confidence, bbox: box(w.bbox) })),
      })),
    ),
  );
}

/**
 * Recognises text in an encoded image (PNG/JPEG/…); callers normalise it first (see image.ts). `boxes` also
 * returns word and line boxes (tesseract's block output), in the pixels of the image given here.
 */
export function ocrImage(image: Buffer, opts: { langs?: string; boxes?: boolean } = {}): Promise<OcrResult> {
  const langs = opts.langs ?? DEFAULT_OCR_LANGS;
  return exclusive(async () => {
    const worker = await getWorker(langs);
    const started = performance.now();
    try {
      const output = opts.boxes ? { text: true, blocks: true } : undefined;
      const { data } = await withTimeout(
        worker.recognize(image, {}, output),
        settings.recognizeTimeoutMs,
        'OCR',
      );
      const result: OcrResult = {
        text: cleanOcrText(data.text),
        confidence: data.confidence,
        ms: performance.now() - started,
      };
      if (opts.boxes) result.lines = linesOf(data);
      return result;
    } catch (err) {
      // After a timeout or engine error the worker's state is unknown: start afresh next time.
      await dropWorker(langs);
      throw err instanceof ParseError ? err : new ParseError('ocr_failed', `OCR failed: ${String(err)}`);
    }
  });
}

/** Tesseract pads lines with spaces and separates blocks with runs of blank lines; keep one blank line. */
export function cleanOcrText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Stops every OCR worker thread (call on shutdown; tests call it so the process can exit). */
export async function terminateOcr(): Promise<void> {
  const all = [...workers.keys()];
  await Promise.all(all.map(dropWorker));
}
