import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { serializerCompiler } from './platform/http/serializer.ts';
import { z } from 'zod';
import type { Deps } from './deps.ts';
import { AppError } from './platform/errors.ts';
import { randomUUID } from 'node:crypto';
import { registerErrorHandling } from './platform/http/error-handler.ts';
import { registerAccessControl } from './platform/http/access.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { createLoginLimiter } from './modules/auth/login-limiter.ts';
import { orgRoutes } from './modules/orgs/orgs.routes.ts';
import { membershipRole } from './modules/orgs/members.service.ts';
import { orgApiKeyRoutes } from './modules/apikeys/apikeys.routes.ts';
import { resolveApiKey } from './modules/apikeys/apikeys.service.ts';
import { chatbotRoutes } from './modules/chatbots/chatbots.routes.ts';
import { providerRoutes } from './modules/providers/providers.routes.ts';
import { documentRoutes } from './modules/knowledge/documents.routes.ts';
import { urlRoutes } from './modules/knowledge/web/urls.routes.ts'; // URL ingestion
import { retrievalRoutes } from './modules/retrieval/retrieval.routes.ts';
import { multimodalRoutes } from './modules/multimodal/multimodal.routes.ts'; // OCR, process-image, analyze
import { faqRoutes } from './modules/knowledge/faqs/faqs.routes.ts'; // FAQ entries
import { businessRoutes } from './modules/business/business.routes.ts'; // business profile + catalogue
import { adminRoutes } from './modules/admin/admin.routes.ts';
import { isPlatformAdmin } from './modules/admin/admin.repo.ts';
import { resolveGuestToken } from './modules/guests/guests.service.ts';
import { chatRoutes } from './modules/chat/chat.routes.ts';
import { publicChatRoutes } from './modules/chat/public-chat.routes.ts';
import { guestRoutes } from './modules/guests/guests.routes.ts';
import { openAiCompatRoutes } from './modules/chat/openai-compat.routes.ts';
import { snippetRoutes } from './modules/snippets/snippets.routes.ts'; // code snippets
import { registerStaticUi } from './platform/http/static-ui.ts';
import { isWidgetRoute, registerWidgetCors } from './platform/http/widget-cors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: { method: string; url: string; access?: string }[];
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{6,64}$/;

/** Builds the HTTP application from ready dependencies. main.ts and the test harness both call this. */
export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    disableRequestLogging: true, // one line per request instead of two (see the onResponse hook below)
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given)
        ? given
        : `req_${randomUUID().replaceAll('-', '')}`;
    },
    ajv: { customOptions: { coerceTypes: false } },
    // Errors Fastify raises before routing (over-long or malformed URLs) get the API's error body too.
    frameworkErrors: (err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      const body = {
        error: {
          code: status === 414 ? 'uri_too_long' : 'bad_request',
          message: err.message,
          requestId: req.id,
        },
      };
      void (reply as unknown as FastifyReply).status(status).send(body);
    },
  }).withTypeProvider<ZodTypeProvider>();

  // Every route with its declared access, for the contract and route-security suites.
  const routeTable: { method: string; url: string; access?: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method !== 'HEAD') routeTable.push({ method, url: r.url, access: r.config?.access });
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Callback-style hooks: they run on every request, so no promise per hook.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info(
      {
        method: req.method,
        url: req.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });
  registerErrorHandling(app);

  // The widget's public endpoints answer any origin (the chatbot's allowed domains are enforced server-side);
  // every other route follows CORS_ORIGINS (unset: same-origin only).
  registerWidgetCors(app);
  if (config.CORS_ORIGINS) {
    const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim());
    const options = { origin: origins.includes('*') ? true : origins, credentials: true };
    await app.register(cors, {
      delegator: (req, cb) => cb(null, isWidgetRoute(req.url) ? { origin: false } : options),
    });
  }
  await app.register(rateLimit, {
    global: config.API_RATE_LIMIT > 0,
    max: config.API_RATE_LIMIT || 1_000_000,
    timeWindow: 60_000,
    redis: deps.redis ?? undefined,
    nameSpace: 'kawan-rl:',
    skipOnError: true, // a Redis outage must not lock everybody out
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `Too many requests; retry in ${ctx.after}`),
  });

  await app.register(multipart, {
    limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kawan API',
        version: '0.1.0',
        description:
          'Self-hosted multi-tenant AI assistant platform. Errors are `{"error":{"code","message","requestId"}}`. ' +
          'Authenticate with `Authorization: Bearer <access token | API key>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerAccessControl(app, {
    verifyAccessToken: (token) => deps.tokens.verify(token),
    resolveApiKey: (raw) => resolveApiKey(deps, raw),
    resolveGuestToken: (raw) => resolveGuestToken(deps, raw),
    membershipRole: (orgId, userId) => membershipRole(deps, orgId, userId),
    isPlatformAdmin: (userId) => isPlatformAdmin(deps.db, userId),
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        response: { 200: z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) }) },
      },
    },
    async () => {
      try {
        await deps.database.ping();
      } catch (err) {
        deps.log.warn({ err }, 'readiness check failed');
        throw new AppError('service_unavailable', 'Database is not reachable');
      }
      return { status: 'ready' as const, database: deps.database.kind };
    },
  );

  await app.register(
    async (api) => {
      const loginLimiter = createLoginLimiter(api, {
        max: config.LOGIN_RATE_LIMIT,
        windowSeconds: config.LOGIN_RATE_WINDOW,
      });
      await api.register(authRoutes, { deps, loginLimiter });
      await api.register(orgRoutes, { deps });
      await api.register(orgApiKeyRoutes, { deps });
      await api.register(chatbotRoutes, { deps });
      await api.register(providerRoutes, { deps, modelBackends: deps.modelBackends });
      await api.register(documentRoutes, { deps });
      await api.register(urlRoutes, { deps }); // URL ingestion (knowledge/web)
      await api.register(retrievalRoutes, { deps });
      await api.register(multimodalRoutes, { deps }); // OCR, process-image, analyze
      await api.register(faqRoutes, { deps }); // FAQ entries
      await api.register(businessRoutes, { deps }); // business profile + catalogue
      await api.register(auditRoutes, { deps });
      await api.register(adminRoutes, { deps });
      await api.register(chatRoutes, { deps });
      await api.register(guestRoutes, { deps });
      await api.register(publicChatRoutes, { deps });
      await api.register(snippetRoutes, { deps }); // code snippets
    },
    { prefix: '/api/v1' },
  );
  // OpenAI-compatible surface at /v1, so the openai SDK works with baseURL = <kawan>/v1
  await app.register(openAiCompatRoutes, { deps, prefix: '/v1' });
  // The dashboard at / and the widget at /widget.js (built by `npm run build:ui`).
  await registerStaticUi(app, config.UI_DIR);

  return app;
}
