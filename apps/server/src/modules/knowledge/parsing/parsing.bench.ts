/**
 * Parsing benchmark (not a test; run by hand):
 *   node --import tsx apps/server/src/modules/knowledge/parsing/parsing.bench.ts [pages=1000] [ocrPages=3]
 *
 * 1. generates a text PDF of `pages` pages (pdf-lib) into a temp file,
 * 2. parses + chunks it in a fresh child process, reporting time and that process's peak RSS (so generation
 *    memory does not pollute the figure),
 * 3. OCRs `ocrPages` scanned pages and reports engine start and per-page times.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { chunkPages } from './chunk.ts';
import { ocrImage, terminateOcr } from './ocr.ts';
import { prepareForOcr } from './image.ts';
import { parseDocument } from './parse-document.ts';
import { renderTextPng } from './test-fixtures.ts';

const words =
  'toko kawan pengiriman barang customer support invoice payment returns policy jakarta surabaya'.split(' ');

async function generate(pages: number, file: string) {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  let seed = 7;
  const word = () => words[(seed = (seed * 48271) % 2147483647) % words.length]!;
  for (let p = 1; p <= pages; p++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Section ${p}`, { x: 50, y: 790, size: 20, font });
    for (let l = 0; l < 45; l++) {
      const line = Array.from({ length: 12 }, word).join(' ') + (l % 5 === 4 ? '.' : '');
      page.drawText(line, { x: 50, y: 750 - l * 15, size: 11, font });
    }
  }
  fs.writeFileSync(file, await doc.save());
}

async function parseChild(file: string) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const t0 = performance.now();
  const doc = await parseDocument(bytes, { filename: 'big.pdf', maxPages: 5000 });
  const t1 = performance.now();
  const chunks = chunkPages(doc.pages);
  const t2 = performance.now();
  const chars = doc.pages.reduce((n, p) => n + p.text.length, 0);
  console.log(
    JSON.stringify({
      pages: doc.pages.length,
      chars,
      parseMs: Math.round(t1 - t0),
      chunkMs: Math.round(t2 - t1),
      chunks: chunks.length,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

async function ocrBench(n: number) {
  const png = await renderTextPng([
    'Quarterly invoice total for the Jakarta store',
    'Pengiriman barang dilakukan setiap hari kerja',
    'Customer support replies within one business day',
    'Pembayaran dapat dilakukan dengan transfer bank',
  ]);
  const prepared = (await prepareForOcr(png))!;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await ocrImage(prepared);
    times.push(Math.round(performance.now() - t));
  }
  // A full A4 page scanned at 300 dpi: 2480 px wide, 30 lines of ~12 pt text (glyphs ~50 px high).
  const sentences = [
    'Pengiriman barang dilakukan setiap hari kerja dari gudang',
    'Customer support replies within one business day',
  ];
  const full = await renderTextPng(
    Array.from({ length: 30 }, (_, i) => `${i + 1}. ${sentences[i % 2]}`),
    2480,
  );
  const fullPrepared = (await prepareForOcr(full))!;
  const fullTimes: number[] = [];
  for (let i = 0; i < Math.max(1, n - 1); i++) {
    const t = performance.now();
    const r = await ocrImage(fullPrepared);
    fullTimes.push(Math.round(performance.now() - t));
    if (i === 0)
      console.log(`full page: ${r.text.split('\n').length} lines, confidence ${Math.round(r.confidence)}`);
  }
  await terminateOcr();
  console.log(
    JSON.stringify({
      ocrMsFirstIncludingEngineStart: times[0],
      ocrMsWarm4Lines: times.slice(1),
      ocrMsFullA4Page: fullTimes,
    }),
  );
}

const [mode, a] = process.argv.slice(2);
if (mode === '--child') {
  await parseChild(a!);
} else {
  const pages = Number(mode ?? 1000);
  const ocrPages = Number(a ?? 3);
  const file = path.join(os.tmpdir(), `kawan-bench-${pages}.pdf`);
  const g = performance.now();
  await generate(pages, file);
  console.log(
    `generated ${pages} pages (${(fs.statSync(file).size / 1e6).toFixed(1)} MB) in ${Math.round(performance.now() - g)} ms`,
  );
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', file], { encoding: 'utf8' });
  process.stdout.write(r.stdout + r.stderr);
  fs.rmSync(file, { force: true });
  if (ocrPages > 0) await ocrBench(ocrPages);
}
