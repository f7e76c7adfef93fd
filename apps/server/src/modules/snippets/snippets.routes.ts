import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { orgAccessOf } from '../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { listSnippets } from './snippets.repo.ts';
import * as service from './snippets.service.ts';
import {
  presentSnippet,
  snippetCreateSchema,
  snippetFromMessageSchema,
  snippetListQuerySchema,
  snippetParams,
  snippetSchema,
  snippetUpdateSchema,
} from './snippets.schemas.ts';

const orgParams = z.object({ orgId: prefixedId('org') });
// The snippets table has no API-key owner, so a key could not keep snippets private (see snippetOwnerOf).
const description = 'Private to the signed-in user who saved them; API keys are refused with 403 forbidden.';

/** Code snippets: a signed-in user's private collection, typed in or saved from chat answers (seed 000). */
export const snippetRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const base = '/orgs/:orgId/snippets';
  /** The org and the owning user of this request (API keys are refused here). */
  const callerOf = (req: Parameters<typeof orgAccessOf>[0]) => {
    const access = orgAccessOf(req);
    return { orgId: access.orgId, userId: service.snippetOwnerOf(access.actor) };
  };

  app.get(
    base,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['snippets'],
        summary: 'List your code snippets, newest first, with search and filters',
        description,
        params: orgParams,
        querystring: snippetListQuerySchema,
        response: { 200: pageOf(snippetSchema) },
      },
    },
    async (req) => {
      const { orgId, userId } = callerOf(req);
      const rows = await listSnippets(deps.db, orgId, userId, {
        q: req.query.q,
        tag: req.query.tag,
        language: req.query.language,
        before: decodeCursor(req.query.cursor),
        limit: req.query.limit,
      });
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentSnippet), nextCursor: page.nextCursor };
    },
  );

  app.post(
    base,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['snippets'],
        summary: 'Save a code snippet',
        description,
        params: orgParams,
        body: snippetCreateSchema,
        response: { 201: snippetSchema },
      },
    },
    async (req, reply) => {
      const { orgId, userId } = callerOf(req);
      const row = await service.createSnippet(deps, orgId, userId, req.body);
      return reply.status(201).send(presentSnippet(row));
    },
  );

  app.post(
    `${base}/from-message`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['snippets'],
        summary:
          'Save the fenced code blocks of an answer in one of your conversations (one snippet per block; ' +
          'language from the fence tag)',
        description,
        params: orgParams,
        body: snippetFromMessageSchema,
        response: { 201: z.object({ data: z.array(snippetSchema) }) },
      },
    },
    async (req, reply) => {
      const { orgId, userId } = callerOf(req);
      const rows = await service.saveSnippetsFromMessage(deps, orgId, userId, req.body);
      // Ids grow with creation, so this is block order whatever order RETURNING used.
      rows.sort((a, b) => (a.id < b.id ? -1 : 1));
      return reply.status(201).send({ data: rows.map(presentSnippet) });
    },
  );

  app.get(
    `${base}/:snippetId`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['snippets'],
        summary: 'One of your snippets',
        description,
        params: snippetParams,
        response: { 200: snippetSchema },
      },
    },
    async (req) => {
      const { orgId, userId } = callerOf(req);
      return presentSnippet(await service.requireSnippet(deps, orgId, userId, req.params.snippetId));
    },
  );

  app.patch(
    `${base}/:snippetId`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['snippets'],
        summary: 'Change a snippet (title, language, code, tags — tags are replaced)',
        description,
        params: snippetParams,
        body: snippetUpdateSchema,
        response: { 200: snippetSchema },
      },
    },
    async (req) => {
      const { orgId, userId } = callerOf(req);
      const row = await service.updateSnippet(deps, orgId, userId, req.params.snippetId, req.body);
      return presentSnippet(row);
    },
  );

  app.delete(
    `${base}/:snippetId`,
    {
      config: { access: 'chat:use' },
      schema: {
        tags: ['snippets'],
        summary: 'Delete a snippet',
        description,
        params: snippetParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      const { orgId, userId } = callerOf(req);
      await service.deleteSnippet(deps, orgId, userId, req.params.snippetId);
      return reply.status(204).send(null);
    },
  );
};
