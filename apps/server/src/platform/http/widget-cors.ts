import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * CORS for the embeddable widget: customer sites call these three endpoints from their own origin, so they
 * answer any origin (no credentials: the widget sends its chatbot key or guest token as a bearer header, never
 * cookies). Whether a site may use a chatbot is the server's decision, not the browser's: guest sessions opened
 * with the chatbot's key must come from one of its `embed.allowedDomains` (guests.service).
 *
 * A hook, not a route: preflights for these paths are answered before routing's 404, so no `OPTIONS *` route
 * joins the route table, and every other route keeps the CORS_ORIGINS behaviour (same-origin by default).
 */
const WIDGET_ROUTES = /^\/api\/v1\/(?:guest\/sessions|public\/chatbots\/[^/?#]+(?:\/chat)?)\/?$/;

const ALLOW_HEADERS = 'authorization, content-type, accept, x-request-id';
const EXPOSE_HEADERS = 'x-demo-limit, x-demo-remaining, x-request-id, retry-after';

export function isWidgetRoute(url: string): boolean {
  return WIDGET_ROUTES.test(url.split('?')[0]!);
}

export function registerWidgetCors(app: FastifyInstance): void {
  app.addHook('onRequest', (req: FastifyRequest, reply, done) => {
    if (typeof req.headers.origin !== 'string' || !isWidgetRoute(req.url)) return done();
    reply.header('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      if (!req.headers['access-control-request-method']) return done(); // not a preflight
      void reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', ALLOW_HEADERS)
        .header('access-control-max-age', '600')
        .send();
      return;
    }
    reply.header('access-control-expose-headers', EXPOSE_HEADERS);
    done();
  });
}
