import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { contextOf, orgAccessOf } from '../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import * as service from './business.service.ts';
import { getProfile, listItems } from './business.repo.ts';
import {
  businessProfileInputSchema,
  businessProfileSchema,
  catalogueItemCreateSchema,
  catalogueItemSchema,
  catalogueItemUpdateSchema,
  presentItem,
  presentProfile,
} from './business.schemas.ts';

const orgParams = z.object({ orgId: prefixedId('org') });
const itemParams = orgParams.extend({ itemId: prefixedId('itm') });
const profileResponse = z.object({
  profile: businessProfileSchema.nullable().describe('null until the profile is first saved'),
});

/**
 * The org's business profile and catalogue (seed 002 business service): knowledge every chatbot of the org
 * searches unless its modelSettings.useBusinessProfile is false.
 */
export const businessRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/orgs/:orgId/business',
    {
      config: { access: 'org:read' },
      schema: {
        tags: ['business'],
        summary: "The organization's business profile",
        params: orgParams,
        response: { 200: profileResponse },
      },
    },
    async (req) => {
      const row = await getProfile(deps.db, req.params.orgId);
      return { profile: row ? presentProfile(row) : null };
    },
  );

  app.put(
    '/orgs/:orgId/business',
    {
      config: { access: 'org:update' },
      schema: {
        tags: ['business'],
        summary: 'Set the business profile (replaces it; chatbots search it at once)',
        params: orgParams,
        body: businessProfileInputSchema,
        response: { 200: profileResponse },
      },
    },
    async (req) => ({
      profile: presentProfile(await service.putProfile(deps, contextOf(req), orgAccessOf(req), req.body)),
    }),
  );

  app.get(
    '/orgs/:orgId/business/catalogue',
    {
      config: { access: 'org:read' },
      schema: {
        tags: ['business'],
        summary: 'List catalogue items (products and services)',
        params: orgParams,
        querystring: paginationQuerySchema.extend({
          q: z.string().max(100).optional().describe('Search in name, description and SKU'),
          category: z.string().max(100).optional(),
          tag: z.string().max(50).optional(),
          available: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => (v === undefined ? undefined : v === 'true')),
        }),
        response: { 200: pageOf(catalogueItemSchema) },
      },
    },
    async (req) => {
      const rows = await listItems(deps.db, req.params.orgId, {
        ...req.query,
        before: decodeCursor(req.query.cursor),
      });
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentItem), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/orgs/:orgId/business/catalogue',
    {
      config: { access: 'org:update' },
      schema: {
        tags: ['business'],
        summary: 'Add a catalogue item (searchable by every chatbot of the org at once)',
        params: orgParams,
        body: catalogueItemCreateSchema,
        response: { 201: catalogueItemSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(presentItem(await service.createItem(deps, contextOf(req), orgAccessOf(req), req.body))),
  );

  app.get(
    '/orgs/:orgId/business/catalogue/:itemId',
    {
      config: { access: 'org:read' },
      schema: {
        tags: ['business'],
        summary: 'A catalogue item',
        params: itemParams,
        response: { 200: catalogueItemSchema },
      },
    },
    async (req) => presentItem(await service.requireItem(deps, req.params.orgId, req.params.itemId)),
  );

  app.patch(
    '/orgs/:orgId/business/catalogue/:itemId',
    {
      config: { access: 'org:update' },
      schema: {
        tags: ['business'],
        summary: 'Change a catalogue item',
        params: itemParams,
        body: catalogueItemUpdateSchema,
        response: { 200: catalogueItemSchema },
      },
    },
    async (req) =>
      presentItem(
        await service.updateItem(deps, contextOf(req), orgAccessOf(req), req.params.itemId, req.body),
      ),
  );

  app.delete(
    '/orgs/:orgId/business/catalogue/:itemId',
    {
      config: { access: 'org:update' },
      schema: {
        tags: ['business'],
        summary: 'Delete a catalogue item (it leaves search at once)',
        params: itemParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.deleteItem(deps, contextOf(req), orgAccessOf(req), req.params.itemId);
      return reply.status(204).send(null);
    },
  );
};
