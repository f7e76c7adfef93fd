import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../../deps.ts';
import { contextOf, orgAccessOf } from '../../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../../platform/http/pagination.ts';
import { requireChatbot } from '../../chatbots/chatbots.service.ts';
import * as service from './faqs.service.ts';
import { listFaqs } from './faqs.repo.ts';
import {
  faqCreateSchema,
  faqImportBodySchema,
  faqImportResultSchema,
  faqSchema,
  faqUpdateSchema,
  MAX_IMPORT_CSV_BYTES,
  presentFaq,
} from './faqs.schemas.ts';

const botParams = z.object({ orgId: prefixedId('org'), botId: prefixedId('bot') });
const faqParams = botParams.extend({ faqId: prefixedId('faq') });

/** FAQ entries (question/answer pairs) of a chatbot: knowledge its search and answers draw on. */
export const faqRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const base = '/orgs/:orgId/chatbots/:botId/faqs';

  // CSV imports arrive as text; the parser is scoped to this plugin (Fastify encapsulation).
  app.addContentTypeParser(
    ['text/csv', 'application/csv'],
    { parseAs: 'string', bodyLimit: MAX_IMPORT_CSV_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.get(
    base,
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: "List a chatbot's FAQ entries",
        params: botParams,
        querystring: paginationQuerySchema.extend({
          q: z.string().max(100).optional().describe('Search in questions and answers'),
          tag: z.string().max(50).optional(),
          enabled: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => (v === undefined ? undefined : v === 'true')),
        }),
        response: { 200: pageOf(faqSchema) },
      },
    },
    async (req) => {
      const { orgId, botId } = req.params;
      await requireChatbot(deps, orgId, botId);
      const rows = await listFaqs(deps.db, orgId, botId, {
        ...req.query,
        before: decodeCursor(req.query.cursor),
      });
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentFaq), nextCursor: page.nextCursor };
    },
  );

  app.post(
    base,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Add an FAQ entry (searchable at once; a question that already exists is a 409)',
        params: botParams,
        body: faqCreateSchema,
        response: { 201: faqSchema },
      },
    },
    async (req, reply) => {
      const row = await service.createFaq(deps, contextOf(req), orgAccessOf(req), req.params.botId, req.body);
      return reply.status(201).send(presentFaq(row));
    },
  );

  app.post(
    `${base}/import`,
    {
      config: { access: 'chatbots:write' },
      bodyLimit: MAX_IMPORT_CSV_BYTES,
      schema: {
        tags: ['knowledge'],
        summary: 'Import FAQ entries in bulk (JSON array or text/csv); idempotent on the question',
        params: botParams,
        body: faqImportBodySchema,
        response: { 200: faqImportResultSchema },
      },
    },
    async (req) => service.importFaqs(deps, contextOf(req), orgAccessOf(req), req.params.botId, req.body),
  );

  app.get(
    `${base}/:faqId`,
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: 'An FAQ entry',
        params: faqParams,
        response: { 200: faqSchema },
      },
    },
    async (req) => {
      const { orgId, botId, faqId } = req.params;
      await requireChatbot(deps, orgId, botId);
      return presentFaq(await service.requireFaq(deps, orgId, botId, faqId));
    },
  );

  app.patch(
    `${base}/:faqId`,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Change an FAQ entry',
        params: faqParams,
        body: faqUpdateSchema,
        response: { 200: faqSchema },
      },
    },
    async (req) =>
      presentFaq(
        await service.updateFaq(
          deps,
          contextOf(req),
          orgAccessOf(req),
          req.params.botId,
          req.params.faqId,
          req.body,
        ),
      ),
  );

  app.delete(
    `${base}/:faqId`,
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Delete an FAQ entry (it leaves search at once)',
        params: faqParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.deleteFaq(deps, contextOf(req), orgAccessOf(req), req.params.botId, req.params.faqId);
      return reply.status(204).send(null);
    },
  );
};
