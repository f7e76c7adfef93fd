import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { parseDocument } from './parse-document.ts';
import { ParseError } from './errors.ts';
import { cleanOcrText, terminateOcr } from './ocr.ts';
import { prepareForOcr } from './image.ts';
import { hasInk, renderTextPng } from './test-fixtures.ts';

const code = (c: string) => (e: unknown) => {
  assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
  assert.equal(e.code, c, e.message);
  return true;
};

after(() => terminateOcr());

/** A PNG whose header claims width × height but holds one tiny IDAT: a decompression ("pixel") bomb. */
function pngClaiming(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      sig,
      chunk('IHDR', ihdr),
      chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('images', () => {
  it('OCRs a PNG (given a misleading .pdf name and MIME)', async (t) => {
    const png = await renderTextPng(['Kawan customer support', 'Pembayaran diterima dengan baik']);
    if (!(await hasInk(png))) {
      t.skip('librsvg rendered no glyphs (no fonts installed)');
      return;
    }
    const started = performance.now();
    const doc = await parseDocument(png, { filename: 'receipt.pdf', declaredMime: 'application/pdf' });
    t.diagnostic(`PNG OCR (cold, includes engine start) took ${Math.round(performance.now() - started)} ms`);
    assert.equal(doc.kind, 'image');
    assert.equal(doc.mime, 'image/png');
    assert.deepEqual(doc.warnings, ['The file was declared as application/pdf but its content is image/png']);
    assert.equal(doc.pages.length, 1);
    assert.equal(doc.pages[0]!.ocr, true);
    const text = doc.pages[0]!.text.toLowerCase();
    for (const w of ['customer', 'support', 'pembayaran', 'diterima'])
      assert.ok(text.includes(w), `"${w}" in ${text}`);
  });

  it('normalises for OCR: greyscale, alpha onto white, small images upscaled, huge ones downscaled', async () => {
    const small = await sharp({
      create: { width: 300, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const out = await sharp((await prepareForOcr(small))!).metadata();
    assert.equal(out.width, 600);
    assert.equal(out.channels, 1);
    const { channels } = await sharp((await prepareForOcr(small))!).stats();
    assert.equal(channels[0]!.mean, 255, 'transparent became white, not black');
    const big = await sharp({ create: { width: 6000, height: 1000, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    assert.equal((await sharp((await prepareForOcr(big))!).metadata()).width, 3000);
    const tiny = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    assert.equal(await prepareForOcr(tiny), null);
  });

  it('refuses pixel bombs and undecodable images without OCRing them', async () => {
    await assert.rejects(
      parseDocument(pngClaiming(40_000, 40_000), { filename: 'bomb.png' }),
      code('too_large_uncompressed'),
    );
    const broken = (await renderTextPng(['x'])).subarray(0, 200);
    await assert.rejects(parseDocument(broken, { filename: 'broken.png' }), code('corrupt'));
    const png = await renderTextPng(['x']);
    await assert.rejects(parseDocument(png, { filename: 'a.png', ocr: false }), code('empty'));
  });

  it('tidies OCR output', () => {
    assert.equal(cleanOcrText('  Hello   world \r\n\n\n\nnext\tline  \n'), 'Hello world\n\nnext line');
  });
});
