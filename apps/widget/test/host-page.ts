import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A customer's website for the widget tests: a plain node:http server on its own port(s) (so the widget runs
 * cross-origin to Kawan) serving HTML pages with hostile global CSS. One server can listen on several ports,
 * each a different origin (one in the chatbot's allowed domains, one not).
 */
export const HOSTILE_CSS = `
* { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important;
    box-sizing: content-box !important; line-height: 3 !important; letter-spacing: 2px !important; }
button { background: lime !important; padding: 40px !important; border-radius: 0 !important; }
div { border: 5px dotted blue !important; }
section, ol, li, p, form { margin: 30px !important; padding: 30px !important; }
textarea, input { background: yellow !important; font-size: 30px !important; }
svg { display: none !important; }
`;

export interface WidgetAttrs {
  chatbot: string;
  key: string;
  color?: string;
  position?: string;
  greeting?: string;
  language?: string;
}

/** The shop page; `widget` = the script tag's src and data attributes, or none (the page alone). */
export function shopPage(widget?: { src: string; attrs: WidgetAttrs }): string {
  const attrs = widget
    ? Object.entries(widget.attrs)
        .map(([k, v]) => ` data-${k}="${String(v).replaceAll('"', '&quot;')}"`)
        .join('')
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Toko Emas Sejahtera</title>
<link rel="icon" href="data:,">
<style>${HOSTILE_CSS}</style></head>
<body>
<h1 id="title">Toko Emas Sejahtera</h1>
<div id="box">Gold pawn loans, open every day.</div>
<button id="buy" type="button">Book a visit</button>
${widget ? `<script src="${widget.src}"${attrs} async></script>` : ''}
</body></html>`;
}

export interface HostSite {
  /** http://127.0.0.1:<port> for each listening port */
  origins: string[];
  /** Publishes `html` at a fresh path; returns the path (prefix an origin). */
  page(html: string): string;
  close(): Promise<void>;
}

export async function startHostSite(ports = 2): Promise<HostSite> {
  const pages = new Map<string, string>();
  const handler: http.RequestListener = (req, res) => {
    const html = pages.get((req.url ?? '').split('?')[0]!);
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  };
  const servers = await Promise.all(
    Array.from({ length: ports }, async () => {
      const server = http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  let n = 0;
  return {
    origins: servers.map((sv) => `http://127.0.0.1:${(sv.address() as AddressInfo).port}`),
    page(html) {
      const path = `/shop-${++n}.html`;
      pages.set(path, html);
      return path;
    },
    async close() {
      await Promise.all(
        servers.map((sv) => {
          sv.closeAllConnections();
          return new Promise((resolve) => sv.close(resolve));
        }),
      );
    },
  };
}
