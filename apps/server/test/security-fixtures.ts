import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Role } from '@kawan/contracts';
import { grantableScopes, permissions, type Permission } from '../src/platform/auth/policy.ts';
import { createApiKey } from '../src/modules/apikeys/apikeys.service.ts';
import type { Access } from '../src/platform/http/access.ts';
import { STATIC_ROUTES } from '../src/platform/http/static-ui.ts';
import type { TestServer } from './harness.ts';
import {
  addMember,
  createChatbot,
  createOrgKey,
  registerUser,
  uniqueEmail,
  uploadFile,
  type TestUser,
} from './factories.ts';

/**
 * Fixtures of the route-security suite (security.int.test.ts): the route table as Fastify built it, and two
 * organizations — A (the victim: members of every role, chatbots, live and dead keys, a pending invitation)
 * and B (the attacker: its own owner, chatbot and keys).
 *
 * A new route joins the suite by itself. What it may need from here:
 * - a new path parameter → an entry in `paramFixtures` (the suite fails with "add a fixture for :param");
 * - a body, when the route also names a resource of the org (`:botId`, `:keyId`…) → an entry in
 *   `crossOrgBodies`, so the "org B names org A's resource" cell reaches the handler;
 * - a new kind of `config.access` → a new case list in the suite.
 */

// ---------------------------------------------------------------------------------------------------------
// The route table

export type AccessClass = 'public' | 'user' | 'platform_admin' | 'chatbot' | 'api_key' | 'org';

export interface CollectedRoute {
  method: string;
  /** Full path with Fastify params, e.g. `/api/v1/orgs/:orgId/chatbots/:botId`. */
  url: string;
  access: Access | undefined;
  params: string[];
  hasBody: boolean;
  /** `schema.hide`: left out of the OpenAPI document. */
  hidden: boolean;
  /** The HEAD twin Fastify adds to every GET route (same hooks and config, no response body). */
  autoHead: boolean;
}

export const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

export function isApiRoute(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/v1/');
}

/** Routes outside the API (operations, docs, the dashboard's and widget's files): not access-controlled by design. Anything else outside /api fails the suite. */
export function isInfraRoute(url: string): boolean {
  return (
    ['/openapi.json', '/healthz', '/readyz', ...STATIC_ROUTES].includes(url) ||
    url === '/docs' ||
    url.startsWith('/docs/')
  );
}

export function accessClass(access: Access | undefined): AccessClass | undefined {
  if (access === undefined) return undefined;
  if (
    access === 'public' ||
    access === 'user' ||
    access === 'platform_admin' ||
    access === 'chatbot' ||
    access === 'api_key'
  ) {
    return access;
  }
  return access in permissions ? 'org' : undefined;
}

/**
 * Records every route of every Fastify instance created while it runs, through Fastify's documented
 * 'fastify.initialization' diagnostics channel: the hook is attached before the app registers any route,
 * so the list is Fastify's own route table, `config.access` included.
 */
export function startRouteCollection() {
  const byApp = new Map<FastifyInstance, CollectedRoute[]>();
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    const routes: CollectedRoute[] = [];
    byApp.set(fastify, routes);
    fastify.addHook('onRoute', (opts) => {
      const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
      const schema = opts.schema as { body?: unknown; hide?: boolean } | undefined;
      for (const method of methods) {
        routes.push({
          method: method.toUpperCase(),
          url: opts.url,
          access: (opts.config as { access?: Access } | undefined)?.access,
          params: [...opts.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!),
          hasBody: schema?.body !== undefined,
          hidden: schema?.hide === true,
          autoHead: false,
        });
      }
    });
  };
  dc.subscribe('fastify.initialization', onInit);
  return {
    stop: () => dc.unsubscribe('fastify.initialization', onInit),
    routesOf(app: FastifyInstance): CollectedRoute[] {
      const routes = byApp.get(app);
      assert.ok(routes, 'the route collector never saw this Fastify instance');
      const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.url));
      return routes.map((r) => ({ ...r, autoHead: r.method === 'HEAD' && gets.has(r.url) }));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Organizations A and B

export type OrgRole = Role;
export const roles: OrgRole[] = ['viewer', 'member', 'admin', 'owner'];

export interface DeadKey {
  label: string;
  secret: string;
}

export interface SecurityFixtures {
  /** First account of the installation, hence the platform administrator. */
  platformAdmin: TestUser;
  a: {
    orgId: string;
    orgName: string;
    users: Record<OrgRole, TestUser>;
    bot: { id: string; name: string };
    bot2: { id: string };
    /** Active keys of chatbot `bot` and `bot2`. */
    botKey: { id: string; secret: string };
    bot2Key: { id: string; secret: string };
    /** Org key holding every grantable scope. */
    orgKey: { id: string; secret: string };
    /** For every grantable permission, an org key holding every other grantable scope. */
    keyWithout: Partial<Record<Permission, string>>;
    /**
     * Keys the API would never issue, written through the service: an org key holding every permission,
     * userOnly ones included, and a chatbot key of `bot` holding every permission. Policy must still refuse
     * them what keys (or chatbot keys) may not do, even if such a row ever exists.
     */
    overscoped: { orgKey: { id: string; secret: string }; botKey: { id: string; secret: string } };
    invite: { id: string; email: string };
    /** A document of chatbot `bot`. */
    doc: { id: string; title: string };
    /** A model provider of org A (its base URL never answers; its key must never show). */
    provider: { id: string; name: string; apiKey: string };
    /** An FAQ entry of chatbot `bot` and a catalogue item of org A. */
    faq: { id: string };
    item: { id: string };
    /** Conversations are private to their owner: one of A's member, one of A's all-scope org key. */
    conv: { convId: string; msgId: string };
    keyConv: { convId: string; msgId: string };
    /** A code snippet of A's member (snippets are private to a signed-in user; keys are refused). */
    snippet: { id: string };
    /** A guest session of chatbot `bot2` (it must not reach `bot`). */
    bot2Guest: string;
    /** Revoked, expired and rotated-out keys of org A (all of them were all-powerful while alive). */
    dead: DeadKey[];
    deadIds: {
      orgRevoked: string;
      orgExpired: string;
      orgRotated: string;
      botRevoked: string;
      botExpired: string;
    };
  };
  b: {
    orgId: string;
    owner: TestUser;
    bot: { id: string };
    botKey: string;
    orgKey: string;
  };
  /** Everything that identifies org A; none of it may appear in a response to anyone outside org A. */
  secretsOfA: string[];
}

const EXPIRY_MS = 1500;

async function post(s: TestServer, path: string, token: string, body?: unknown) {
  const res = await s.request('POST', path, { token, body });
  assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function buildFixtures(s: TestServer): Promise<SecurityFixtures> {
  const tag = randomBytes(4).toString('hex');
  // The first account becomes platform admin, so the org owners below are ordinary users.
  const platformAdmin = await registerUser(s, { email: uniqueEmail('platform-admin'), name: 'Operator' });

  const ownerA = await registerUser(s, { email: uniqueEmail('owner-a'), orgName: `Rahasia A ${tag}` });
  const orgA = `/api/v1/orgs/${ownerA.orgId}`;
  const botA = await createChatbot(s, ownerA, { name: `Bot Rahasia ${tag}` });
  // Keys that expire while the rest is built; the suite waits for what is left of EXPIRY_MS.
  const expiringAt = Date.now() + EXPIRY_MS;
  const expiresAt = new Date(expiringAt).toISOString();
  const orgExpired = await post(s, `${orgA}/api-keys`, ownerA.token, {
    name: 'expiring',
    scopes: grantableScopes,
    expiresAt,
  });
  const botExpired = await post(s, `${orgA}/chatbots/${botA.bot.id}/keys`, ownerA.token, {
    name: 'expiring',
    expiresAt,
  });

  const users = { owner: ownerA } as Record<OrgRole, TestUser>;
  for (const role of ['admin', 'member', 'viewer'] as const) users[role] = await addMember(s, ownerA, role);

  const botA2 = await createChatbot(s, ownerA, { name: `Bot Kedua ${tag}` });
  const orgKey = await createOrgKey(s, ownerA, grantableScopes);
  const keyWithout: Partial<Record<Permission, string>> = {};
  for (const p of grantableScopes) {
    keyWithout[p] = (
      await createOrgKey(
        s,
        ownerA,
        grantableScopes.filter((x) => x !== p),
      )
    ).secret;
  }
  const orgRevoked = await createOrgKey(s, ownerA, grantableScopes);
  await post(s, `${orgA}/api-keys/${orgRevoked.key.id}/revoke`, ownerA.token);
  const orgRotated = await createOrgKey(s, ownerA, grantableScopes);
  const successor = await post(s, `${orgA}/api-keys/${orgRotated.key.id}/rotate`, ownerA.token, {
    gracePeriodSeconds: 0,
  });
  const botRevoked = await post(s, `${orgA}/chatbots/${botA.bot.id}/keys`, ownerA.token, { name: 'revoked' });
  await post(s, `${orgA}/chatbots/${botA.bot.id}/keys/${botRevoked.key.id}/revoke`, ownerA.token);
  const everyPermission = Object.keys(permissions);
  const direct = { actor: null, ip: '127.0.0.1', userAgent: 'security suite', requestId: 'security-suite' };
  const overscopedOrg = await createApiKey(
    s.rt,
    direct,
    { orgId: ownerA.orgId, chatbotId: null },
    {
      name: 'every permission',
      scopes: everyPermission,
    },
  );
  const overscopedBot = await createApiKey(
    s.rt,
    direct,
    { orgId: ownerA.orgId, chatbotId: botA.bot.id },
    {
      name: 'every permission',
      scopes: everyPermission,
    },
  );
  const docTitle = `Dokumen Rahasia ${tag}`;
  const doc = await uploadFile(
    s,
    ownerA.token,
    `${orgA}/chatbots/${botA.bot.id}/documents`,
    {
      name: 'rahasia.txt',
      content: `Kawan security fixture ${tag}: the vault code is in the secret handbook.`,
    },
    { title: docTitle },
  );
  assert.equal(doc.status, 201, JSON.stringify(doc.body));
  const faq = await post(s, `${orgA}/chatbots/${botA.bot.id}/faqs`, ownerA.token, {
    question: `Where is the vault ${tag}?`,
    answer: 'Behind the secret handbook.',
  });
  const item = await post(s, `${orgA}/business/catalogue`, ownerA.token, {
    name: `Vault key ${tag}`,
    price: '1000',
  });
  const providerA = {
    name: `Penyedia Rahasia ${tag}`,
    apiKey: `sk-rahasia-${randomBytes(12).toString('hex')}`,
  };
  const provider = await post(s, `${orgA}/providers`, ownerA.token, {
    ...providerA,
    preset: 'custom',
    baseUrl: 'http://127.0.0.1:1/v1',
    models: [{ id: 'secret-model' }],
  });
  const chatBase = `${orgA}/chatbots/${botA.bot.id}/conversations`;
  const openConversation = async (token: string) => {
    const conv = await post(s, chatBase, token, {});
    const turn = await post(s, `${chatBase}/${conv.id}/messages`, token, {
      content: `Where is the vault ${tag}?`,
    });
    return { convId: conv.id as string, msgId: turn.message.id as string };
  };
  const conv = await openConversation(users.member.token);
  const keyConv = await openConversation(orgKey.secret);
  const snippet = await post(s, `${orgA}/snippets`, users.member.token, {
    title: `Vault snippet ${tag}`,
    language: 'ts',
    code: 'openVault(secretHandbook);',
  });
  const guest = await post(s, '/api/v1/guest/sessions', '', { chatbotId: botA2.bot.id });
  const inviteEmail = uniqueEmail('pending-a');
  const invite = await post(s, `${orgA}/invitations`, ownerA.token, { email: inviteEmail, role: 'admin' });

  const ownerB = await registerUser(s, { email: uniqueEmail('owner-b'), orgName: `Penyerang B ${tag}` });
  const botB = await createChatbot(s, ownerB, { name: 'Bot B' });
  const orgKeyB = await createOrgKey(s, ownerB, grantableScopes);

  const wait = expiringAt + 100 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));

  const a: SecurityFixtures['a'] = {
    orgId: ownerA.orgId,
    orgName: `Rahasia A ${tag}`,
    users,
    bot: { id: botA.bot.id, name: `Bot Rahasia ${tag}` },
    bot2: { id: botA2.bot.id },
    botKey: { id: botA.key.id, secret: botA.secret },
    bot2Key: { id: botA2.key.id, secret: botA2.secret },
    orgKey: { id: orgKey.key.id, secret: orgKey.secret },
    keyWithout,
    overscoped: {
      orgKey: { id: overscopedOrg.key.id, secret: overscopedOrg.secret },
      botKey: { id: overscopedBot.key.id, secret: overscopedBot.secret },
    },
    invite: { id: invite.invitation.id, email: inviteEmail },
    doc: { id: doc.body.document.id, title: docTitle },
    provider: { id: provider.id, ...providerA },
    faq: { id: faq.id },
    item: { id: item.id },
    conv,
    keyConv,
    snippet: { id: snippet.id },
    bot2Guest: guest.token,
    dead: [
      { label: 'revoked org key of A', secret: orgRevoked.secret },
      { label: 'expired org key of A', secret: orgExpired.secret },
      { label: 'rotated-out org key of A (grace 0)', secret: orgRotated.secret },
      { label: 'revoked chatbot key of A', secret: botRevoked.secret },
      { label: 'expired chatbot key of A', secret: botExpired.secret },
    ],
    deadIds: {
      orgRevoked: orgRevoked.key.id,
      orgExpired: orgExpired.key.id,
      orgRotated: orgRotated.key.id,
      botRevoked: botRevoked.key.id,
      botExpired: botExpired.key.id,
    },
  };
  const secretsOfA = [
    a.orgId,
    a.orgName,
    a.bot.id,
    a.bot.name,
    a.bot2.id,
    a.botKey.id,
    a.bot2Key.id,
    a.orgKey.id,
    a.invite.id,
    a.invite.email,
    a.doc.id,
    a.doc.title,
    a.provider.id,
    a.provider.name,
    a.provider.apiKey,
    a.faq.id,
    a.item.id,
    a.conv.convId,
    a.conv.msgId,
    a.keyConv.convId,
    a.keyConv.msgId,
    a.snippet.id,
    ...Object.values(a.deadIds),
    successor.key.id,
    ...Object.values(users).flatMap((u) => [u.id, u.email]),
    ...[a.botKey, a.bot2Key, a.orgKey, a.overscoped.orgKey, a.overscoped.botKey].flatMap((k) => [
      k.id,
      k.secret,
    ]),
    ...Object.values(keyWithout),
    ...a.dead.map((k) => k.secret),
  ];
  return {
    platformAdmin,
    a,
    b: {
      orgId: ownerB.orgId,
      owner: ownerB,
      bot: { id: botB.bot.id },
      botKey: botB.secret,
      orgKey: orgKeyB.secret,
    },
    secretsOfA,
  };
}

/** A fresh org whose `role` member (and an all-scope key) may be used up by a destructive request. */
export async function throwawayOrg(s: TestServer, role: OrgRole) {
  const owner = await registerUser(s, { email: uniqueEmail('throwaway') });
  const user = role === 'owner' ? owner : await addMember(s, owner, role);
  const key = await createOrgKey(s, owner, grantableScopes);
  return { orgId: owner.orgId, user, keySecret: key.secret };
}

// ---------------------------------------------------------------------------------------------------------
// Paths and bodies

/** Values for path parameters, by name. Resources belong to org A unless `org` says otherwise. */
export const paramFixtures: Record<string, (route: CollectedRoute, fx: SecurityFixtures) => string> = {
  orgId: (_r, fx) => fx.a.orgId,
  botId: (_r, fx) => fx.a.bot.id,
  keyId: (r, fx) => (r.url.includes('/chatbots/:botId/keys/') ? fx.a.botKey.id : fx.a.orgKey.id),
  userId: (_r, fx) => fx.a.users.member.id,
  inviteId: (_r, fx) => fx.a.invite.id,
  docId: (_r, fx) => fx.a.doc.id,
  providerId: (_r, fx) => fx.a.provider.id,
  faqId: (_r, fx) => fx.a.faq.id,
  convId: (_r, fx) => fx.a.conv.convId,
  msgId: (_r, fx) => fx.a.conv.msgId,
  itemId: (_r, fx) => fx.a.item.id,
  snippetId: (_r, fx) => fx.a.snippet.id,
};

export function missingFixtures(route: CollectedRoute): string[] {
  return route.params.filter((p) => !(p in paramFixtures));
}

/** The route's path with every parameter filled from `paramFixtures`, except those in `override`. */
export function fillPath(
  route: CollectedRoute,
  fx: SecurityFixtures,
  override: Record<string, string> = {},
): string {
  return route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    if (name in override) return encodeURIComponent(override[name]!);
    const fixture = paramFixtures[name];
    if (!fixture) {
      throw new Error(
        `${routeKey(route)}: add a fixture for :${name} to paramFixtures in apps/server/test/security-fixtures.ts`,
      );
    }
    return encodeURIComponent(fixture(route, fx));
  });
}

/**
 * Valid bodies for the cell "org B's owner, on org B's path, names org A's resource" (e.g. PATCH
 * /orgs/B/chatbots/<A's bot>): the request must pass validation to reach the handler that has to refuse it.
 */
export const crossOrgBodies: Record<string, unknown> = {
  'PATCH /api/v1/orgs/:orgId/members/:userId': { role: 'viewer' },
  'PATCH /api/v1/orgs/:orgId/chatbots/:botId': { name: 'hijacked' },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/keys': { name: 'hijack' },
  'POST /api/v1/orgs/:orgId/api-keys/:keyId/rotate': { gracePeriodSeconds: 0 },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/keys/:keyId/rotate': { gracePeriodSeconds: 0 },
  'PATCH /api/v1/orgs/:orgId/chatbots/:botId/documents/:docId': { title: 'hijacked' },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/search': { query: 'secret handbook' },
  'PATCH /api/v1/orgs/:orgId/providers/:providerId': { name: 'hijacked' },
  // The provider is looked up (404) before anything is called; its base URL (port 1) never answers anyway.
  'POST /api/v1/orgs/:orgId/providers/:providerId/test': {},
  'POST /api/v1/orgs/:orgId/chatbots/:botId/query-expansion': { query: 'secret handbook' },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/faqs': { question: 'hijacked?', answer: 'yes' },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/faqs/import': [{ question: 'hijacked?', answer: 'yes' }],
  'PATCH /api/v1/orgs/:orgId/chatbots/:botId/faqs/:faqId': { answer: 'hijacked' },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/conversations': {},
  'PATCH /api/v1/orgs/:orgId/chatbots/:botId/conversations/:convId': { title: 'hijacked' },
  'POST /api/v1/orgs/:orgId/chatbots/:botId/conversations/:convId/messages': { content: 'hijacked?' },
  'PUT /api/v1/orgs/:orgId/chatbots/:botId/conversations/:convId/messages/:msgId/feedback': {
    rating: 'down',
  },
  'PATCH /api/v1/orgs/:orgId/business/catalogue/:itemId': { name: 'hijacked' },
  // URL ingestion: the chatbot is looked up (404) before anything is fetched; port 1 never answers anyway.
  'POST /api/v1/orgs/:orgId/chatbots/:botId/documents/urls': { url: 'http://127.0.0.1:1/x' },
  'PATCH /api/v1/orgs/:orgId/snippets/:snippetId': { title: 'hijacked' },
};

// Snippets have no API-key owner column: the handler refuses keys rather than pool one org's keys together.
const snippetsRefuseKeys = { apiKey: 'snippets belong to signed-in users; API keys are refused' };

/**
 * Routes whose handler refuses a caller that access control lets through, on purpose. Keyed by route, then
 * by positive cell; the value says why (and the cell then expects 403 forbidden).
 */
export const handlerRefusals: Record<string, { apiKey?: string }> = {
  'GET /api/v1/orgs/:orgId/snippets': snippetsRefuseKeys,
  'HEAD /api/v1/orgs/:orgId/snippets': snippetsRefuseKeys,
  'GET /api/v1/orgs/:orgId/snippets/:snippetId': snippetsRefuseKeys,
  'HEAD /api/v1/orgs/:orgId/snippets/:snippetId': snippetsRefuseKeys,
};

export const leastRole = (p: Permission): OrgRole => permissions[p].role;
export const isUserOnly = (p: Permission): boolean => 'userOnly' in permissions[p];
export const rolesBelow = (least: OrgRole): OrgRole[] => roles.slice(0, roles.indexOf(least));

/**
 * Path parameters that depend on who calls: a conversation is private to its owner, so the org key's control
 * call reads the key's own conversation, everyone else the member's.
 */
export function callerParams(fx: SecurityFixtures, token: string): Record<string, string> {
  return token === fx.a.orgKey.secret ? { convId: fx.a.keyConv.convId, msgId: fx.a.keyConv.msgId } : {};
}
