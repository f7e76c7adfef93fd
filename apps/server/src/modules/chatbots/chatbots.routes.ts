import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { contextOf, orgAccessOf } from '../../platform/http/access.ts';
import { chatbotKeyScopes } from '../../platform/auth/policy.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { notFound } from '../../platform/errors.ts';
import { createdKeySchema, presentKey, registerKeyRoutes } from '../apikeys/apikeys.routes.ts';
import * as service from './chatbots.service.ts';
import { listChatbots, type ChatbotRow } from './chatbots.repo.ts';
import {
  chatbotCreateSchema,
  chatbotSchema,
  chatbotUpdateSchema,
  embedSettingsSchema,
  modelSettingsSchema,
  publicChatbotSchema,
  reembedStatusSchema,
} from './chatbots.schemas.ts';
import { readReembedStatus } from '../knowledge/reembed.job.ts';

const orgParams = z.object({ orgId: prefixedId('org') });
const botParams = orgParams.extend({ botId: prefixedId('bot') });

export const presentChatbot = (b: ChatbotRow) => ({
  id: b.id,
  orgId: b.orgId,
  name: b.name,
  slug: b.slug,
  description: b.description,
  systemPrompt: b.systemPrompt,
  // Stored settings are complete (written through the schema); the response serializer fills any newer defaults.
  modelSettings: b.modelSettings as z.infer<typeof modelSettingsSchema>,
  language: b.language,
  status: b.status,
  demoMessageLimit: b.demoMessageLimit,
  embed: b.embed as z.infer<typeof embedSettingsSchema>,
  embedder: b.embedder,
  embeddingDims: b.embeddingDims,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

export const chatbotRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/orgs/:orgId/chatbots',
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['chatbots'],
        summary: 'List chatbots',
        params: orgParams,
        querystring: paginationQuerySchema.extend({
          status: z.enum(['active', 'disabled']).optional(),
          q: z.string().max(100).optional().describe('Search in name and slug'),
        }),
        response: { 200: pageOf(chatbotSchema) },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listChatbots(deps.db, req.params.orgId, { ...q, before: decodeCursor(q.cursor) });
      const page = toPage(rows, q.limit);
      return { data: page.data.map(presentChatbot), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/orgs/:orgId/chatbots',
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['chatbots'],
        summary: 'Create a chatbot (its first API key is returned once)',
        params: orgParams,
        body: chatbotCreateSchema,
        response: { 201: z.object({ chatbot: chatbotSchema }).extend(createdKeySchema.shape) },
      },
    },
    async (req, reply) => {
      const r = await service.createChatbot(deps, contextOf(req), orgAccessOf(req), req.body);
      return reply
        .status(201)
        .send({ chatbot: presentChatbot(r.chatbot), key: presentKey(r.key), secret: r.secret });
    },
  );

  app.get(
    '/orgs/:orgId/chatbots/:botId',
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['chatbots'],
        summary: 'Get a chatbot',
        params: botParams,
        response: { 200: chatbotSchema },
      },
    },
    async (req) => presentChatbot(await service.requireChatbot(deps, req.params.orgId, req.params.botId)),
  );

  app.get(
    '/orgs/:orgId/chatbots/:botId/reembed',
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['chatbots'],
        summary: "Progress of the knowledge base's re-embedding after an embedder change",
        params: botParams,
        response: { 200: reembedStatusSchema },
      },
    },
    async (req) => {
      const bot = await service.requireChatbot(deps, req.params.orgId, req.params.botId);
      const job = await readReembedStatus(deps, bot.orgId, bot.id);
      return { embedder: bot.embedder, embeddingDims: bot.embeddingDims, job };
    },
  );

  app.patch(
    '/orgs/:orgId/chatbots/:botId',
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['chatbots'],
        summary: 'Change a chatbot',
        params: botParams,
        body: chatbotUpdateSchema,
        response: { 200: chatbotSchema },
      },
    },
    async (req) =>
      presentChatbot(
        await service.updateChatbot(deps, contextOf(req), orgAccessOf(req), req.params.botId, req.body),
      ),
  );

  app.delete(
    '/orgs/:orgId/chatbots/:botId',
    {
      config: { access: 'chatbots:delete' },
      schema: {
        tags: ['chatbots'],
        summary: 'Delete a chatbot and its keys',
        params: botParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.deleteChatbot(deps, contextOf(req), orgAccessOf(req), req.params.botId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/orgs/:orgId/chatbots/:botId/embed',
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['chatbots'],
        summary: 'Embed snippet for websites (change settings with PATCH … {embed})',
        params: botParams,
        response: {
          200: z.object({ snippet: z.string(), scriptUrl: z.string(), settings: embedSettingsSchema }),
        },
      },
    },
    async (req) => {
      const bot = await service.requireChatbot(deps, req.params.orgId, req.params.botId);
      return {
        snippet: service.embedSnippet(deps.config.publicUrl, bot),
        scriptUrl: `${deps.config.publicUrl}/widget.js`,
        settings: embedSettingsSchema.parse(bot.embed),
      };
    },
  );

  registerKeyRoutes(app, deps, {
    base: '/orgs/:orgId/chatbots/:botId/keys',
    params: botParams,
    tag: 'chatbots',
    read: 'chatbot-keys:read',
    manage: 'chatbot-keys:manage',
    scopes: chatbotKeyScopes,
    scopeOf: async (req) => {
      const { orgId, botId } = req.params as { orgId: string; botId: string };
      await service.requireChatbot(deps, orgId, botId);
      return { orgId, chatbotId: botId };
    },
  });

  app.get(
    '/public/chatbots/:botId',
    {
      config: { access: 'chatbot' },
      schema: {
        tags: ['public'],
        summary: "A chatbot's public profile, for widgets and integrations (send the chatbot's key)",
        params: z.object({ botId: prefixedId('bot') }),
        response: { 200: publicChatbotSchema },
      },
    },
    async (req) => {
      const actor = req.actor!;
      if (actor.type !== 'api_key') throw notFound('Chatbot');
      const bot = await service.findChatbot(deps, actor.orgId, req.params.botId);
      if (!bot || bot.status !== 'active') throw notFound('Chatbot');
      const embed = embedSettingsSchema.parse(bot.embed);
      return {
        id: bot.id,
        name: bot.name,
        description: bot.description,
        language: bot.language,
        greeting: embed.greeting,
        theme: { color: embed.color, position: embed.position },
        demoMessageLimit: bot.demoMessageLimit,
      };
    },
  );
};
