/** One fenced code block of a Markdown text. */
export interface CodeBlock {
  /** normalised fence tag (`ts` → `typescript`), `text` when the fence has none */
  language: string;
  code: string;
  /** the last line of prose before the block, stripped of Markdown; null when there is none */
  heading: string | null;
}

/** Stored language names; `?language=` filters on them, so every write goes through normalizeLanguage. */
const LANGUAGE_ALIASES: Record<string, string> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  python3: 'python',
  rb: 'ruby',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  yml: 'yaml',
  golang: 'go',
  rs: 'rust',
  'c++': 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  kt: 'kotlin',
  md: 'markdown',
  ps1: 'powershell',
  psql: 'sql',
  postgresql: 'sql',
  plaintext: 'text',
  txt: 'text',
  plain: 'text',
};

export const LANGUAGE_PATTERN = /^[a-z0-9][a-z0-9+#._-]{0,39}$/;

/** `TS`, `{.ts}` and `ts title="x"` all become `typescript`; anything unrecognisable becomes `text`. */
export function normalizeLanguage(tag: string | null | undefined): string {
  const first =
    (tag ?? '')
      .trim()
      .split(/[\s,{}]+/)
      .find(Boolean) ?? '';
  const name = first
    .replace(/^\./, '')
    .replace(/^language-/, '')
    .toLowerCase();
  if (!LANGUAGE_PATTERN.test(name)) return 'text';
  return LANGUAGE_ALIASES[name] ?? name;
}

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

/**
 * The fenced code blocks of a Markdown text (CommonMark fences: ``` or ~~~, three or more, closed by the same
 * character at least as long; an unclosed fence runs to the end). Unlike CommonMark, a fence may be indented by
 * any amount, because models nest code blocks in list items ("1. Install:\n    ```bash"); that indentation is
 * removed from the block's lines. Blocks with no code are left out.
 */
export function extractCodeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    const fence = open?.[2];
    const info = open?.[3] ?? '';
    // A backtick fence's info string cannot hold a backtick (CommonMark): "```js``` inline" is not a fence.
    if (!open || !fence || (fence[0] === '`' && info.includes('`'))) {
      prose.push(lines[i]!);
      continue;
    }
    const indent = open[1]!.length;
    const close = new RegExp(`^[ \\t]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j]!)) {
      body.push(dedent(lines[j]!, indent));
      j++;
    }
    const code = body
      .join('\n')
      .replace(/^(?:[ \t]*\n)+/, '')
      .replace(/\s+$/, '');
    if (code.trim()) blocks.push({ language: normalizeLanguage(info), code, heading: headingOf(prose) });
    prose = [];
    i = j; // the closing fence (or the end)
  }
  return blocks;
}

function dedent(line: string, width: number): string {
  let n = 0;
  while (n < width && (line[n] === ' ' || line[n] === '\t')) n++;
  return line.slice(n);
}

/** The prose line that introduces a block ("Install it with npm:") as a title. */
function headingOf(prose: string[]): string | null {
  for (let k = prose.length - 1; k >= 0; k--) {
    const text = cleanLine(prose[k]!);
    if (text) return text.length > 200 ? `${text.slice(0, 199).trimEnd()}…` : text;
  }
  return null;
}

function cleanLine(line: string): string {
  return line
    .trim()
    .replace(/^(?:>\s*)+/, '') // blockquote
    .replace(/^#{1,6}\s+/, '') // heading
    .replace(/^(?:[-*+]|\d{1,3}[.)])\s+/, '') // list item
    .replace(/\*\*|__|`/g, '')
    .replace(/^\*(.*)\*$/, '$1') // a whole line in italics
    .replace(/[\s:]+$/, '')
    .trim();
}
