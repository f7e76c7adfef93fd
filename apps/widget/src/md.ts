/**
 * A small, safe Markdown subset for answers (paragraphs, > quotes, - and 1. lists, # headings, ``` code,
 * `code`, **bold**, *italic*, [links](https://…)). Builds DOM nodes — never HTML strings — so nothing in an
 * answer can inject markup. Re-run on the whole text at every streamed delta (answers are short).
 */
const INLINE =
  /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\n]+\*|_[^_\n]+_)|\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, ...children: (Node | string)[]) {
  const e = document.createElement(tag);
  e.append(...children);
  return e;
}

function inline(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1]) out.push(el('code', m[1].slice(1, -1)));
    else if (m[2]) out.push(el('strong', ...inline(m[2].slice(2, -2))));
    else if (m[3]) out.push(el('em', m[3].slice(1, -1)));
    else {
      const a = el('a', m[4]!);
      a.href = m[5]!;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      out.push(a);
    }
  }
  out.push(text.slice(last));
  return out;
}

export function markdown(text: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  const lines = text.split('\n');
  let para: string[] = [];
  let list: HTMLElement | null = null;
  let quote: string[] = [];
  const flush = () => {
    if (para.length) frag.append(el('p', ...inline(para.join('\n'))));
    if (quote.length) frag.append(el('blockquote', ...inline(quote.join('\n'))));
    para = [];
    quote = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i]!.startsWith('```')) code.push(lines[i]!);
      frag.append(el('pre', el('code', code.join('\n'))));
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    const q = /^>\s?(.*)$/.exec(line);
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!line.trim()) flush();
    else if (q) {
      if (!quote.length) flush();
      quote.push(q[1]!);
    } else if (item) {
      const tag = item[1] ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) {
        flush();
        list = el(tag);
        frag.append(list);
      }
      list.append(el('li', ...inline(item[3]!)));
    } else if (heading) {
      flush();
      frag.append(el('p', el('strong', ...inline(heading[1]!))));
    } else {
      if (quote.length || list) flush();
      para.push(line);
    }
  }
  flush();
  return frag;
}
