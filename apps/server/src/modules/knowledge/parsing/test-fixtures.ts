/**
 * Builders for the parser tests: every fixture is generated at test time (no binary files in the repo).
 * Test-only; not imported by production code.
 */
import zlib from 'node:zlib';
import { PDFDocument, PDFHexString, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';

export interface ZipInput {
  name: string;
  data: string | Uint8Array;
  /** Default deflate. */
  store?: boolean;
  /** Lie in the headers about the uncompressed size (zip-bomb tests). */
  declaredSize?: number;
}

/** A minimal, valid ZIP writer (local headers + central directory + EOCD), enough for DOCX fixtures. */
export function makeZip(inputs: ZipInput[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of inputs) {
    const raw = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : Buffer.from(f.data);
    const body = f.store ? raw : zlib.deflateRawSync(raw);
    const name = Buffer.from(f.name, 'utf8');
    const size = f.declaredSize ?? raw.length;
    const crc = zlib.crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(f.store ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(f.store ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(inputs.length, 8);
  eocd.writeUInt16LE(inputs.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export type DocxBlock = { heading: 1 | 2; text: string } | { p: string } | { table: string[][] };

/** The OOXML parts mammoth needs: content types, package rels, styles (heading names), the document. */
export function docxParts(blocks: DocxBlock[]): ZipInput[] {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  const run = (t: string) => `<w:r><w:t xml:space="preserve">${esc(t)}</w:t></w:r>`;
  const body = blocks
    .map((b) => {
      if ('heading' in b)
        return `<w:p><w:pPr><w:pStyle w:val="Heading${b.heading}"/></w:pPr>${run(b.text)}</w:p>`;
      if ('p' in b) return `<w:p>${run(b.p)}</w:p>`;
      const rows = b.table
        .map((r) => `<w:tr>${r.map((c) => `<w:tc><w:p>${run(c)}</w:p></w:tc>`).join('')}</w:tr>`)
        .join('');
      return `<w:tbl>${rows}</w:tbl>`;
    })
    .join('');
  const style = (n: number) =>
    `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/></w:style>`;
  return [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'word/_rels/document.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'word/styles.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><w:styles ${W}>${style(1)}${style(2)}</w:styles>`,
    },
    {
      name: 'word/document.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${body}</w:body></w:document>`,
    },
  ];
}

export const makeDocx = (blocks: DocxBlock[]) => makeZip(docxParts(blocks));

/** A text PDF: per page, an optional large heading then body lines in 12 pt Helvetica. */
export async function makeTextPdf(pages: { heading?: string; lines: string[] }[], title?: string) {
  const doc = await PDFDocument.create();
  if (title) doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const p of pages) {
    const page = doc.addPage([595, 842]);
    let y = 780;
    if (p.heading) {
      page.drawText(p.heading, { x: 50, y, size: 22, font });
      y -= 40;
    }
    for (const line of p.lines) {
      page.drawText(line, { x: 50, y, size: 12, font });
      y -= 16;
    }
  }
  return new Uint8Array(await doc.save());
}

/** Large black text on white, rendered by librsvg with the system's sans-serif font (DejaVu here). */
export async function renderTextPng(lines: string[], width = 1400): Promise<Buffer> {
  const lineHeight = 80;
  const height = 80 + lines.length * lineHeight;
  const text = lines
    .map(
      (l, i) =>
        `<text x="40" y="${90 + i * lineHeight}" font-family="DejaVu Sans, sans-serif" font-size="52" fill="#000">${esc(l)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** True when the render actually drew glyphs (a machine without fonts draws nothing): some pixel is dark. */
export async function hasInk(png: Buffer): Promise<boolean> {
  const { channels } = await sharp(png).greyscale().stats();
  return (channels[0]?.min ?? 255) < 64;
}

/** A PDF whose pages each hold only an image: no text layer at all, like a scan. */
export async function makeScannedPdf(pngs: Buffer[]) {
  const doc = await PDFDocument.create();
  for (const png of pngs) {
    const img = await doc.embedPng(png);
    const page = doc.addPage([img.width / 2, img.height / 2]);
    page.drawImage(img, { x: 0, y: 0, width: img.width / 2, height: img.height / 2 });
  }
  return new Uint8Array(await doc.save());
}

/**
 * A PDF with a Standard security handler whose /U entry matches no password (including the empty one), so a
 * reader must ask for a password. pdf-lib cannot encrypt, but it writes the trailer's /Encrypt we give it.
 */
export async function makeEncryptedPdf() {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText('Top secret', { x: 50, y: 700, size: 12, font });
  const ctx = doc.context;
  const enc = ctx.obj({
    Filter: 'Standard',
    V: 1,
    R: 2,
    O: PDFHexString.of('00'.repeat(32)),
    U: PDFHexString.of('11'.repeat(32)),
    P: -44,
  });
  ctx.trailerInfo.Encrypt = ctx.register(enc);
  ctx.trailerInfo.ID = ctx.obj([PDFHexString.of('ab'.repeat(16)), PDFHexString.of('ab'.repeat(16))]);
  return new Uint8Array(await doc.save({ useObjectStreams: false }));
}
