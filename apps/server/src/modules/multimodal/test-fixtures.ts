import zlib from 'node:zlib';
import sharp from 'sharp';

/** Images for the multimodal tests, generated at test time. Test-only; not imported by production code. */

/** A plain PNG of one colour (a 4th channel when the colour has alpha, e.g. #00885580). */
export function solid(width: number, height: number, colour: string): Promise<Buffer> {
  const channels = colour.length === 9 ? 4 : 3;
  return sharp({ create: { width, height, channels, background: colour } })
    .png()
    .toBuffer();
}

/** A JPEG shot "by a camera": EXIF with make/model and orientation 6 (stored sideways, shown upright). */
export function cameraJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 200, g: 40, b: 30 } } })
    .composite([
      { input: { create: { width: 100, height: 400, channels: 3, background: '#ffffff' } }, left: 0, top: 0 },
    ])
    .jpeg()
    .withExif({ IFD0: { Make: 'KawanCam', Model: 'Test 1', Copyright: 'GPS secret place' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A PNG whose header claims width × height but holds almost no data: a decompression ("pixel") bomb. */
export function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Smooth colour fields with a little grain: what a photo looks like to colour statistics. */
export function photoLike(): Promise<Buffer> {
  const w = 480;
  const h = 320;
  const raw = Buffer.alloc(w * h * 3);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 25;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] = Math.min(255, (x / w) * 200 + rnd());
      raw[i + 1] = Math.min(255, (y / h) * 180 + rnd());
      raw[i + 2] = Math.min(255, 120 + Math.sin(x / 20) * 60 + rnd());
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .blur(1.5)
    .jpeg()
    .toBuffer();
}
