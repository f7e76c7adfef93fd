import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build:ui` (also run by `npm start`) puts the dashboard and the widget; UI_DIR overrides. */
function distDirs(uiDir: string | undefined): { dashboardDist: string; widgetDist: string } {
  if (uiDir)
    return { dashboardDist: path.resolve(uiDir, 'dashboard'), widgetDist: path.resolve(uiDir, 'widget') };
  return {
    dashboardDist: path.resolve(import.meta.dirname, '../../../../dashboard/dist'),
    widgetDist: path.resolve(import.meta.dirname, '../../../../widget/dist'),
  };
}

/** Paths the UI may never shadow: an unknown one there is an API 404, not the dashboard. */
const API_PREFIXES = ['/api/', '/v1/', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics'];

/** The static routes, for the route-security suite: files, not API, so no access control applies. */
export const STATIC_ROUTES = ['/', '/assets/*', '/widget.js'];

/**
 * Serves the built dashboard at / (client-side routes fall back to index.html) and the widget at /widget.js.
 * Hashed assets are cached for a year; index.html and widget.js are revalidated so an upgrade shows at once.
 */
export async function registerStaticUi(app: FastifyInstance, uiDir?: string): Promise<void> {
  const { dashboardDist, widgetDist } = distDirs(uiDir);
  await app.register(fastifyStatic, { root: dashboardDist, serve: false });
  const hasDashboard = () => fs.existsSync(path.join(dashboardDist, 'index.html'));

  const sendIndex = (reply: FastifyReply) => {
    if (!hasDashboard()) {
      return reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Kawan</title><p>The dashboard is not built yet: run <code>npm run build:ui</code> ' +
            '(<code>npm start</code> does it for you). The API is at <a href="/docs">/docs</a>.</p>',
        );
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dashboardDist);
  };

  const hide = { schema: { hide: true } };
  app.get('/', hide, (_req, reply) => sendIndex(reply));
  app.get('/assets/*', hide, (req: FastifyRequest<{ Params: { '*': string } }>, reply) =>
    reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .sendFile(req.params['*'], path.join(dashboardDist, 'assets')),
  );
  app.get('/widget.js', hide, (_req, reply) =>
    reply
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .sendFile('widget.js', widgetDist),
  );

  // Deep links into the single-page app (/orgs/…/chatbots, /verify-email?token=…) get index.html.
  app.addHook('onRequest', (req, reply, done) => {
    if (!isUiPath(req)) return done();
    void sendIndex(reply);
  });
}

/** A browser navigation to a page of the app, as opposed to an API call or a file. */
function isUiPath(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url.split('?')[0]!;
  if (url === '/' || url.startsWith('/assets/') || url === '/widget.js') return false;
  if (API_PREFIXES.some((p) => url.startsWith(p))) return false;
  if (path.extname(url)) return false; // a missing file stays a 404
  return (req.headers.accept ?? '').includes('text/html');
}
