import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { isoDate, pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { contextOf, type Access } from '../../platform/http/access.ts';
import { grantableScopes } from '../../platform/auth/policy.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import * as service from './apikeys.service.ts';
import { listApiKeys, type ApiKeyRow } from './apikeys.repo.ts';

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('Visible start of the key, to recognise it in lists'),
  scopes: z.array(z.string()),
  chatbotId: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  expiresAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  rotatedToId: z.string().nullable().describe('Successor key after a rotation'),
});

export const createdKeySchema = z.object({
  key: apiKeySchema,
  secret: z.string().describe('The full key. Shown only in this response — store it now.'),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const presentKey = (r: ApiKeyRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  chatbotId: r.chatbotId,
  status: service.keyStatus(r),
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: iso(r.lastUsedAt),
  expiresAt: iso(r.expiresAt),
  revokedAt: iso(r.revokedAt),
  rotatedToId: r.rotatedToId,
});

const expiresAtSchema = z.iso
  .datetime({ offset: true })
  .refine((v) => new Date(v).getTime() > Date.now(), 'must be in the future')
  .optional()
  .describe('Optional expiry (ISO 8601)');

export const rotateBodySchema = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .optional()
      .describe('How long the old key keeps working; default KEY_ROTATION_GRACE'),
  })
  .default({});

interface KeyRouteOptions {
  /** Path up to and including `…/keys` or `…/api-keys`. */
  base: string;
  params: z.ZodObject<{ orgId: z.ZodType<string> } & Record<string, z.ZodType<string>>>;
  tag: string;
  read: Access;
  manage: Access;
  /** Resolves (and checks) the scope the keys belong to: the org, or one chatbot of it. */
  scopeOf(req: FastifyRequest): Promise<{ orgId: string; chatbotId: string | null }>;
  /** Scopes a new key receives: chosen by the caller (org keys) or fixed (chatbot keys). */
  scopes: 'choose' | readonly string[];
}

/** The same five key operations serve org-level keys and chatbot keys. */
export function registerKeyRoutes(parent: FastifyInstance, deps: Deps, o: KeyRouteOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const keyParams = o.params.extend({ keyId: prefixedId('key') });
  const createBody = z.object({
    name: z.string().trim().min(1).max(100),
    expiresAt: expiresAtSchema,
    ...(o.scopes === 'choose'
      ? {
          scopes: z
            .array(z.enum(grantableScopes as [string, ...string[]]))
            .min(1)
            .describe('Permissions this key holds'),
        }
      : {}),
  });

  app.get(
    o.base,
    {
      config: { access: o.read },
      schema: {
        tags: [o.tag],
        summary: 'List keys (secrets are never shown again)',
        params: o.params,
        querystring: paginationQuerySchema,
        response: { 200: pageOf(apiKeySchema) },
      },
    },
    async (req) => {
      const scope = await o.scopeOf(req);
      const rows = await listApiKeys(
        deps.db,
        scope.orgId,
        scope.chatbotId,
        decodeCursor(req.query.cursor),
        req.query.limit,
      );
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentKey), nextCursor: page.nextCursor };
    },
  );

  app.post(
    o.base,
    {
      config: { access: o.manage },
      schema: {
        tags: [o.tag],
        summary: 'Create a key — the secret is returned once',
        params: o.params,
        body: createBody,
        response: { 201: createdKeySchema },
      },
    },
    async (req, reply) => {
      const scope = await o.scopeOf(req);
      const body = req.body as z.infer<typeof createBody> & { scopes?: string[] };
      const scopes = o.scopes === 'choose' ? (body.scopes ?? []) : [...o.scopes];
      const { key, secret } = await service.createApiKey(deps, contextOf(req), scope, {
        name: body.name,
        scopes,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
      });
      return reply.status(201).send({ key: presentKey(key), secret });
    },
  );

  app.post(
    `${o.base}/:keyId/rotate`,
    {
      config: { access: o.manage },
      schema: {
        tags: [o.tag],
        summary: 'Rotate: issue a successor; the old key keeps working during the grace period',
        params: keyParams,
        body: rotateBodySchema,
        response: { 200: createdKeySchema.extend({ previous: apiKeySchema }) },
      },
    },
    async (req) => {
      const scope = await o.scopeOf(req);
      const grace = req.body?.gracePeriodSeconds ?? deps.config.KEY_ROTATION_GRACE;
      const r = await service.rotateApiKey(
        deps,
        contextOf(req),
        scope,
        (req.params as { keyId: string }).keyId,
        grace,
      );
      return { key: presentKey(r.key), secret: r.secret, previous: presentKey(r.previous) };
    },
  );

  app.post(
    `${o.base}/:keyId/revoke`,
    {
      config: { access: o.manage },
      schema: {
        tags: [o.tag],
        summary: 'Revoke a key immediately',
        params: keyParams,
        response: { 200: z.object({ key: apiKeySchema }) },
      },
    },
    async (req) => {
      const scope = await o.scopeOf(req);
      const row = await service.revokeApiKey(
        deps,
        contextOf(req),
        scope,
        (req.params as { keyId: string }).keyId,
      );
      return { key: presentKey(row) };
    },
  );
}

export const orgApiKeyRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  registerKeyRoutes(app, deps, {
    base: '/orgs/:orgId/api-keys',
    params: z.object({ orgId: prefixedId('org') }),
    tag: 'api-keys',
    read: 'apikeys:manage',
    manage: 'apikeys:manage',
    scopes: 'choose',
    scopeOf: async (req) => ({ orgId: (req.params as { orgId: string }).orgId, chatbotId: null }),
  });
};
