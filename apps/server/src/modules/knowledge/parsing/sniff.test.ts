import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ParseError } from './errors.ts';
import { decodeText, detectDocument, DOCX_MIME, sniffDocument } from './sniff.ts';
import { makeDocx, makeTextPdf, makeZip } from './test-fixtures.ts';

const enc = (s: string) => new TextEncoder().encode(s);

async function bothAgree(bytes: Uint8Array, filename: string, declaredMime?: string) {
  const sync = sniffDocument(bytes, filename, declaredMime);
  const full = await detectDocument(bytes, filename, declaredMime);
  assert.deepEqual(sync, full, `sync and file-type sniffing agree for ${filename}`);
  return full;
}

describe('sniffing', () => {
  it('believes the bytes, not the name: a PNG named .pdf is an image, a PDF named .png a PDF', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    assert.deepEqual(await bothAgree(png, 'invoice.pdf', 'application/pdf'), {
      kind: 'image',
      mime: 'image/png',
    });
    const pdf = await makeTextPdf([{ lines: ['hello'] }]);
    assert.deepEqual(await bothAgree(pdf, 'photo.png', 'image/png'), {
      kind: 'pdf',
      mime: 'application/pdf',
    });
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    assert.equal((await bothAgree(jpeg, 'x.txt')).mime, 'image/jpeg');
    const webp = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .webp()
      .toBuffer();
    assert.equal((await bothAgree(webp, 'x')).mime, 'image/webp');
  });

  it('recognises a DOCX from its entries, and refuses other zips', async () => {
    assert.deepEqual(await bothAgree(makeDocx([{ p: 'hi' }]), 'upload.bin'), {
      kind: 'docx',
      mime: DOCX_MIME,
    });
    const zip = makeZip([{ name: 'notes.txt', data: 'hello' }]);
    assert.equal(sniffDocument(zip, 'notes.docx'), null);
    await assert.rejects(detectDocument(zip, 'notes.docx'), (e: ParseError) => e.code === 'unsupported_type');
  });

  it('decides text formats by extension once the bytes are valid UTF-8', async () => {
    const cases: [string, string, string][] = [
      ['a.csv', 'a,b\n1,2', 'csv'],
      ['a.tsv', 'a\tb\n1\t2', 'csv'],
      ['a.json', '{"a":1}', 'json'],
      ['a.HTML', '<p>x</p>', 'html'],
      ['a.md', '# x', 'markdown'],
      ['a.txt', 'plain', 'text'],
      ['README', 'plain', 'text'],
      ['page', '<!DOCTYPE html><html><body>x</body></html>', 'html'],
    ];
    for (const [name, body, kind] of cases) assert.equal((await bothAgree(enc(body), name)).kind, kind, name);
    // Without an extension the declared MIME may choose the text flavour.
    assert.equal(sniffDocument(enc('a,b\n1,2'), 'export', 'text/csv; charset=utf-8')?.kind, 'csv');
    // Text with an extension we do not read is refused rather than guessed.
    assert.equal(sniffDocument(enc('x = 1'), 'script.py'), null);
  });

  it('refuses invalid UTF-8, NUL bytes and unknown binaries', async () => {
    assert.equal(sniffDocument(new Uint8Array([0x61, 0xff, 0xfe, 0x62]), 'a.txt'), null);
    assert.equal(sniffDocument(enc('a\0b'), 'a.txt'), null);
    const gif = enc('GIF89a\x01\x00\x01\x00\x00\x00\x00;');
    assert.equal(sniffDocument(gif, 'a.txt'), null);
    await assert.rejects(detectDocument(gif, 'a.txt'), (e: ParseError) => {
      assert.equal(e.code, 'unsupported_type');
      assert.match(e.message, /image\/gif/);
      return true;
    });
    await assert.rejects(detectDocument(new Uint8Array(), 'a.txt'), (e: ParseError) => e.code === 'empty');
  });

  it('decodes UTF-8 (BOM dropped) and UTF-16 with a BOM', () => {
    assert.equal(decodeText(enc('\ufeffhalo')), 'halo');
    assert.equal(decodeText(new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00])), 'hi');
    // Only the first 64 KiB is sniffed; a multi-byte character cut at that edge must not fail the sniff.
    const big = enc(`${'a'.repeat(64 * 1024 - 1)}é and more`);
    assert.equal(sniffDocument(big, 'big.txt')?.kind, 'text');
  });
});

describe('text that looks like a container to file-type', () => {
  it('stays text when it strictly decodes as UTF-8 with a text extension', async () => {
    const bytes = new TextEncoder().encode(
      'abcdftypqt   the index of the catalogue is kept by the librarian.',
    );
    const d = await detectDocument(bytes, 'doc.txt');
    assert.equal(d.kind, 'text');
  });
});
