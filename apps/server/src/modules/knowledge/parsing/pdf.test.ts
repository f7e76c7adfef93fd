import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument } from 'pdf-lib';
import { parseDocument } from './parse-document.ts';
import { ParseError } from './errors.ts';
import { terminateOcr } from './ocr.ts';
import { chunkPages } from './chunk.ts';
import { hasInk, makeEncryptedPdf, makeScannedPdf, makeTextPdf, renderTextPng } from './test-fixtures.ts';

const code = (c: string) => (e: unknown) => {
  assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
  assert.equal(e.code, c, e.message);
  return true;
};

after(() => terminateOcr());

describe('PDF', () => {
  it('extracts text per page with page numbers, headings and progress', async () => {
    const bytes = await makeTextPdf(
      [
        { heading: 'Introduction', lines: ['Kawan reads PDFs page by page.', 'Citations point at pages.'] },
        { lines: ['The second page talks about shipping to Surabaya.'] },
        { heading: 'Returns', lines: ['Page three: returns within 30 days.'] },
      ],
      'Store Handbook',
    );
    const progress: number[] = [];
    const doc = await parseDocument(bytes, { filename: 'handbook.pdf', onProgress: (p) => progress.push(p) });
    assert.equal(doc.kind, 'pdf');
    assert.equal(doc.mime, 'application/pdf');
    assert.equal(doc.title, 'Store Handbook');
    assert.deepEqual(
      doc.pages.map((p) => [p.page, p.ocr]),
      [
        [1, false],
        [2, false],
        [3, false],
      ],
    );
    assert.equal(
      doc.pages[0]!.text,
      '# Introduction\n\nKawan reads PDFs page by page.\nCitations point at pages.',
    );
    assert.equal(doc.pages[1]!.text, 'The second page talks about shipping to Surabaya.');
    assert.match(doc.pages[2]!.text, /^# Returns\n\nPage three: returns within 30 days\.$/);
    assert.deepEqual(doc.warnings, []);
    assert.equal(progress[0], 0);
    assert.equal(progress.at(-1), 100);
    assert.ok(
      progress.every((p, i) => i === 0 || p > progress[i - 1]!),
      `monotonic: ${progress.join(',')}`,
    );
    assert.ok(progress.length >= 5, 'reports per page');

    const chunks = chunkPages(doc.pages);
    assert.deepEqual(
      chunks.map((c) => [c.page, c.heading]),
      [
        [1, 'Introduction'],
        [2, 'Introduction'],
        [3, 'Returns'],
      ],
    );
  });

  it('refuses more pages than maxPages', async () => {
    const bytes = await makeTextPdf(Array.from({ length: 5 }, (_, i) => ({ lines: [`page ${i + 1}`] })));
    await assert.rejects(parseDocument(bytes, { filename: 'a.pdf', maxPages: 4 }), code('too_many_pages'));
    assert.equal((await parseDocument(bytes, { filename: 'a.pdf', maxPages: 5 })).pages.length, 5);
  });

  it('reports encrypted and corrupt PDFs with typed errors', async () => {
    await assert.rejects(
      parseDocument(await makeEncryptedPdf(), { filename: 'locked.pdf' }),
      code('encrypted'),
    );
    const garbage = new TextEncoder().encode(`%PDF-1.7\n${'garbage '.repeat(500)}\n%%EOF`);
    await assert.rejects(parseDocument(garbage, { filename: 'bad.pdf' }), code('corrupt'));
    const good = await makeTextPdf([{ lines: ['truncated soon'] }]);
    await assert.rejects(parseDocument(good.subarray(0, 400), { filename: 'cut.pdf' }), code('corrupt'));
  });

  it('says "empty" for a PDF without any text, and warns when OCR is off for scans', async () => {
    const blank = await PDFDocument.create();
    blank.addPage();
    await assert.rejects(
      parseDocument(new Uint8Array(await blank.save()), { filename: 'b.pdf' }),
      code('empty'),
    );
    const png = await renderTextPng(['Scanned page']);
    const scanned = await makeScannedPdf([png]);
    await assert.rejects(parseDocument(scanned, { filename: 's.pdf', ocr: false }), (e: ParseError) => {
      assert.equal(e.code, 'empty');
      assert.match(e.message, /1 page\(s\) look scanned but OCR is disabled/);
      return true;
    });
  });

  it('OCRs pages without a text layer, in English and Indonesian', async (t) => {
    const english = await renderTextPng(['Quarterly invoice total', 'Payment is overdue since March']);
    const indonesian = await renderTextPng([
      'Pengiriman barang dilakukan',
      'setiap hari kerja. Terima kasih',
    ]);
    if (!(await hasInk(english))) {
      t.skip('librsvg rendered no glyphs (no fonts installed): cannot make a scan fixture');
      return;
    }
    const pdf = await makeTextPdf([{ lines: ['This first page has a real text layer.'] }]);
    // Append two image-only pages to a text page: only those two must be OCRed.
    const scanned = await PDFDocument.load(await makeScannedPdf([english, indonesian]));
    const merged = await PDFDocument.load(pdf);
    for (const p of await merged.copyPages(scanned, [0, 1])) merged.addPage(p);
    const bytes = new Uint8Array(await merged.save());

    const started = performance.now();
    const doc = await parseDocument(bytes, { filename: 'scan.pdf' });
    const ms = performance.now() - started;
    t.diagnostic(
      `3-page PDF with 2 scanned pages parsed in ${Math.round(ms)} ms (includes OCR engine start)`,
    );
    assert.deepEqual(
      doc.pages.map((p) => p.ocr),
      [false, true, true],
    );
    assert.equal(doc.pages[0]!.text, 'This first page has a real text layer.');
    const en = doc.pages[1]!.text.toLowerCase();
    for (const w of ['quarterly', 'invoice', 'overdue'])
      assert.ok(en.includes(w), `"${w}" in ${JSON.stringify(en)}`);
    const id = doc.pages[2]!.text.toLowerCase();
    for (const w of ['pengiriman', 'barang', 'terima'])
      assert.ok(id.includes(w), `"${w}" in ${JSON.stringify(id)}`);
  });
});
