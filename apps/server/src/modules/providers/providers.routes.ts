import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { contextOf, orgAccessOf } from '../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { listBuiltinModels, listOrgModels, type ModelBackends } from '../../platform/llm/resolve-model.ts';
import { presets } from '../../platform/llm/presets.ts';
import * as service from './providers.service.ts';
import { listProviders } from './providers.repo.ts';
import {
  catalogueModelSchema,
  providerCreateSchema,
  providerSchema,
  providerTestBodySchema,
  providerTestResultSchema,
  providerUpdateSchema,
  syncResultSchema,
} from './providers.schemas.ts';

const orgParams = z.object({ orgId: prefixedId('org') });
const providerParams = orgParams.extend({ providerId: prefixedId('prv') });
const tags = ['providers'];

const presetSchema = z.object({
  id: z.string(),
  label: z.string(),
  baseUrl: z.string().nullable(),
  requiresKey: z.boolean(),
  selfHosted: z.boolean(),
});

/**
 * Model providers of an org (OpenAI-compatible servers) and the model catalogues built from them.
 * `modelBackends` (local GGUF models, …) come from boot; without them only the org's providers and the
 * built-in extractive responder are listed.
 */
export const providerRoutes: FastifyPluginAsyncZod<{ deps: Deps; modelBackends?: ModelBackends }> = async (
  app,
  { deps, modelBackends },
) => {
  const modelDeps = { ...deps, modelBackends };

  app.get(
    '/orgs/:orgId/providers',
    {
      config: { access: 'providers:read' },
      schema: {
        tags,
        summary: 'List model providers (API keys are never returned)',
        params: orgParams,
        querystring: paginationQuerySchema,
        response: { 200: pageOf(providerSchema).extend({ presets: z.array(presetSchema) }) },
      },
    },
    async (req) => {
      const rows = await listProviders(deps.db, req.params.orgId, {
        limit: req.query.limit,
        before: decodeCursor(req.query.cursor),
      });
      const page = toPage(rows, req.query.limit);
      return {
        data: page.data.map(service.presentProvider),
        nextCursor: page.nextCursor,
        presets: Object.values(presets),
      };
    },
  );

  app.post(
    '/orgs/:orgId/providers',
    {
      config: { access: 'providers:manage' },
      schema: {
        tags,
        summary: 'Add a model provider (an OpenAI-compatible server; preset fills the base URL)',
        params: orgParams,
        body: providerCreateSchema,
        response: { 201: providerSchema },
      },
    },
    async (req, reply) => {
      const row = await service.createProvider(deps, contextOf(req), orgAccessOf(req), req.body);
      return reply.status(201).send(service.presentProvider(row));
    },
  );

  app.get(
    '/orgs/:orgId/providers/:providerId',
    {
      config: { access: 'providers:read' },
      schema: {
        tags,
        summary: 'Get a model provider',
        params: providerParams,
        response: { 200: providerSchema },
      },
    },
    async (req) =>
      service.presentProvider(await service.requireProvider(deps, req.params.orgId, req.params.providerId)),
  );

  app.patch(
    '/orgs/:orgId/providers/:providerId',
    {
      config: { access: 'providers:manage' },
      schema: {
        tags,
        summary: 'Change a model provider (apiKey: a new key, or null to remove it)',
        params: providerParams,
        body: providerUpdateSchema,
        response: { 200: providerSchema },
      },
    },
    async (req) =>
      service.presentProvider(
        await service.updateProvider(deps, contextOf(req), orgAccessOf(req), req.params.providerId, req.body),
      ),
  );

  app.delete(
    '/orgs/:orgId/providers/:providerId',
    {
      config: { access: 'providers:manage' },
      schema: {
        tags,
        summary: 'Delete a model provider',
        params: providerParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.deleteProvider(deps, contextOf(req), orgAccessOf(req), req.params.providerId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/orgs/:orgId/providers/:providerId/test',
    {
      config: { access: 'providers:manage' },
      schema: {
        tags,
        summary:
          'Check a provider: list its models and ask for a 1-token completion; reports ok/error + latency',
        params: providerParams,
        body: providerTestBodySchema,
        response: { 200: providerTestResultSchema },
      },
    },
    async (req) => service.testProvider(deps, req.params.orgId, req.params.providerId, req.body ?? {}),
  );

  app.post(
    '/orgs/:orgId/providers/:providerId/sync-models',
    {
      config: { access: 'providers:manage' },
      schema: {
        tags,
        summary: "Fill the provider's model catalogue from its GET /v1/models",
        params: providerParams,
        querystring: z.object({
          prune: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true')
            .describe('Also remove catalogue entries the server no longer lists'),
        }),
        response: { 200: syncResultSchema },
      },
    },
    async (req) => {
      const r = await service.syncModels(deps, contextOf(req), orgAccessOf(req), req.params.providerId, {
        prune: req.query.prune,
      });
      return {
        provider: service.presentProvider(r.row),
        added: r.added,
        removed: r.removed,
        unlisted: r.unlisted,
      };
    },
  );

  app.get(
    '/orgs/:orgId/models',
    {
      config: { access: 'providers:read' },
      schema: {
        tags,
        summary:
          "Models the org's chatbots can use: built-in, local GGUF, and each enabled provider's catalogue",
        params: orgParams,
        response: { 200: z.object({ data: z.array(catalogueModelSchema) }) },
      },
    },
    async (req) => ({ data: await listOrgModels(modelDeps, req.params.orgId) }),
  );

  app.get(
    '/models',
    {
      config: { access: 'public' },
      schema: {
        tags: ['public'],
        summary: "Built-in models; with a chatbot key or org key, also that org's models",
        security: [{}, { bearer: [] }],
        response: { 200: z.object({ data: z.array(catalogueModelSchema) }) },
      },
    },
    async (req) => {
      const actor = req.actor;
      const data =
        actor?.type === 'api_key'
          ? await listOrgModels(modelDeps, actor.orgId)
          : await listBuiltinModels(modelDeps);
      return { data };
    },
  );
};
