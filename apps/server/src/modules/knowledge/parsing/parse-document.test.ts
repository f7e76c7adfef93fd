import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, ParseError } from './parse-document.ts';
import { makeDocx, makeTextPdf, makeZip } from './test-fixtures.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('parseDocument', () => {
  it('reports progress 0 → 100 and survives a throwing progress callback', async () => {
    const seen: number[] = [];
    await parseDocument(enc('halo'), { filename: 'a.txt', onProgress: (p) => seen.push(p) });
    assert.deepEqual(seen, [0, 100]);
    const doc = await parseDocument(enc('halo'), {
      filename: 'a.txt',
      onProgress: () => {
        throw new Error('db down');
      },
    });
    assert.equal(doc.pages[0]!.text, 'halo');
  });

  it('warns when the declared type contradicts the content, not for text flavours', async () => {
    const pdf = await makeTextPdf([{ lines: ['hello'] }]);
    const lied = await parseDocument(pdf, { filename: 'x.docx', declaredMime: DOCX });
    assert.equal(lied.kind, 'pdf');
    assert.deepEqual(lied.warnings, [`The file was declared as ${DOCX} but its content is application/pdf`]);
    const csv = await parseDocument(enc('a,b\n1,2'), { filename: 'x.csv', declaredMime: 'text/plain' });
    assert.deepEqual(csv.warnings, []);
  });

  it('refuses types it does not parse with unsupported_type', async () => {
    const xlsx = makeZip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
    ]);
    for (const [bytes, name] of [
      [xlsx, 'sheet.xlsx'],
      [enc('GIF89a\x01\x00\x01\x00\x80\x00\x00'), 'anim.gif'],
      [new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'tool.txt'],
    ] as const) {
      await assert.rejects(parseDocument(bytes, { filename: name }), (e: unknown) => {
        assert.ok(e instanceof ParseError && e.code === 'unsupported_type', `${name}: ${String(e)}`);
        return true;
      });
    }
  });

  it('never throws anything but ParseError on damaged PDFs and DOCX files', async () => {
    const sources = [
      await makeTextPdf([{ heading: 'T', lines: ['a b c', 'd e f'] }]),
      makeDocx([{ p: 'hello' }]),
    ];
    let x = 42;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    let failures = 0;
    for (let round = 0; round < 40; round++) {
      const src = sources[round % 2]!;
      const bytes = new Uint8Array(src);
      // Keep the magic number so the damaged file still goes to its parser.
      for (let k = 0; k < 1 + Math.floor(rnd() * 20); k++) {
        bytes[8 + Math.floor(rnd() * (bytes.length - 8))] = Math.floor(rnd() * 256);
      }
      const cut = rnd() < 0.3 ? bytes.subarray(0, Math.floor(bytes.length * rnd())) : bytes;
      try {
        await parseDocument(cut, { filename: round % 2 ? 'f.docx' : 'f.pdf', ocr: false });
      } catch (err) {
        failures++;
        assert.ok(err instanceof ParseError, `round ${round}: ${String(err)}`);
      }
    }
    assert.ok(failures > 0, 'some damaged files must fail');
  });
});

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
