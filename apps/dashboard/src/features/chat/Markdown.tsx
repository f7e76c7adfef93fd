import { memo, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { useI18n } from '../../i18n/i18n';
import { CopyButton } from '../../ui/copy-button';
import { highlight } from './highlight';

/** The few hast shapes this file looks at (the full types live in a transitive package). */
interface HNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HNode[];
  position?: { start: { offset?: number } };
}

function walk(n: HNode, visit: (n: HNode) => void) {
  visit(n);
  for (const c of n.children ?? []) walk(c, visit);
}

function textOf(n: HNode | undefined): string {
  if (!n) return '';
  if (n.type === 'text') return n.value ?? '';
  return (n.children ?? []).map(textOf).join('');
}

/**
 * Numbers the fenced code blocks the way the snippets API counts them (fences only, empty blocks skipped), so
 * "save snippet" on a block saves that block.
 */
function rehypeNumberFences() {
  return (tree: HNode, file: { value?: unknown }) => {
    const src = String(file.value ?? '');
    let i = 0;
    walk(tree, (n) => {
      if (n.type !== 'element' || n.tagName !== 'pre') return;
      const off = n.position?.start.offset;
      const fenced = off !== undefined && /^[ \t]*(`{3,}|~{3,})/.test(src.slice(off, off + 40));
      if (fenced && textOf(n).trim() !== '') (n.properties ??= {}).dataFence = i++;
    });
  };
}

export interface CodeBlockActions {
  /** e.g. "save snippet" for the block with this index (absent for unsaved or streaming answers) */
  renderActions?: (index: number, language: string | null) => ReactNode;
}

function CodeBlock({
  code,
  lang,
  index,
  actions,
}: {
  code: string;
  lang: string | null;
  index: number | null;
  actions?: CodeBlockActions['renderActions'];
}) {
  const { t } = useI18n();
  const { html, language } = highlight(code, lang);
  return (
    <div className="chat-code">
      <div className="chat-code-head">
        <span className="chat-code-lang">{language ?? t('chat.codeBlock')}</span>
        <span className="chat-code-actions">
          <CopyButton text={code} label={t('chat.copyCode')} />
          {index !== null && actions ? actions(index, language) : null}
        </span>
      </div>
      <pre
        tabIndex={0}
        role="group"
        aria-label={language ? t('chat.codeLanguage', { lang: language }) : t('chat.codeBlock')}
      >
        <code
          className={`hljs${language ? ` language-${language}` : ''}`}
          // highlight.js output: the code is HTML-escaped by the highlighter, only its own spans are markup
          dangerouslySetInnerHTML={{ __html: html }}
        />
      </pre>
    </div>
  );
}

/**
 * An answer as Markdown (GitHub flavour: tables, lists, strikethrough). Raw HTML in the text is not rendered,
 * link targets are sanitised by react-markdown, and fenced code is highlighted with a copy button.
 */
export const Markdown = memo(function Markdown({ text, renderActions }: { text: string } & CodeBlockActions) {
  const components: Components = {
    pre({ node }) {
      const n = node as unknown as HNode | undefined;
      const codeEl = n?.children?.find((c) => c.type === 'element' && c.tagName === 'code');
      const classes = (codeEl?.properties?.className as string[] | undefined) ?? [];
      const langClass = classes.find((c) => c.startsWith('language-'));
      const lang = langClass ? langClass.slice('language-'.length) : null;
      const code = textOf(codeEl).replace(/\n$/, '');
      const index = typeof n?.properties?.dataFence === 'number' ? n.properties.dataFence : null;
      return <CodeBlock code={code} lang={lang} index={index} actions={renderActions} />;
    },
    a({ href, children }) {
      const external = href ? /^https?:\/\//i.test(href) : false;
      return (
        <a href={href} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
          {children}
        </a>
      );
    },
    table({ children }) {
      return (
        <div className="table-wrap">
          <table>{children}</table>
        </div>
      );
    },
  };
  return (
    <div className="chat-md">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeNumberFences]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
