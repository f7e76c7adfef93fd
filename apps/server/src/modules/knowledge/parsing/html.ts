import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import TurndownService from 'turndown';

/**
 * HTML → Markdown text. Markdown keeps the structure the chunker needs (ATX "#" headings, paragraphs, lists,
 * pipe tables) while dropping markup. For web pages, Readability picks the main content; navigation, headers,
 * footers and asides are removed first because Readability alone sometimes keeps a nav that is link-dense
 * but long.
 */

/** Elements that are never content. Page-level header/footer only: an <article>'s own header holds its title. */
const NOISE = [
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'svg',
  'canvas',
  'form',
  'button',
  'nav',
  'aside',
  'dialog',
  '[role=navigation]',
  '[role=banner]',
  '[role=contentinfo]',
  '[role=search]',
  '[role=complementary]',
  '[aria-hidden=true]',
  '[hidden]',
].join(',');

type El = {
  nodeName: string;
  childNodes: ArrayLike<El>;
  textContent: string | null;
  parentNode: El | null;
};

function cellText(cell: El): string {
  return (cell.textContent ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

/** Rows of a table, without descending into nested tables (their text stays inside the outer cell). */
function tableRows(table: El): string[][] {
  const rows: string[][] = [];
  const walk = (n: El) => {
    for (const child of Array.from(n.childNodes)) {
      const name = child.nodeName.toUpperCase();
      if (name === 'TR') {
        const cells = Array.from(child.childNodes).filter((c) => /^(TD|TH)$/i.test(c.nodeName));
        rows.push(cells.map(cellText));
      } else if (name === 'THEAD' || name === 'TBODY' || name === 'TFOOT') {
        walk(child);
      }
    }
  };
  walk(table);
  return rows.filter((r) => r.length > 0);
}

function tableToMarkdown(table: El): string {
  const rows = tableRows(table);
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((r) => r.length));
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => r[i] ?? '').join(' | ')} |`;
  // GFM needs a header row; the first row is the header in practice (mammoth emits no <th> for DOCX).
  const [head, ...body] = rows;
  return [line(head!), line(Array(width).fill('---')), ...body.map(line)].join('\n');
}

function makeTurndown() {
  const td = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
    hr: '---',
  });
  // Escaping (\_ \* 1\.) protects Markdown rendering; we index text, where the backslashes are just noise.
  td.escape = (s: string) => s;
  td.remove(['script', 'style', 'noscript', 'template', 'iframe']);
  td.addRule('table', {
    filter: 'table',
    replacement: (_content, node) => `\n\n${tableToMarkdown(node as unknown as El)}\n\n`,
  });
  // Link targets and image URLs cost tokens and carry no meaning for search; keep the words.
  td.addRule('link', { filter: 'a', replacement: (content) => content });
  td.addRule('image', {
    filter: 'img',
    replacement: (_c, node) => {
      const alt = (
        (node as unknown as { getAttribute(n: string): string | null }).getAttribute('alt') ?? ''
      ).trim();
      return alt;
    },
  });
  return td;
}

let turndown: TurndownService | undefined;

/** Markdown from an HTML fragment or document (no main-content extraction). */
export function htmlToMarkdown(html: string): string {
  turndown ??= makeTurndown();
  // Turndown pads list markers to a tab stop ("1.  item"); one space reads the same and costs fewer tokens.
  return normaliseMarkdown(turndown.turndown(html).replace(/^([ \t]*)(-|\d+\.) {2,}/gm, '$1$2 '));
}

export function normaliseMarkdown(md: string): string {
  return md
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Under this many characters Readability's pick is probably a teaser box; fall back to the whole body. */
const MIN_ARTICLE_CHARS = 200;

export function parseHtml(html: string): { title?: string; text: string } {
  const { document } = parseHTML(html);
  type Removable = { remove(): void; closest(sel: string): unknown };
  for (const el of Array.from(document.querySelectorAll(NOISE)) as Removable[]) el.remove();
  for (const el of Array.from(document.querySelectorAll('header, footer')) as Removable[]) {
    if (!el.closest('article, main')) el.remove();
  }
  const docTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  const bodyHtml = document.body?.innerHTML ?? html;

  let article: ReturnType<Readability<string>['parse']> = null;
  try {
    // Readability mutates the DOM it reads, so it gets its own copy; charThreshold lowered for short pages.
    const { document: copy } = parseHTML(document.toString());
    article = new Readability(copy as unknown as ConstructorParameters<typeof Readability>[0], {
      charThreshold: 200,
    }).parse();
  } catch {
    article = null; // Readability throws on some odd DOMs; the body fallback is good enough
  }
  const useArticle = article?.content && (article.textContent ?? '').trim().length >= MIN_ARTICLE_CHARS;
  let text = htmlToMarkdown(useArticle ? article!.content! : bodyHtml);
  const title = (article?.title || docTitle || '').trim() || undefined;
  // Readability moves the page title out of the content; put it back as the top heading for the chunker.
  if (useArticle && title && !text.startsWith('#')) text = `# ${title}\n\n${text}`;
  return { title, text };
}
