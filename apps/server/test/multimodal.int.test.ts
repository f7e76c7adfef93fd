import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { hasInk, renderTextPng } from '../src/modules/knowledge/parsing/test-fixtures.ts';
import { cameraJpeg, photoLike, pngClaiming, solid } from '../src/modules/multimodal/test-fixtures.ts';
import { startServer, type TestServer } from './harness.ts';
import { addMember, registerUser, type TestUser } from './factories.ts';
import { startLlmTestServer, type LlmTestServer } from './llm-server/server.ts';

/**
 * Multimodal endpoints over HTTP: OCR (words + boxes, English and Indonesian), process-image (resize, convert,
 * thumbnail, EXIF strip, metadata), analyze (offline: OCR text + image facts) and the refusals (not an image,
 * corrupt, pixel bomb, too many bytes); analyze with a vision model goes to the OpenAI-compatible test server.
 * Every image is generated here. OCR costs ~1–3 s per image on this
 * machine, so only four images are OCRed.
 */

const MAX_IMAGE_BYTES = 2_000_000;

interface Posted {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: any;
}

describe('multimodal', () => {
  let s: TestServer;
  let owner: TestUser;
  let member: TestUser;
  let base: string;
  let english: Buffer;
  let indonesian: Buffer;
  let fontsOk = true;

  before(async () => {
    s = await startServer('pglite', { MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) });
    owner = await registerUser(s);
    member = await addMember(s, owner, 'member');
    base = `/api/v1/orgs/${owner.orgId}/multimodal`;
    // 900 px wide: below the OCR preparation's 1000 px, so the engine sees a 2× upscaled copy and the boxes
    // must be scaled back to be right.
    english = await renderTextPng(['Invoice number 4521', 'Total due: 1,250 dollars'], 900);
    indonesian = await renderTextPng(
      ['Pembayaran diterima dengan baik', 'Terima kasih atas pesanan anda'],
      1100,
    );
    fontsOk = await hasInk(english);
  });
  after(async () => s?.close());

  async function post(
    path: string,
    file: { bytes: Uint8Array; name?: string; type?: string },
    fields: Record<string, string> = {},
    token = member.token,
  ): Promise<Posted> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([file.bytes], { type: file.type ?? 'image/png' }), file.name ?? 'image.png');
    const res = await fetch(`${s.url}${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const json = (res.headers.get('content-type') ?? '').includes('json')
      ? JSON.parse(bytes.toString())
      : null;
    return { status: res.status, headers: res.headers, bytes, json };
  }

  it('OCRs English text with word and line boxes in the pixels of the uploaded image', async (t) => {
    if (!fontsOk) return t.skip('librsvg rendered no glyphs (no fonts installed)');
    const res = await post('/ocr', { bytes: english }, { langs: 'eng' });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const r = res.json;
    t.diagnostic(`OCR took ${r.durationMs} ms (first call includes the engine start)`);
    assert.match(r.text, /Invoice number 4521/);
    assert.match(r.text, /1,250/);
    assert.equal(r.language, 'en');
    assert.equal(r.langs, 'eng');
    assert.deepEqual([r.width, r.height], [900, 240]);
    assert.ok(r.confidence > 70, `confidence ${r.confidence}`);
    assert.equal(r.lines.length, 2);
    assert.equal(r.lines[0].wordCount, 3);
    const words = r.words.map((w: { text: string }) => w.text);
    assert.deepEqual(words.slice(0, 3), ['Invoice', 'number', '4521']);
    const [invoice, number] = r.words;
    // The SVG draws the first line at x = 40 with its baseline at y = 90 (52 px glyphs): boxes in the
    // 2× upscaled copy the engine saw would start near x = 80, y = 100.
    assert.ok(invoice.bbox.x0 >= 30 && invoice.bbox.x0 <= 55, JSON.stringify(invoice.bbox));
    assert.ok(invoice.bbox.y0 >= 40 && invoice.bbox.y0 <= 65, JSON.stringify(invoice.bbox));
    assert.ok(invoice.bbox.y1 > invoice.bbox.y0 && invoice.bbox.y1 <= 110, JSON.stringify(invoice.bbox));
    assert.ok(number.bbox.x0 > invoice.bbox.x1, 'words are in reading order, left to right');
    const second = r.lines[1];
    assert.ok(second.bbox.y0 > r.lines[0].bbox.y1, 'the second line is below the first');
    assert.ok(
      r.words.every((w: { bbox: { x1: number; y1: number } }) => w.bbox.x1 <= 900 && w.bbox.y1 <= 240),
    );
  });

  it('OCRs Indonesian text sent as JSON (data: URL) and names the language', async (t) => {
    if (!fontsOk) return t.skip('librsvg rendered no glyphs (no fonts installed)');
    const res = await s.request('POST', `${base}/ocr`, {
      token: member.token,
      body: { image: `data:image/png;base64,${indonesian.toString('base64')}` },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.langs, 'eng+ind');
    assert.equal(res.body.language, 'id');
    assert.match(res.body.text.toLowerCase(), /pembayaran diterima dengan baik/);
    assert.match(res.body.text.toLowerCase(), /pesanan/);
    assert.ok(res.body.words.length >= 8);
  });

  it('reads metadata without processing (upright size, EXIF present)', async () => {
    const res = await post('/process-image?output=metadata', {
      bytes: await cameraJpeg(),
      type: 'image/jpeg',
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json.input, {
      format: 'jpeg',
      mimeType: 'image/jpeg',
      width: 400, // orientation 6: stored 600 × 400, shown 400 × 600
      height: 600,
      size: res.json.input.size,
      hasAlpha: false,
      exifPresent: true,
    });
    assert.equal(res.json.output, undefined);
  });

  it('resizes and converts, turning the image upright and stripping EXIF by default', async () => {
    const jpeg = await cameraJpeg();
    const res = await post(
      '/process-image',
      { bytes: jpeg, type: 'image/jpeg' },
      { width: '200', format: 'webp' },
    );
    assert.equal(res.status, 200, res.bytes.toString().slice(0, 300));
    assert.equal(res.headers.get('content-type'), 'image/webp');
    const meta = await sharp(res.bytes).metadata();
    assert.equal(meta.format, 'webp');
    assert.deepEqual([meta.width, meta.height], [200, 300]);
    assert.equal(meta.exif, undefined, 'EXIF is gone');
    assert.ok(!res.bytes.includes('KawanCam') && !res.bytes.includes('GPS secret place'));
    // Upright: the white band stored on the left of the sideways image is now at the top.
    const { data } = await sharp(res.bytes)
      .extract({ left: 100, top: 5, width: 1, height: 1 })
      .raw()
      .toBuffer({
        resolveWithObject: true,
      });
    assert.ok(data[0]! > 220 && data[1]! > 220 && data[2]! > 220, `top is white: ${[...data]}`);

    // Control: asked to keep it, the same EXIF survives — so the check above can fail.
    const kept = await post(
      '/process-image',
      { bytes: jpeg, type: 'image/jpeg' },
      { width: '200', stripMetadata: 'false' },
    );
    assert.equal(kept.status, 200);
    assert.equal(kept.headers.get('content-type'), 'image/jpeg');
    const keptMeta = await sharp(kept.bytes).metadata();
    assert.ok(keptMeta.exif && keptMeta.exif.includes('KawanCam'), 'EXIF kept on request');
    assert.equal(keptMeta.orientation ?? 1, 1, 'pixels are upright, so no orientation tag is left to apply');
  });

  it('makes square thumbnails and returns JSON with base64 on output=json', async () => {
    const png = await solid(300, 120, '#00885580');
    const res = await post('/process-image?output=json', { bytes: png }, { thumbnail: '64' });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.input.width, 300);
    assert.deepEqual(
      { ...res.json.output, size: 0 },
      {
        format: 'png',
        mimeType: 'image/png',
        width: 64,
        height: 64,
        size: 0,
        hasAlpha: true,
        exifPresent: false,
      },
    );
    const out = Buffer.from(res.json.data, 'base64');
    assert.equal(out.length, res.json.output.size);
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 64]);

    // Same request as JSON, converted to JPEG at low quality: the alpha is flattened away.
    const j = await s.request('POST', `${base}/process-image?output=json`, {
      token: member.token,
      body: { image: png.toString('base64'), width: 150, format: 'jpeg', quality: 40 },
    });
    assert.equal(j.status, 200, JSON.stringify(j.body));
    assert.equal(j.body.output.format, 'jpeg');
    assert.deepEqual([j.body.output.width, j.body.output.height], [150, 60]);
    assert.equal(j.body.output.hasAlpha, false);
    // Half-transparent green on white, not on black (what dropping the alpha channel alone gives).
    const { data: px } = await sharp(Buffer.from(j.body.data, 'base64'))
      .extract({ left: 75, top: 30, width: 1, height: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.ok(px[0]! > 100 && px[1]! > 150, `flattened onto white: ${[...px]}`);
  });

  it('rejects contradictory or malformed options with the field named', async () => {
    const png = await solid(40, 40, '#123456');
    const both = await post('/process-image', { bytes: png }, { thumbnail: '64', width: '100' });
    assert.equal(both.status, 400);
    assert.equal(both.json.error.code, 'validation_failed');
    const bad = await post('/process-image', { bytes: png }, { width: 'wide', format: 'bmp' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.error.details.map((d: { path: string }) => d.path).sort(), [
      'body.format',
      'body.width',
    ]);
  });

  it('analyzes offline: OCR text plus image facts, labelled as such', async (t) => {
    if (!fontsOk) return t.skip('librsvg rendered no glyphs (no fonts installed)');
    const doc = await post('/analyze', { bytes: english }, { prompt: 'What is the total?' });
    assert.equal(doc.status, 200, JSON.stringify(doc.json));
    const a = doc.json;
    assert.equal(a.method, 'offline');
    assert.equal(a.model, null);
    assert.equal(a.usage, null);
    assert.match(a.text, /Invoice number 4521/);
    assert.equal(a.facts.kind, 'document');
    assert.deepEqual([a.facts.width, a.facts.height, a.facts.format], [900, 240, 'png']);
    assert.equal(a.facts.colours[0].name, 'white');
    assert.ok(
      a.facts.colours.some((c: { name: string }) => c.name === 'black'),
      JSON.stringify(a.facts),
    );
    assert.ok(a.ocr.textCoverage > 0.05 && a.ocr.wordCount >= 6, JSON.stringify(a.ocr));
    assert.match(a.description, /document/);
    assert.match(a.description, /Invoice number 4521/);

    const photo = await post('/analyze', { bytes: await photoLike(), type: 'image/jpeg' });
    assert.equal(photo.status, 200, JSON.stringify(photo.json));
    assert.equal(photo.json.method, 'offline');
    assert.equal(photo.json.facts.kind, 'photo');
    assert.ok(photo.json.facts.colours.length >= 3, JSON.stringify(photo.json.facts.colours));
    assert.equal(photo.json.text, '', 'no legible text in a photo of colour fields');
    assert.match(photo.json.description, /photo/);
  });

  it('says why it answered offline when a model was named but is not configured', async () => {
    const png = await solid(40, 40, '#123456');
    const builtin = await post('/analyze', { bytes: png }, { model: 'builtin/extractive' });
    assert.equal(builtin.status, 200, JSON.stringify(builtin.json));
    assert.equal(builtin.json.method, 'offline');
    assert.match(builtin.json.note, /builtin\/extractive has no vision/);
    assert.equal(builtin.json.facts.kind, 'graphic');
  });

  describe('with a vision model (OpenAI-compatible test server)', () => {
    let llm: LlmTestServer;
    let providerId: string;

    before(async () => {
      llm = await startLlmTestServer({
        reply: 'A wide blue banner with a yellow stripe.',
        models: [{ id: 'kawan-test-vision' }, { id: 'kawan-test-chat' }],
      });
      const res = await s.request('POST', `/api/v1/orgs/${owner.orgId}/providers`, {
        token: owner.token,
        body: {
          name: 'Vision test server',
          baseUrl: llm.url,
          maxRetries: 0,
          models: [
            { id: 'kawan-test-vision', vision: true },
            { id: 'kawan-test-chat', vision: false },
          ],
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      providerId = res.body.id;
    });
    after(async () => llm?.close());

    const banner = () =>
      sharp({ create: { width: 2000, height: 500, channels: 3, background: '#1144cc' } })
        .composite([
          {
            input: { create: { width: 2000, height: 100, channels: 3, background: '#ffdd00' } },
            left: 0,
            top: 200,
          },
        ])
        .jpeg()
        .withExif({ IFD0: { Make: 'KawanCam' } })
        .toBuffer();

    it('sends the question and the image (re-encoded, ≤ 1568 px, no EXIF) and returns the description', async () => {
      const before = llm.requests.length;
      const res = await post(
        '/analyze',
        { bytes: await banner(), type: 'image/jpeg' },
        { model: `${providerId}/kawan-test-vision`, prompt: 'What colours are in the banner?' },
      );
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const a = res.json;
      assert.equal(a.method, 'vision');
      assert.equal(a.model, `${providerId}/kawan-test-vision`);
      assert.equal(a.description, 'A wide blue banner with a yellow stripe.');
      assert.equal(a.text, null);
      assert.equal(a.note, null);
      assert.ok(a.usage.completionTokens > 0, JSON.stringify(a.usage));
      assert.deepEqual([a.facts.width, a.facts.height, a.facts.kind], [2000, 500, null]);
      assert.deepEqual(
        a.facts.colours.map((c: { name: string }) => c.name),
        ['blue', 'yellow'],
      );

      const sent = llm.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.body.model, 'kawan-test-vision');
      const user = sent[0]!.body.messages.find((m: { role: string }) => m.role === 'user');
      const text = user.content.find((p: { type: string }) => p.type === 'text');
      const image = user.content.find((p: { type: string }) => p.type === 'image_url');
      assert.equal(text.text, 'What colours are in the banner?');
      const m = /^data:image\/jpeg;base64,(.+)$/.exec(image.image_url.url);
      assert.ok(m, image.image_url.url.slice(0, 40));
      const meta = await sharp(Buffer.from(m[1]!, 'base64')).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1568, 392]);
      assert.equal(meta.exif, undefined);
    });

    it('answers offline, saying why, when the model cannot see or the provider fails', async () => {
      const png = await solid(60, 60, '#cc2222');
      const blind = await post('/analyze', { bytes: png }, { model: `${providerId}/kawan-test-chat` });
      assert.equal(blind.status, 200, JSON.stringify(blind.json));
      assert.equal(blind.json.method, 'offline');
      assert.match(blind.json.note, /cannot see images/);
      assert.equal(blind.json.facts.colours[0].name, 'red');

      const failing = await post(
        '/analyze',
        { bytes: png },
        { model: `${providerId}/kawan-test-vision`, prompt: '[[error:500]] describe' },
      );
      assert.equal(failing.status, 200, JSON.stringify(failing.json));
      assert.equal(failing.json.method, 'offline');
      assert.match(failing.json.note, /kawan-test-vision failed/);

      const unknown = await post('/analyze', { bytes: png }, { model: 'prv_0000000000nothere/x' });
      assert.equal(unknown.status, 409);
      assert.equal(unknown.json.error.code, 'model_not_configured');
    });
  });

  it('refuses what is not an image by its content (415), whatever its name and declared type', async () => {
    const text = await post('/ocr', { bytes: Buffer.from('just some text, not pixels'), name: 'photo.png' });
    assert.equal(text.status, 415);
    assert.equal(text.json.error.code, 'unsupported_media_type');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
    const asSvg = await post('/process-image', { bytes: svg, name: 'x.svg', type: 'image/svg+xml' });
    assert.equal(asSvg.status, 415);
    const pdf = await post('/analyze', { bytes: Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n') });
    assert.equal(pdf.status, 415);
    assert.match(pdf.json.error.message, /application\/pdf/);
    const json = await s.request('POST', `${base}/ocr`, {
      token: member.token,
      body: { image: Buffer.from('GIF89a not really').toString('base64') },
    });
    assert.ok([415, 422].includes(json.status), JSON.stringify(json.body));
  });

  it('answers a corrupt image with 422 and a pixel bomb with 413, before decoding it', async () => {
    const good = await solid(200, 200, '#336699');
    const idat = good.indexOf('IDAT');
    const broken = Buffer.from(good);
    broken.fill(0x55, idat + 4, Math.min(idat + 60, broken.length - 12)); // scramble the compressed pixels
    const corrupt = await post('/process-image', { bytes: broken }, { width: '50' });
    assert.equal(corrupt.status, 422, corrupt.bytes.toString().slice(0, 300));
    assert.equal(corrupt.json.error.code, 'unprocessable_image');

    const bomb = await post('/ocr', { bytes: pngClaiming(30_000, 30_000) });
    assert.equal(bomb.status, 413);
    assert.equal(bomb.json.error.code, 'payload_too_large');
    assert.match(bomb.json.error.message, /pixels/);
  });

  it('enforces MAX_IMAGE_BYTES on multipart and JSON uploads', async () => {
    const big = Buffer.concat([await solid(8, 8, '#fff'), Buffer.alloc(MAX_IMAGE_BYTES)]);
    const multipart = await post('/process-image', { bytes: big });
    assert.equal(multipart.status, 413);
    assert.equal(multipart.json.error.code, 'payload_too_large');
    const json = await s.request('POST', `${base}/process-image`, {
      token: member.token,
      body: { image: big.toString('base64') },
    });
    assert.equal(json.status, 413, JSON.stringify(json.body));
  });

  it('needs the member role: a viewer is refused', async () => {
    const viewer = await addMember(s, owner, 'viewer');
    const png = await solid(20, 20, '#000');
    const res = await post('/process-image?output=metadata', { bytes: png }, {}, viewer.token);
    assert.equal(res.status, 403);
    const ok = await post('/process-image?output=metadata', { bytes: png }, {}, member.token);
    assert.equal(ok.status, 200);
  });
});
