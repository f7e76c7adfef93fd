import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from './parse-document.ts';
import { ParseError } from './errors.ts';
import { readCentralDirectory } from './zip.ts';
import { sniffDocument } from './sniff.ts';
import { docxParts, makeDocx, makeZip } from './test-fixtures.ts';

const code = (c: string) => (e: unknown) => {
  assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
  assert.equal(e.code, c, e.message);
  return true;
};

describe('DOCX', () => {
  it('keeps headings as Markdown headings and tables as pipe tables', async () => {
    const bytes = makeDocx([
      { heading: 1, text: 'Kebijakan Pengembalian' },
      { p: 'Barang dapat dikembalikan dalam 30 hari setelah diterima.' },
      { heading: 2, text: 'Biaya pengiriman' },
      {
        table: [
          ['Kota', 'Ongkir', 'Estimasi'],
          ['Jakarta', 'Rp 10.000', '1 hari'],
          ['Surabaya', 'Rp 18.000', '3 hari'],
        ],
      },
      { p: 'Hubungi kami untuk pertanyaan lain.' },
    ]);
    const doc = await parseDocument(bytes, { filename: 'kebijakan.docx' });
    assert.equal(doc.kind, 'docx');
    assert.equal(doc.title, 'Kebijakan Pengembalian');
    assert.equal(doc.pages.length, 1);
    const text = doc.pages[0]!.text;
    assert.match(text, /^# Kebijakan Pengembalian$/m);
    assert.match(text, /^## Biaya pengiriman$/m);
    assert.match(text, /^\| Kota \| Ongkir \| Estimasi \|$/m);
    assert.match(text, /^\| Surabaya \| Rp 18\.000 \| 3 hari \|$/m);
    assert.match(text, /Barang dapat dikembalikan dalam 30 hari/);
    assert.match(text, /Hubungi kami/);
  });

  it('refuses a zip bomb by its declared uncompressed size before inflating anything', async () => {
    // 4 GiB declared for document.xml; the real content is tiny: refused on the central directory alone.
    const parts = docxParts([{ p: 'boom' }]).map((p) =>
      p.name === 'word/document.xml' ? { ...p, declaredSize: 0xfffffff0 } : p,
    );
    await assert.rejects(
      parseDocument(makeZip(parts), { filename: 'bomb.docx' }),
      code('too_large_uncompressed'),
    );
  });

  it('refuses an entry that inflates past the size it declares (lying headers)', async () => {
    const zeros = new Uint8Array(5_000_000); // deflates to ~5 KB
    const parts = [
      ...docxParts([{ p: 'x' }]),
      { name: 'word/media/pad.bin', data: zeros, declaredSize: 1000 },
    ];
    const bytes = makeZip(parts);
    assert.ok(bytes.length < 50_000);
    await assert.rejects(parseDocument(bytes, { filename: 'liar.docx' }), code('too_large_uncompressed'));
  });

  it('refuses archives with too many entries', async () => {
    const many = Array.from({ length: 2100 }, (_, i) => ({ name: `word/x${i}.xml`, data: '' }));
    await assert.rejects(
      parseDocument(makeZip([...docxParts([{ p: 'x' }]), ...many]), { filename: 'many.docx' }),
      code('too_many_entries'),
    );
  });

  it('reports encrypted entries and broken archives with their own codes', async () => {
    const bytes = makeDocx([{ p: 'secret' }]);
    const cd = readCentralDirectory(bytes);
    // Set the "encrypted" flag bit on the first entry in both headers.
    const b = Buffer.from(bytes);
    b.writeUInt16LE(b.readUInt16LE(cd[0]!.localHeaderOffset + 6) | 1, cd[0]!.localHeaderOffset + 6);
    const cdStart = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    b.writeUInt16LE(b.readUInt16LE(cdStart + 8) | 1, cdStart + 8);
    await assert.rejects(parseDocument(new Uint8Array(b), { filename: 's.docx' }), code('encrypted'));

    const truncated = bytes.subarray(0, bytes.length - 30);
    await assert.rejects(parseDocument(truncated, { filename: 't.docx' }), code('corrupt'));
    // The upload-time sniff lets it through as a DOCX so the user hears "damaged", not "unsupported".
    assert.equal(sniffDocument(truncated, 't.docx')?.kind, 'docx');
    const garbage = makeZip(
      docxParts([{ p: 'x' }]).map((p) =>
        p.name === 'word/document.xml' ? { ...p, data: 'not xml at all <<<' } : p,
      ),
    );
    await assert.rejects(parseDocument(garbage, { filename: 'g.docx' }), code('corrupt'));
  });
});
