import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { demoQuotaSchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { demoQuota, openGuestSession } from './guests.service.ts';

export const guestRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  // Opening sessions is what a demo-quota abuser would repeat, so it is throttled per client IP.
  const perIp = app.createRateLimit({
    max: deps.config.GUEST_SESSIONS_PER_HOUR,
    timeWindow: 3600_000,
    keyGenerator: (req) => `guest-session:${req.ip}`,
  });

  app.post(
    '/guest/sessions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: 'Open a guest session for a chatbot (no account; the demo message limit applies)',
        description:
          "Send the chatbot's key (the widget does) to open a widget session; the request's Origin must then be one of the chatbot's allowed domains. Use the returned token as `Authorization: Bearer kwg_…` on `POST /public/chatbots/:botId/chat`.",
        body: z.object({ chatbotId: prefixedId('bot') }).strict(),
        response: {
          201: z.object({
            token: z.string().describe('Shown once; send as Bearer'),
            sessionId: z.string(),
            chatbotId: z.string(),
            kind: z.enum(['guest', 'widget']),
            expiresAt: z.string(),
            demo: demoQuotaSchema,
          }),
        },
      },
    },
    async (req, reply) => {
      const limit = await perIp(req);
      if (!limit.isAllowed && limit.isExceeded) {
        reply.header('retry-after', String(limit.ttlInSeconds));
        throw new AppError('rate_limited', `Too many guest sessions; try again in ${limit.ttlInSeconds} s`);
      }
      const { token, session } = await openGuestSession(deps, {
        chatbotId: req.body.chatbotId,
        origin: typeof req.headers.origin === 'string' ? req.headers.origin : null,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        viaKey: req.actor,
      });
      return reply.status(201).send({
        token,
        sessionId: session.id,
        chatbotId: session.chatbotId,
        kind: session.kind,
        expiresAt: session.expiresAt.toISOString(),
        demo: demoQuota(session.used, session.messageLimit),
      });
    },
  );
};
