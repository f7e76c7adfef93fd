/**
 * The embeddable chat widget (built into one IIFE, dist/widget.js; README: Widget):
 *
 *   <script src="https://kawan.example/widget.js" data-chatbot="bot_…" data-key="kw_…" async></script>
 *
 * Optional: data-color="#0f766e", data-position="right|left", data-greeting="…", data-language="en|id",
 * data-api (Kawan's URL when widget.js is served from elsewhere). Its only global is `KawanWidget`.
 */
import { mountWidget, type WidgetOptions } from './element.ts';

export const version = '1';

function ready(): Promise<void> {
  return document.body
    ? Promise.resolve()
    : new Promise((resolve) =>
        document.addEventListener('DOMContentLoaded', () => resolve(), { once: true }),
      );
}

/** Mounts a widget programmatically (e.g. a live preview); `api` defaults to where widget.js came from. */
export async function mount(opts: Partial<WidgetOptions> & { chatbot: string }): Promise<HTMLElement> {
  await ready();
  return mountWidget({ api: scriptOrigin ?? location.origin, ...opts });
}

const mounted = new WeakSet<Element>();

function fromScript(script: HTMLScriptElement): void {
  const d = script.dataset;
  if (mounted.has(script) || !d.chatbot) return;
  mounted.add(script);
  void mount({
    chatbot: d.chatbot,
    api: (d.api ?? new URL(script.src, location.href).origin).replace(/\/+$/, ''),
    key: d.key,
    color: d.color,
    position: d.position,
    greeting: d.greeting,
    language: d.language,
  });
}

const current = document.currentScript as HTMLScriptElement | null;
const scriptOrigin = current?.src ? new URL(current.src, location.href).origin : undefined;
if (current?.dataset.chatbot) fromScript(current);
else document.querySelectorAll<HTMLScriptElement>('script[data-chatbot]').forEach(fromScript);
