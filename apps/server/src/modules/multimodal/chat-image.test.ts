import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { AppError } from '../../platform/errors.ts';
import { terminateOcr } from '../knowledge/parsing/ocr.ts';
import { hasInk, renderTextPng } from '../knowledge/parsing/test-fixtures.ts';
import { prepareChatImage } from './chat-image.ts';
import { solid } from './test-fixtures.ts';

after(() => terminateOcr());

const decode = (dataUrl: string) => {
  const m = /^data:(image\/[a-z]+);base64,(.+)$/.exec(dataUrl);
  assert.ok(m, dataUrl.slice(0, 40));
  return { mime: m[1], bytes: Buffer.from(m[2]!, 'base64') };
};

const code = (c: string) => (e: unknown) => {
  assert.ok(e instanceof AppError, String(e));
  assert.equal(e.code, c, e.message);
  return true;
};

describe('prepareChatImage', () => {
  it('re-encodes a large camera JPEG: upright, longest side 1568, EXIF gone, no OCR unless asked', async () => {
    const jpeg = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#448844' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'KawanCam', Copyright: 'home address' } })
      .withMetadata({ orientation: 8 })
      .toBuffer();
    const img = await prepareChatImage(jpeg);
    assert.equal(img.mimeType, 'image/jpeg');
    assert.deepEqual([img.width, img.height], [1176, 1568]); // orientation 8: shown 3000 × 4000
    assert.equal(img.ocrText, null);
    const { mime, bytes } = decode(img.dataUrl);
    assert.equal(mime, 'image/jpeg');
    assert.equal(bytes.length, img.sizeBytes);
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [1176, 1568]);
    assert.equal(meta.exif, undefined);
    assert.ok(!bytes.includes('KawanCam'));
  });

  it('keeps PNG (and transparency) for PNG input and never enlarges', async () => {
    const png = await solid(300, 200, '#ff000080');
    const img = await prepareChatImage(png);
    assert.equal(img.mimeType, 'image/png');
    assert.deepEqual([img.width, img.height], [300, 200]);
    const meta = await sharp(decode(img.dataUrl).bytes).metadata();
    assert.equal(meta.hasAlpha, true);
  });

  it('reads the text when asked', async (t) => {
    const png = await renderTextPng(['Order 7731 shipped to Bandung']);
    if (!(await hasInk(png))) return t.skip('librsvg rendered no glyphs (no fonts installed)');
    const img = await prepareChatImage(png, { ocr: true });
    assert.match(img.ocrText ?? '', /Order 7731 shipped to Bandung/);
  });

  it('refuses non-images, oversize input and undecodable images with API errors', async () => {
    await assert.rejects(
      prepareChatImage(Buffer.from('<html>not an image</html>')),
      code('unsupported_media_type'),
    );
    const png = await solid(10, 10, '#000000');
    await assert.rejects(prepareChatImage(png, { maxBytes: png.length - 1 }), code('payload_too_large'));
    const truncated = png.subarray(0, 40); // signature + header, no pixel data
    await assert.rejects(prepareChatImage(truncated), code('unprocessable_image'));
  });
});
