import type { FastifyInstance, FastifyRequest } from 'fastify';
import { prefixedId, type Role } from '@kawan/contracts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { can, permissions, type Actor, type OrgAccess, type Permission } from '../auth/policy.ts';

/**
 * Every /api route declares who may call it in `config.access`; a route without one fails at registration,
 * and the route-security suite reads the same declaration. Values:
 * - 'public'          no credentials
 * - 'user'            any signed-in user (their own account, org list…)
 * - 'platform_admin'  operators of this Kawan installation
 * - 'chatbot'         the key of the chatbot named by :botId, or a guest/widget session of it (public endpoints)
 * - 'api_key'         any live API key (chatbot or org key); the handler scopes to the key's org/chatbot
 *                     (the OpenAI-compatible /v1 endpoints, where the chatbot is named in the body)
 * - a Permission      org-scoped: :orgId in the path, checked with can()
 */
export type Access = 'public' | 'user' | 'platform_admin' | 'chatbot' | 'api_key' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    orgAccess: OrgAccess | null;
  }
}

export interface AccessDeps {
  verifyAccessToken(token: string): Promise<{ userId: string }>;
  /** Resolves a raw API key; throws api_key_invalid for unknown, revoked or expired keys. */
  resolveApiKey(raw: string): Promise<Extract<Actor, { type: 'api_key' }>>;
  /** Resolves a guest/widget session token (`kwg_…`); throws api_key_invalid when unknown or expired. */
  resolveGuestToken(raw: string): Promise<Extract<Actor, { type: 'guest' }>>;
  membershipRole(orgId: string, userId: string): Promise<Role | null>;
  isPlatformAdmin(userId: string): Promise<boolean>;
}

export const API_KEY_PREFIX = 'kw_';
export const GUEST_TOKEN_PREFIX = 'kwg_';
const orgIdSchema = prefixedId('org');

export function registerAccessControl(app: FastifyInstance, deps: AccessDeps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('orgAccess', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') && !route.url.startsWith('/v1/')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${route.method} ${route.url} declares no config.access`);
    if (access in permissions && !route.url.includes(':orgId')) {
      throw new Error(`Route ${route.method} ${route.url} uses an org permission but has no :orgId`);
    }
  });

  // preValidation, not preHandler: a caller without access must get 401/403/404, never a 400 that reveals the
  // route's schema. Params are raw (unvalidated) strings here; they are only compared and looked up.
  app.addHook('preValidation', async (req) => {
    const access = req.routeOptions.config.access;
    if (!access) return;
    if (access === 'public') {
      req.actor = await authenticate(req, deps, false);
      return;
    }
    const actor = await authenticate(req, deps, true);
    req.actor = actor;
    if (!actor) throw new AppError('unauthenticated', 'Sign in or send an API key (Authorization: Bearer …)');

    if (access === 'user') {
      if (actor.type !== 'user') throw forbidden('This endpoint needs a signed-in user, not an API key');
      return;
    }
    if (access === 'platform_admin') {
      if (actor.type !== 'user' || !(await deps.isPlatformAdmin(actor.userId))) {
        throw forbidden('Platform administrators only');
      }
      return;
    }
    if (access === 'api_key') {
      if (actor.type !== 'api_key') throw new AppError('unauthenticated', 'Send an API key as Bearer');
      return;
    }
    if (access === 'chatbot') {
      const botId = (req.params as { botId?: string }).botId;
      // the chatbot's own key, or a guest/widget session opened for this chatbot
      if (actor.type === 'user' || actor.chatbotId === null || actor.chatbotId !== botId) {
        throw notFound('Chatbot');
      }
      return;
    }
    const orgId = (req.params as { orgId?: string }).orgId ?? '';
    req.orgAccess = await resolveOrgAccess(deps, actor, orgId);
    if (!can(req.orgAccess, access)) throw forbidden();
  });
}

async function authenticate(req: FastifyRequest, deps: AccessDeps, required: boolean): Promise<Actor | null> {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    if (!required) return null;
    throw new AppError('unauthenticated', 'Authorization header must be "Bearer <token or API key>"');
  }
  const credential = match[1];
  if (credential.startsWith(GUEST_TOKEN_PREFIX)) return deps.resolveGuestToken(credential);
  if (credential.startsWith(API_KEY_PREFIX)) return deps.resolveApiKey(credential);
  const { userId } = await deps.verifyAccessToken(credential);
  return { type: 'user', userId };
}

/** Another org's resources answer 404 — never a 403 that would confirm the org exists. */
async function resolveOrgAccess(deps: AccessDeps, actor: Actor, orgId: string): Promise<OrgAccess> {
  // Runs before validation: keep raw path text (e.g. a NUL byte, which Postgres rejects) away from the database.
  if (!orgIdSchema.safeParse(orgId).success) throw notFound('Organization');
  if (actor.type === 'guest') throw notFound('Organization');
  if (actor.type === 'api_key') {
    if (actor.orgId !== orgId) throw notFound('Organization');
    return { orgId, actor, role: null };
  }
  const role = await deps.membershipRole(orgId, actor.userId);
  if (!role) throw notFound('Organization');
  return { orgId, actor, role };
}

/** What services need to know about the caller, for decisions and the audit trail. */
export interface RequestContext {
  actor: Actor | null;
  ip: string;
  userAgent: string | null;
  requestId: string;
}

export function contextOf(req: FastifyRequest): RequestContext {
  return { actor: req.actor, ip: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id };
}

export function orgAccessOf(req: FastifyRequest): OrgAccess {
  if (!req.orgAccess) throw new Error('orgAccessOf() used on a route without an org permission');
  return req.orgAccess;
}

/** The signed-in user's id on routes declared `access: 'user'`. */
export function userIdOf(req: { actor: Actor | null }): string {
  if (req.actor?.type !== 'user') throw new AppError('unauthenticated', 'Sign in first');
  return req.actor.userId;
}
