import mammoth from 'mammoth';
import { ParseError } from './errors.ts';
import { htmlToMarkdown } from './html.ts';
import { DEFAULT_ZIP_LIMITS, readCentralDirectory, verifyZip, type ZipLimits } from './zip.ts';

/**
 * DOCX → Markdown via mammoth's HTML (mammoth maps Word heading styles to <h1>…<h6> and keeps tables), then the
 * shared HTML → Markdown conversion, so headings become "#" lines and tables pipe tables. The archive is vetted
 * first (zip.ts): mammoth's unzipper would inflate a zip bomb without limits.
 */
export async function parseDocx(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS) {
  const entries = readCentralDirectory(bytes, limits);
  if (!entries.some((e) => e.name === 'word/document.xml')) {
    throw new ParseError('corrupt', 'The DOCX has no word/document.xml');
  }
  verifyZip(bytes, entries);

  let html: string;
  const warnings: string[] = [];
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        // Embedded images would come back as base64 data URIs: megabytes of text we then throw away.
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
        // Linked (external) files must never be read from the server's disk.
        externalFileAccess: false,
      },
    );
    html = result.value;
    // mammoth's warnings are mostly "unrecognised style" noise; surface only real errors.
    for (const m of result.messages) if (m.type === 'error') warnings.push(`DOCX: ${m.message}`);
  } catch (err) {
    throw new ParseError('corrupt', `The DOCX cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const text = htmlToMarkdown(html);
  const firstHeading = /^#{1,6} +(.+)$/m.exec(text)?.[1]?.trim();
  return { title: firstHeading, pages: [{ page: 1, text, ocr: false }], warnings };
}
