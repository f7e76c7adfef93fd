import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';

// The core plus the languages code answers use most: the full bundle would add ~1 MB for rare ones.
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('python', python);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('json', json);
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('xml', xml); // also html, svg
hljs.registerLanguage('css', css);
hljs.registerLanguage('go', go);
hljs.registerLanguage('java', java);

const AUTO = ['javascript', 'typescript', 'python', 'bash', 'json', 'sql', 'xml', 'css', 'go', 'java'];

/**
 * Highlighted HTML for a code block (highlight.js escapes the code itself) and the language it was read as.
 * A fence tag it does not know (e.g. `rust`) stays plain text rather than being guessed wrong.
 */
export function highlight(code: string, lang: string | null): { html: string; language: string | null } {
  if (lang) {
    const known = hljs.getLanguage(lang);
    if (!known) return { html: escapeHtml(code), language: lang };
    return { html: hljs.highlight(code, { language: lang, ignoreIllegals: true }).value, language: lang };
  }
  const auto = hljs.highlightAuto(code, AUTO);
  if (auto.relevance < 5) return { html: escapeHtml(code), language: null };
  return { html: auto.value, language: auto.language ?? null };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
