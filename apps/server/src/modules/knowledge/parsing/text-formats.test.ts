import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from './parse-document.ts';
import { ParseError } from './errors.ts';
import { guessDelimiter } from './csv.ts';
import { flattenJson } from './json.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const code = (c: string) => (e: unknown) => {
  assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
  assert.equal(e.code, c, e.message);
  return true;
};

describe('CSV', () => {
  it('writes one record per row as "header: value" lines', async () => {
    const csv =
      '\ufeffProduk,Harga,Stok\r\nKopi Gayo,"85.000",12\r\n"Teh, melati",25000,\r\n\r\nGula aren,30000,7\r\n';
    const doc = await parseDocument(enc(csv), { filename: 'produk.csv' });
    assert.equal(doc.kind, 'csv');
    assert.equal(
      doc.pages[0]!.text,
      [
        'Produk: Kopi Gayo\nHarga: 85.000\nStok: 12',
        'Produk: Teh, melati\nHarga: 25000', // empty cells are left out
        'Produk: Gula aren\nHarga: 30000\nStok: 7',
      ].join('\n\n'),
    );
  });

  it('detects ";" and tab delimiters', async () => {
    assert.equal(guessDelimiter('nama;kota\nAni;Medan\nBudi;Solo', 'x.csv'), ';');
    assert.equal(guessDelimiter('a\tb\n1\t2', 'x.csv'), '\t');
    assert.equal(guessDelimiter('a,"b;c"\n1,2', 'x.csv'), ',');
    const doc = await parseDocument(enc('nama;kota\nAni;Medan'), { filename: 'x.csv' });
    assert.equal(doc.pages[0]!.text, 'nama: Ani\nkota: Medan');
  });

  it('says "empty" for a header without rows', async () => {
    await assert.rejects(parseDocument(enc('a,b,c\n'), { filename: 'x.csv' }), code('empty'));
  });
});

describe('JSON', () => {
  it('flattens to path: value lines, a paragraph per top-level array element', async () => {
    const json = JSON.stringify([
      { sku: 'A1', name: 'Kopi', tags: ['minuman', 'panas'], price: { idr: 85000 } },
      { sku: 'B2', 'nama produk': 'Teh', stock: null },
    ]);
    const doc = await parseDocument(enc(json), { filename: 'items.json' });
    assert.equal(
      doc.pages[0]!.text,
      '[0].sku: A1\n[0].name: Kopi\n[0].tags[0]: minuman\n[0].tags[1]: panas\n[0].price.idr: 85000\n\n' +
        '[1].sku: B2\n[1]."nama produk": Teh\n[1].stock: null',
    );
  });

  it('handles scalars, empty containers and deep nesting', () => {
    assert.equal(flattenJson('hi').text, '(value): hi');
    assert.equal(flattenJson({ a: [], b: {} }).text, 'a: []\nb: {}');
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = { d: deep };
    assert.match(flattenJson(deep).text, /^d(\.d){63}: \{/);
  });

  it('reports invalid JSON as corrupt', async () => {
    await assert.rejects(parseDocument(enc('{"a": '), { filename: 'x.json' }), code('corrupt'));
  });
});

describe('TXT and Markdown', () => {
  it('keeps text as is, normalising line endings', async () => {
    const doc = await parseDocument(enc('Baris satu\r\nBaris dua  \r\n\r\n\r\n\r\nBaris tiga'), {
      filename: 'a.txt',
    });
    assert.equal(doc.kind, 'text');
    assert.equal(doc.pages[0]!.text, 'Baris satu\nBaris dua\n\nBaris tiga');
    assert.equal(doc.title, undefined);
    const md = await parseDocument(enc('Intro\n\n## Panduan Toko\n\nIsi *penting*.'), { filename: 'a.md' });
    assert.equal(md.kind, 'markdown');
    assert.equal(md.title, 'Panduan Toko');
    assert.equal(md.pages[0]!.text, 'Intro\n\n## Panduan Toko\n\nIsi *penting*.');
  });

  it('says "empty" for whitespace-only files and refuses non-UTF-8 text', async () => {
    await assert.rejects(parseDocument(enc(' \n\n\t'), { filename: 'a.txt' }), code('empty'));
    await assert.rejects(
      parseDocument(new Uint8Array([0x68, 0xe9, 0x6c]), { filename: 'a.txt' }),
      code('unsupported_type'),
    );
  });
});
