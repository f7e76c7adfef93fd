/**
 * Plain text and Markdown are kept as they are: only line endings are normalised (offsets of chunks must be
 * stable across platforms) and NBSP / trailing spaces tidied. Markdown headings stay, the chunker reads them.
 */
export function normaliseText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function parseText(text: string, kind: 'text' | 'markdown') {
  const normalised = normaliseText(text);
  // Plain text has no reliable title (its first line may be anything); Markdown's first heading is one.
  const title = kind === 'markdown' ? /^#{1,6} +(.+?)\s*#*$/m.exec(normalised)?.[1] : undefined;
  return { title, pages: [{ page: 1, text: normalised, ocr: false }], warnings: [] as string[] };
}
