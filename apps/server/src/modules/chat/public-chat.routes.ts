import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { demoQuotaSchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { admitGuestMessage, refundGuestMessage } from '../guests/guests.service.ts';
import type { Owner } from './chat.repo.ts';
import { sendMessageSchema, turnResultSchema } from './chat.schemas.ts';
import * as service from './conversations.service.ts';
import { respondWithTurn } from './respond.ts';
import { startTurn } from './turn.ts';

/**
 * Seed 004's public query: integrations call with the chatbot's key; guests and widget visitors with their
 * session token, which spends the demo quota (10 messages by default). The quota is taken atomically before
 * the turn starts, so concurrent requests can never exceed it; a turn that fails before producing anything
 * gives its message back.
 */
export const publicChatRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/public/chatbots/:botId/chat',
    {
      config: { access: 'chatbot' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['public'],
        summary:
          'Ask a chatbot with its key or a guest session (JSON, or SSE with Accept: text/event-stream)',
        description:
          'Guest/widget sessions: `X-Demo-Limit` and `X-Demo-Remaining` headers and `demo` in the body; when the quota is used up the answer is 429 `demo_limit_reached`.',
        params: z.object({ botId: prefixedId('bot') }),
        body: sendMessageSchema.extend({
          conversationId: prefixedId('cnv').optional().describe('Continue a conversation; omit to start one'),
        }),
        response: { 201: turnResultSchema.extend({ demo: demoQuotaSchema.optional() }) },
      },
    },
    async (req, reply) => {
      const actor = req.actor!;
      if (actor.type === 'user') throw new AppError('forbidden', 'Use the conversations API when signed in');
      const bot = await service.requireActiveChatbot(deps, actor.orgId, req.params.botId);
      const owner: Owner =
        actor.type === 'guest' ? { guestSessionId: actor.sessionId } : { apiKeyId: actor.keyId };
      const conv = req.body.conversationId
        ? await service.requireConversation(deps, bot.orgId, bot.id, req.body.conversationId, owner)
        : null;
      const images = await service.prepareImages(req.body.images);

      let demo: ReturnType<typeof Object> | undefined;
      if (actor.type === 'guest') {
        try {
          demo = await admitGuestMessage(deps, actor);
        } catch (err) {
          const quota = (err as { quota?: { limit: number; remaining: number } }).quota;
          if (quota) reply.header('x-demo-limit', String(quota.limit)).header('x-demo-remaining', '0');
          throw err;
        }
        reply.header('x-demo-limit', String(demo.limit)).header('x-demo-remaining', String(demo.remaining));
      }

      const conversation =
        conv ??
        (await service.createConversation(deps, bot.orgId, bot.id, owner, {
          mode: req.body.mode ?? 'chat',
          channel: actor.type === 'guest' ? 'guest' : 'api',
        }));
      const turn = await startTurn(deps, {
        bot,
        conversation,
        content: req.body.content,
        mode: req.body.mode ?? conversation.mode,
        images,
      });
      if (actor.type === 'guest') {
        void turn.result.then(async (m) => {
          if (m.status === 'error' && m.content === '') await refundGuestMessage(deps, actor);
        });
      }
      return respondWithTurn(deps, req, reply, turn, demo ? { demo } : {});
    },
  );
};
