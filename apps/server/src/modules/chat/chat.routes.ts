import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { conversationSchema, messageSchema, pageOf, paginationQuerySchema } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { notFound } from '../../platform/errors.ts';
import { contextOf, orgAccessOf } from '../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './chat.repo.ts';
import {
  botParams,
  convParams,
  createConversationSchema,
  feedbackSchema,
  msgParams,
  presentConversation,
  presentMessage,
  sendMessageSchema,
  traceSchema,
  turnResultSchema,
  updateConversationSchema,
} from './chat.schemas.ts';
import * as service from './conversations.service.ts';
import { respondWithTurn } from './respond.ts';
import { startTurn } from './turn.ts';

/** Conversations of signed-in users and org API keys (the dashboard playground and server-side integrations). */
/** A message in the history, with the caller's own rating of it (answers only; null when not rated). */
const historyMessageSchema = messageSchema.extend({
  feedback: z
    .object({ rating: z.enum(['up', 'down']), comment: z.string().nullable() })
    .nullable()
    .describe('Your rating of this answer (PUT …/feedback), null when you have not rated it'),
});

export const chatRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const base = '/orgs/:orgId/chatbots/:botId/conversations';

  app.post(
    base,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'Start a conversation with a chatbot',
        params: botParams,
        body: createConversationSchema,
        response: { 201: conversationSchema },
      },
    },
    async (req, reply) => {
      const access = orgAccessOf(req);
      await service.requireActiveChatbot(deps, access.orgId, req.params.botId);
      const conv = await service.createConversation(
        deps,
        access.orgId,
        req.params.botId,
        service.ownerOf(access.actor),
        {
          ...req.body,
          channel: access.actor.type === 'user' ? 'dashboard' : 'api',
        },
      );
      return reply.status(201).send(presentConversation(conv));
    },
  );

  app.get(
    base,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'List conversations (yours; admins may ask for all), newest first, with search',
        params: botParams,
        querystring: paginationQuerySchema.extend({
          q: z.string().trim().min(1).max(200).optional().describe('Search titles and message text'),
          channel: conversationSchema.shape.channel.optional(),
          scope: z.enum(['mine', 'all']).default('mine'),
        }),
        response: { 200: pageOf(conversationSchema) },
      },
    },
    async (req) => {
      const access = orgAccessOf(req);
      await service.requireActiveChatbot(deps, access.orgId, req.params.botId).catch((e) => {
        if ((e as { code?: string }).code !== 'conflict') throw e; // disabled bots keep their history
      });
      const rows = await repo.listConversations(deps.db, access.orgId, req.params.botId, {
        owner: service.readScope(access, req.query.scope),
        q: req.query.q,
        channel: req.query.channel,
        before: decodeCursor(req.query.cursor),
        limit: req.query.limit,
      });
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentConversation), nextCursor: page.nextCursor };
    },
  );

  const loadConv = (
    req: Parameters<typeof orgAccessOf>[0] & { params: { botId: string; convId: string } },
    scope: 'mine' | 'all',
  ) => {
    const access = orgAccessOf(req);
    return service.requireConversation(
      deps,
      access.orgId,
      req.params.botId,
      req.params.convId,
      service.readScope(access, scope),
    );
  };

  app.get(
    `${base}/:convId`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'A conversation',
        params: convParams,
        querystring: z.object({ scope: z.enum(['mine', 'all']).default('mine') }),
        response: { 200: conversationSchema },
      },
    },
    async (req) => presentConversation(await loadConv(req, req.query.scope)),
  );

  app.patch(
    `${base}/:convId`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'Rename a conversation or change its mode',
        params: convParams,
        body: updateConversationSchema,
        response: { 200: conversationSchema },
      },
    },
    async (req) => {
      const conv = await loadConv(req, 'mine');
      const updated = await repo.updateConversation(deps.db, conv.orgId, conv.id, {
        ...(req.body.title ? { title: req.body.title, titleSource: 'user' as const } : {}),
        ...(req.body.mode ? { mode: req.body.mode } : {}),
      });
      return presentConversation(updated!);
    },
  );

  app.delete(
    `${base}/:convId`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'Delete a conversation and its messages',
        params: convParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      const conv = await loadConv(req, 'mine');
      await service.deleteConversation(deps, contextOf(req), conv.orgId, conv);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/:convId/messages`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'History of a conversation: newest first by default, or oldest first with order=asc',
        params: convParams,
        querystring: paginationQuerySchema.extend({
          order: z.enum(['desc', 'asc']).default('desc'),
          scope: z.enum(['mine', 'all']).default('mine'),
        }),
        response: { 200: pageOf(historyMessageSchema) },
      },
    },
    async (req) => {
      const conv = await loadConv(req, req.query.scope);
      const cursor = decodeCursor(req.query.cursor);
      const rows = await repo.listMessages(deps.db, conv.orgId, conv.id, {
        ...(req.query.order === 'asc' ? { after: cursor ?? 'msg_' } : { before: cursor }),
        limit: req.query.limit,
      });
      const page = toPage(rows, req.query.limit);
      const raterId = service.raterIdOf(orgAccessOf(req).actor);
      const answers = page.data.filter((m) => m.role === 'assistant').map((m) => m.id);
      const mine = await repo.feedbackByMessage(deps.db, conv.orgId, raterId, answers);
      return {
        data: page.data.map((m) => ({ ...presentMessage(m), feedback: mine.get(m.id) ?? null })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    `${base}/:convId/messages`,
    {
      config: { access: 'chat:use' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['chat'],
        summary: 'Ask: JSON answer, or server-sent events with `Accept: text/event-stream`',
        description:
          'SSE events in order: `delta` {text}…, `citation`…, `usage`, `done` {message, userMessage, conversation}; or `error` {code, message}. Comment lines are heartbeats.',
        params: convParams,
        body: sendMessageSchema,
        response: { 201: turnResultSchema },
      },
    },
    async (req, reply) => {
      const conv = await loadConv(req, 'mine');
      const bot = await service.requireActiveChatbot(deps, conv.orgId, conv.chatbotId);
      const images = await service.prepareImages(req.body.images);
      const turn = await startTurn(deps, {
        bot,
        conversation: conv,
        content: req.body.content,
        mode: req.body.mode ?? conv.mode,
        images,
      });
      return respondWithTurn(deps, req, reply, turn);
    },
  );

  app.put(
    `${base}/:convId/messages/:msgId/feedback`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'Rate an answer (up/down + comment); sending again replaces your rating',
        params: msgParams,
        body: feedbackSchema,
        response: {
          200: z.object({
            messageId: z.string(),
            rating: z.enum(['up', 'down']),
            comment: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const conv = await loadConv(req, 'mine');
      const msg = await repo.getMessage(deps.db, conv.orgId, conv.id, req.params.msgId);
      if (!msg || msg.role !== 'assistant') throw notFound('Message');
      const access = orgAccessOf(req);
      const raterId = service.raterIdOf(access.actor);
      const saved = await repo.upsertFeedback(deps.db, conv.orgId, {
        id: newId('feedback'),
        messageId: msg.id,
        raterId,
        rating: req.body.rating,
        comment: req.body.comment,
      });
      return { messageId: msg.id, rating: saved.rating, comment: saved.comment };
    },
  );

  app.get(
    `${base}/:convId/messages/:msgId/traces`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['chat'],
        summary: 'Model calls behind an answer: model, tokens, time to first token, latency, errors',
        params: msgParams,
        querystring: z.object({ scope: z.enum(['mine', 'all']).default('mine') }),
        response: { 200: z.object({ data: z.array(traceSchema) }) },
      },
    },
    async (req) => {
      const conv = await loadConv(req, req.query.scope);
      const msg = await repo.getMessage(deps.db, conv.orgId, conv.id, req.params.msgId);
      if (!msg) throw notFound('Message');
      const calls = await repo.listLlmCalls(deps.db, conv.orgId, msg.id);
      return {
        data: calls.map((c) => ({
          id: c.id,
          purpose: c.purpose,
          provider: c.provider,
          model: c.model,
          promptTokens: c.promptTokens,
          completionTokens: c.completionTokens,
          ttftMs: c.ttftMs,
          latencyMs: c.latencyMs,
          status: c.status,
          error: c.error,
          attempt: c.attempt,
          createdAt: c.createdAt.toISOString(),
        })),
      };
    },
  );
};
