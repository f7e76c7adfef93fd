import { ApiError, getProfile, openSession, streamChat, type Citation, type Profile } from './api.ts';
import { STRINGS, type Lang, type Strings } from './i18n.ts';
import { markdown } from './md.ts';
import { CSS } from './styles.ts';

/** What a script tag (or KawanWidget.mount) configures; data attributes override the chatbot's settings. */
export interface WidgetOptions {
  chatbot: string;
  key?: string;
  /** Kawan's base URL; the script's own origin by default */
  api: string;
  color?: string;
  position?: string;
  greeting?: string;
  language?: string;
}

interface Stored {
  t?: string; // guest session token (kwg_…)
  c?: string; // conversation id
  r?: number; // demo messages remaining
  h?: { me: boolean; text: string; cites?: Citation[] }[]; // the visible history
}

const TAG = 'kawan-chat-widget';
// Icons as path data, drawn with DOM calls (no innerHTML: fine under Trusted Types CSPs).
const ICON_CHAT = 'M21 12a8 8 0 0 1-11.8 7L4 20l1.1-4.4A8 8 0 1 1 21 12z';
const ICON_CLOSE = 'M6 6l12 12M18 6 6 18';
const ICON_SEND = 'M5 12h14M13 6l6 6-6 6';
const HEX = /^#(?:[0-9a-f]{3}){1,2}$/i;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'icon') el.append(icon(v));
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

function icon(d: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const path = document.createElementNS(ns, 'path');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

/** Black or white text, whichever reads better on the accent colour. */
function onColor(hex: string): string {
  const full = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, '$&$&') : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#111827' : '#fff';
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked (sandboxed frame, privacy settings): the session lasts the page
  }
}

/** Mounts one widget: reads the chatbot's public profile, then renders the bubble. */
export async function mountWidget(opts: WidgetOptions): Promise<HTMLElement> {
  let profile: Partial<Profile> = {};
  if (opts.key) {
    try {
      profile = await getProfile(opts.api, opts.chatbot, opts.key);
    } catch {
      /* rendered with the data attributes; opening the chat explains what is wrong */
    }
  }
  return render(opts, profile);
}

function render(opts: WidgetOptions, profile: Partial<Profile>): HTMLElement {
  const lang: Lang =
    [opts.language, profile.language].find((l): l is Lang => l === 'en' || l === 'id') ?? 'en';
  const S: Strings = STRINGS[lang];
  const color = [opts.color, profile.theme?.color].find((c): c is string => !!c && HEX.test(c)) ?? '#2563eb';
  const left = /left/.test(opts.position ?? profile.theme?.position ?? '');
  const name = profile.name || S.assistant;
  const greeting = opts.greeting ?? (profile.greeting || S.greeting);

  if (!customElements.get(TAG)) customElements.define(TAG, class extends HTMLElement {});
  const host = document.createElement(TAG);
  host.setAttribute('data-position', left ? 'left' : 'right');
  const shadow = host.attachShadow({ mode: 'open' });

  const uid = Math.random().toString(36).slice(2, 8);
  const bubble = h('button', {
    class: 'bubble',
    type: 'button',
    'aria-label': S.open(name),
    'aria-expanded': 'false',
    'aria-controls': `kw-panel-${uid}`,
    icon: ICON_CHAT,
  });
  const close = h('button', { class: 'close', type: 'button', 'aria-label': S.close, icon: ICON_CLOSE });
  const sub = h('div', { class: 'sub' });
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': S.messages });
  const notice = h('p', { class: 'notice', role: 'status' });
  const input = h('textarea', {
    id: `kw-input-${uid}`,
    rows: '1',
    maxlength: '4000',
    placeholder: S.placeholder,
  });
  const send = h('button', { class: 'send', type: 'submit', 'aria-label': S.send, icon: ICON_SEND });
  const form = h('form', { class: 'form' }, h('label', { class: 'sr', for: input.id }, S.input), input, send);
  const panel = h(
    'section',
    { class: 'panel', id: `kw-panel-${uid}`, role: 'dialog', 'aria-label': S.dialog(name), hidden: '' },
    h('div', { class: 'head' }, h('div', { class: 'title' }, h('div', { class: 'name' }, name), sub), close),
    log,
    notice,
    form,
  );
  const root = h('div', { class: 'root', lang }, panel, bubble);
  root.style.setProperty('--a', color);
  root.style.setProperty('--on-a', onColor(color));
  // A constructed style sheet where supported (not subject to a page's style-src CSP), else a <style>.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(h('style', {}, CSS));
  }
  shadow.append(root);

  // ---- state (kept per chatbot in sessionStorage, so a reload continues the conversation) ----
  const store = storage();
  const storeKey = `kawan-widget:${opts.chatbot}`;
  let saved: Stored = {};
  try {
    saved = JSON.parse(store?.getItem(storeKey) ?? '{}') as Stored;
  } catch {
    /* corrupt: start over */
  }
  const history = saved.h ?? [];
  const save = () => {
    try {
      store?.setItem(storeKey, JSON.stringify({ ...saved, h: history.slice(-40) }));
    } catch {
      /* full or blocked */
    }
  };
  let blocked = false;
  let busy = false;
  let pending: Promise<string | null> | null = null;

  const controls = () => {
    input.disabled = blocked;
    send.disabled = blocked || busy;
  };
  const setRemaining = (n: number) => {
    if (!Number.isFinite(n)) return;
    saved.r = n;
    sub.textContent = S.remaining(n);
    save();
  };
  const block = (text: string) => {
    const focused = shadow.activeElement === input || shadow.activeElement === send;
    blocked = true;
    notice.textContent = text;
    input.placeholder = '';
    controls();
    if (focused) close.focus(); // keep focus (and Escape) inside the panel
  };
  const failure = (err: unknown) => {
    if (!(err instanceof ApiError)) return (notice.textContent = S.network);
    if (err.code === 'demo_limit_reached') {
      setRemaining(0);
      return block(S.limit);
    }
    if (err.status === 403) return block(S.refused);
    if (err.status === 401 || err.status === 404) return block(S.unavailable);
    notice.textContent = err.status === 429 ? S.rateLimited : S.error;
  };

  const scroll = () => (log.scrollTop = log.scrollHeight);
  const message = (me: boolean, text: string, cites: Citation[] = []) => {
    const body = h('div', { class: 'md' });
    const el = h('div', { class: `msg ${me ? 'me' : 'bot'}` }, body);
    const show = (t: string) => body.replaceChildren(me ? t : markdown(t));
    show(text);
    const list = h('ol', { class: 'cites', 'aria-label': S.sources });
    const cite = (c: Citation) => {
      if (!list.isConnected) el.append(list);
      list.append(
        h(
          'li',
          {},
          `[${c.n}] `,
          h('b', {}, c.documentTitle),
          c.page ? ` (${S.page(c.page)})` : '',
          h('q', {}, c.quote),
        ),
      );
    };
    cites.forEach(cite);
    log.append(el);
    scroll();
    return { el, cite, show };
  };

  if (greeting) message(false, greeting);
  for (const m of history) message(m.me, m.text, m.cites);
  if (saved.r !== undefined) setRemaining(saved.r);
  if (saved.r === 0) block(S.limit);

  /** The guest session: opened once (on first open), reused across reloads. */
  const session = (): Promise<string | null> => {
    if (saved.t) return Promise.resolve(saved.t);
    if (blocked) return Promise.resolve(null);
    return (pending ??= openSession(opts.api, opts.chatbot, opts.key)
      .then((s) => {
        saved.t = s.token;
        setRemaining(s.remaining);
        if (s.remaining === 0) block(S.limit);
        return s.token;
      })
      .catch((err: unknown) => {
        failure(err);
        return null;
      })
      .finally(() => (pending = null)));
  };

  /** Sends one message and streams the answer; false when no session could be opened (already explained). */
  const ask = async (content: string, retry: boolean): Promise<boolean> => {
    const token = await session();
    if (!token) return false;
    const view = message(false, '');
    view.el.append(
      h('span', { class: 'dots', role: 'img', 'aria-label': S.thinking }, h('i'), h('i'), h('i')),
    );
    log.setAttribute('aria-busy', 'true');
    let text = '';
    const cites: Citation[] = [];
    try {
      const result = await streamChat(
        opts.api,
        opts.chatbot,
        token,
        { content, ...(saved.c ? { conversationId: saved.c } : {}) },
        {
          remaining: setRemaining,
          delta: (t) => {
            text += t;
            view.show(text);
            view.el.querySelector('.dots')?.remove();
            scroll();
          },
          citation: (c) => {
            cites.push(c);
            view.cite(c);
            scroll();
          },
        },
      );
      view.el.querySelector('.dots')?.remove();
      if (result.conversationId) saved.c = result.conversationId;
      if (result.remaining !== undefined) setRemaining(result.remaining);
      if (result.failed && !text) {
        view.el.classList.add('failed');
        view.show(S.error);
      } else {
        history.push({ me: true, text: content }, { me: false, text, ...(cites.length ? { cites } : {}) });
      }
      save();
      if (saved.r === 0) block(S.limit);
      return true;
    } catch (err) {
      view.el.querySelector('.dots')?.remove();
      if (text)
        history.push({ me: true, text: content }, { me: false, text }); // cut off mid-answer: keep it
      else view.el.remove();
      // an expired session or a conversation that is gone: start afresh, once
      if (
        retry &&
        !text &&
        err instanceof ApiError &&
        (err.status === 401 || (err.status === 404 && saved.c))
      ) {
        if (err.status === 401) delete saved.t;
        delete saved.c;
        save();
        return ask(content, false);
      }
      throw err;
    } finally {
      log.removeAttribute('aria-busy');
    }
  };

  const submit = async () => {
    const content = input.value.trim();
    if (!content || busy || blocked) return;
    busy = true;
    controls();
    notice.textContent = '';
    input.value = '';
    input.style.height = '';
    message(true, content);
    let sent = false;
    try {
      sent = await ask(content, true);
    } catch (err) {
      failure(err);
    } finally {
      if (!sent && !blocked && !input.value) input.value = content; // let the visitor send it again
      busy = false;
      controls();
      if (!blocked) input.focus();
    }
  };

  const toggle = (open: boolean) => {
    panel.hidden = !open;
    bubble.setAttribute('aria-expanded', String(open));
    bubble.setAttribute('aria-label', open ? S.close : S.open(name));
    if (open) {
      scroll();
      (blocked ? close : input).focus();
      void session();
    } else bubble.focus();
  };

  bubble.addEventListener('click', () => toggle(panel.hidden));
  close.addEventListener('click', () => toggle(false));
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) {
      e.stopPropagation();
      toggle(false);
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    }
  });
  input.addEventListener('input', () => {
    input.style.height = '';
    input.style.height = `${Math.min(input.scrollHeight + 2, 120)}px`;
  });
  controls();

  document.body.append(host);
  return host;
}
