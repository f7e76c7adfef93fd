import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Permission } from '../src/platform/auth/policy.ts';
import { backends, startServer, type ApiResponse, type TestServer } from './harness.ts';
import { createChatbot, registerUser, uniqueEmail } from './factories.ts';
import {
  accessClass,
  buildFixtures,
  crossOrgBodies,
  fillPath,
  handlerRefusals,
  isApiRoute,
  isInfraRoute,
  isUserOnly,
  leastRole,
  missingFixtures,
  rolesBelow,
  routeKey,
  startRouteCollection,
  throwawayOrg,
  type AccessClass,
  callerParams,
  type CollectedRoute,
  type SecurityFixtures,
} from './security-fixtures.ts';

/*
 * Route-security suite. Every /api route Fastify knows (collected from the route table itself, not from a
 * list in this file) is called with the wrong credentials for its `config.access`:
 *
 * - everyone but 'public': no credentials, malformed/forged/expired tokens, unknown keys, and every revoked,
 *   expired or rotated-out key of org A                                      → 401
 * - org-scoped (a Permission): org B's owner, org key and chatbot key on org A's path → 404 (never 403), the
 *   same answer as for an org that does not exist; org B's owner naming A's resources in B's own path → 404;
 *   each role of A below the permission's least role → 403; A's chatbot key → 403/404; an org key lacking
 *   the scope (or any key, for userOnly permissions) → 403
 * - 'user': API keys → 403;  'platform_admin': ordinary users and keys → 403
 * - 'chatbot': another chatbot's key or guest session, org keys, user tokens → 404
 * - 'api_key' (/v1): user tokens and guest sessions → 401
 *
 * and, as the control that makes the 403s meaningful, the least privileged caller that should get in does
 * (a GET answers < 400; a write is sent a malformed id or body and must get past access control to fail
 * validation with 400; a write with nothing to malform runs against a throwaway org/user/chatbot).
 * No denied response may contain anything that identifies org A.
 *
 * A route that cannot be exercised (unknown access class, a path parameter without a fixture) fails the
 * suite — see security-fixtures.ts for what a new route may need.
 */

type Expect =
  | { deny: number[]; codes?: string[] }
  | { pass: 'direct' } // < 400
  | { pass: 'validation' } // got past access control, then failed validation on purpose
  | { pass: 'refused'; why: string } // past access control; the handler refuses on purpose (403)
  | { notIn: number[] };

type Family =
  | 'no-credentials'
  | 'bad-credentials'
  | 'dead-key'
  | 'other-org'
  | 'role-too-low'
  | 'key-scope'
  | 'wrong-principal'
  | 'not-found'
  | 'allowed';

interface Cell {
  name: string;
  family: Family;
  token?: string;
  authorization?: string;
  path?: string;
  body?: unknown;
  expect: Expect;
  /** The answer must equal (status, code, message) the answer to this path: no existence oracle. */
  sameAs?: string;
}

interface Outcome {
  family: Family;
  name: string;
  status: number | 'n/a';
}

const deny = (statuses: number[], codes?: string[]): Expect => ({ deny: statuses, codes });
const base62 = (n: number) =>
  Array.from(
    randomBytes(n),
    (b) => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[b % 62],
  ).join('');

async function accessToken(secret: string, userId: string, expiredSecondsAgo?: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuer('kawan');
  if (expiredSecondsAgo) jwt.setIssuedAt(now - 3600).setExpirationTime(now - expiredSecondsAgo);
  else jwt.setIssuedAt(now).setExpirationTime(now + 900);
  return jwt.sign(new TextEncoder().encode(secret));
}

for (const backend of backends()) {
  describe(`[${backend}] route security: every /api route × wrong credentials`, () => {
    let s: TestServer;
    let fx: SecurityFixtures;
    let routes: CollectedRoute[];
    let common: Cell[];
    const exercised = new Map<string, Outcome[]>();

    const apiRoutes = (cls?: AccessClass) =>
      routes.filter((r) => isApiRoute(r.url) && (cls === undefined || accessClass(r.access) === cls));

    before(async () => {
      const collector = startRouteCollection();
      try {
        s = await startServer(backend);
      } finally {
        collector.stop();
      }
      routes = collector.routesOf(s.app);
      fx = await buildFixtures(s);
      const ownerA = fx.a.users.owner.id;
      common = [
        { name: 'no credentials', family: 'no-credentials', expect: deny([401], ['unauthenticated']) },
        {
          name: 'non-Bearer Authorization header',
          family: 'bad-credentials',
          authorization: 'Basic b3duZXI6Y29ycmVjdCBob3JzZQ==',
          expect: deny([401], ['unauthenticated']),
        },
        {
          name: 'garbage bearer token',
          family: 'bad-credentials',
          token: 'garbage',
          expect: deny([401], ['token_invalid']),
        },
        {
          name: "forged token for A's owner (wrong secret)",
          family: 'bad-credentials',
          token: await accessToken(randomBytes(32).toString('hex'), ownerA),
          expect: deny([401], ['token_invalid']),
        },
        {
          name: "expired token of A's owner",
          family: 'bad-credentials',
          token: await accessToken(s.rt.config.JWT_SECRET!, ownerA, 60),
          expect: deny([401], ['token_expired']),
        },
        {
          name: 'unknown API key',
          family: 'bad-credentials',
          token: `kw_${base62(40)}`,
          expect: deny([401], ['api_key_invalid']),
        },
        ...fx.a.dead.map((k): Cell => ({
          name: k.label,
          family: 'dead-key',
          token: k.secret,
          expect: deny([401], ['api_key_invalid']),
        })),
      ];
    });
    after(async () => s?.close());

    function record(route: CollectedRoute, r: Outcome) {
      const list = exercised.get(routeKey(route)) ?? [];
      list.push(r);
      exercised.set(routeKey(route), list);
    }

    async function send(route: CollectedRoute, cell: Cell, path: string): Promise<ApiResponse<any>> {
      return s.request(route.method, path, {
        token: cell.token,
        headers: cell.authorization ? { authorization: cell.authorization } : undefined,
        body: cell.body,
      });
    }

    async function run(route: CollectedRoute, cell: Cell) {
      const path = cell.path ?? fillPath(route, fx);
      const res = await send(route, cell, path);
      record(route, { family: cell.family, name: cell.name, status: res.status });
      const head = route.method === 'HEAD'; // no body to inspect
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      const where = `${routeKey(route)} × ${cell.name} (${route.method} ${path}) → ${res.status} ${text.slice(0, 400)}`;
      const e = cell.expect;
      if ('deny' in e) {
        assert.ok(e.deny.includes(res.status), `expected ${e.deny.join('/')}: ${where}`);
        if (!head && e.codes) {
          assert.ok(e.codes.includes(res.body?.error?.code), `expected code ${e.codes.join('/')}: ${where}`);
        }
        for (const secret of fx.secretsOfA) {
          assert.ok(!text.includes(secret), `response leaks org A's ${JSON.stringify(secret)}: ${where}`);
        }
      } else if ('notIn' in e) {
        assert.ok(!e.notIn.includes(res.status), `expected anything but ${e.notIn.join('/')}: ${where}`);
      } else if (e.pass === 'direct') {
        assert.ok(res.status < 400, `expected to be let in (< 400): ${where}`);
      } else if (e.pass === 'validation') {
        assert.equal(res.status, 400, `expected to pass access control and fail validation: ${where}`);
        if (!head) assert.equal(res.body?.error?.code, 'validation_failed', where);
      } else {
        assert.equal(res.status, 403, `expected the handler's refusal (${e.why}): ${where}`);
      }
      if (cell.sameAs) {
        const ref = await send(route, cell, cell.sameAs);
        const pick = (r: ApiResponse<any>) => ({
          status: r.status,
          code: r.body?.error?.code,
          message: r.body?.error?.message,
        });
        assert.deepEqual(pick(res), pick(ref), `must answer as for a nonexistent org: ${where}`);
      }
    }

    /** Path params access control itself reads; any other one can be malformed to stop a write early. */
    const accessParams = (route: CollectedRoute) =>
      accessClass(route.access) === 'org'
        ? ['orgId']
        : accessClass(route.access) === 'chatbot'
          ? ['botId']
          : [];

    /**
     * The control cell: `cred` must get past access control. Reads run as they are; writes are stopped by
     * validation (malformed id or body) so fixtures stay intact; a write with nothing to malform runs against
     * what `throwaway` makes.
     */
    async function allowed(
      route: CollectedRoute,
      label: string,
      token: string,
      throwaway: () => Promise<{ token: string; override: Record<string, string> }>,
      refusal?: string,
    ): Promise<Cell> {
      const family = 'allowed' as const;
      if (route.method === 'GET' || route.method === 'HEAD') {
        return {
          name: label,
          family,
          token,
          path: fillPath(route, fx, callerParams(fx, token)),
          expect: refusal ? { pass: 'refused', why: refusal } : { pass: 'direct' },
        };
      }
      const lever = route.params.find((p) => !accessParams(route).includes(p));
      if (lever) {
        return {
          name: `${label}, malformed :${lever}`,
          family,
          token,
          path: fillPath(route, fx, { [lever]: 'not-an-id' }),
          expect: { pass: 'validation' },
        };
      }
      if (route.hasBody) {
        return { name: `${label}, invalid body`, family, token, body: [], expect: { pass: 'validation' } };
      }
      const t = await throwaway();
      return {
        name: `${label} (throwaway)`,
        family,
        token: t.token,
        path: fillPath(route, fx, t.override),
        expect: refusal ? { pass: 'refused', why: refusal } : { pass: 'direct' },
      };
    }

    it('collects the whole route table; every /api route is classified and has fixtures', async (t) => {
      assert.ok(routes.length > 0, 'no routes collected');
      const doc = (await s.request('GET', '/openapi.json')).body as { paths: Record<string, object> };
      const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`),
      );
      const collected = new Set(routes.map(routeKey));
      assert.deepEqual(
        documented.filter((k) => !collected.has(k)),
        [],
        'documented routes the collector missed',
      );
      const undocumented = routes
        .filter((r) => isApiRoute(r.url) && r.method !== 'HEAD' && !r.hidden)
        .map(routeKey)
        .filter((k) => !documented.includes(k));
      assert.deepEqual(undocumented, [], 'collected /api routes missing from the OpenAPI document');

      // app.routeTable (app.ts) is the same table recorded without HEAD twins; both views must agree.
      const table = s.app.routeTable.map((r) => `${routeKey(r)} ${r.access}`).sort();
      const mine = routes.filter((r) => r.method !== 'HEAD').map((r) => `${routeKey(r)} ${r.access}`);
      assert.deepEqual(mine.sort(), table, 'collector and app.routeTable disagree');

      const outside = routes.filter((r) => !isApiRoute(r.url) && !isInfraRoute(r.url)).map(routeKey);
      assert.deepEqual(outside, [], 'routes outside /api bypass access control: move them under /api');

      const unclassified = apiRoutes()
        .filter((r) => accessClass(r.access) === undefined)
        .map((r) => `${routeKey(r)} (config.access = ${JSON.stringify(r.access)})`);
      assert.deepEqual(unclassified, [], 'routes whose config.access the suite has no cases for');

      const missing = apiRoutes().flatMap((r) =>
        missingFixtures(r).map((p) => `add a fixture for :${p} (${routeKey(r)}) to paramFixtures`),
      );
      assert.deepEqual(missing, [], missing.join('\n'));

      const byClass = new Map<string, number>();
      for (const r of apiRoutes())
        byClass.set(String(accessClass(r.access)), (byClass.get(String(accessClass(r.access))) ?? 0) + 1);
      t.diagnostic(
        `${apiRoutes().length} /api routes (HEAD twins included): ${[...byClass].map(([c, n]) => `${c} ${n}`).join(', ')}`,
      );
    });

    it('fixtures are what they claim: dead keys are dead, org owners are not platform admins', async () => {
      const orgKeys = await s.request('GET', `/api/v1/orgs/${fx.a.orgId}/api-keys?limit=100`, {
        token: fx.a.users.owner.token,
      });
      const botKeys = await s.request(
        'GET',
        `/api/v1/orgs/${fx.a.orgId}/chatbots/${fx.a.bot.id}/keys?limit=100`,
        {
          token: fx.a.users.owner.token,
        },
      );
      const status = new Map<string, string>(
        [...orgKeys.body.data, ...botKeys.body.data].map((k: { id: string; status: string }) => [
          k.id,
          k.status,
        ]),
      );
      const ids = fx.a.deadIds;
      assert.equal(status.get(ids.orgRevoked), 'revoked');
      assert.equal(status.get(ids.orgExpired), 'expired');
      assert.equal(status.get(ids.orgRotated), 'expired');
      assert.equal(status.get(ids.botRevoked), 'revoked');
      assert.equal(status.get(ids.botExpired), 'expired');
      assert.equal(status.get(fx.a.orgKey.id), 'active');
      assert.equal(status.get(fx.a.botKey.id), 'active');

      const isAdmin = async (token: string) =>
        (await s.request('GET', '/api/v1/auth/me', { token })).body.isPlatformAdmin as boolean;
      assert.equal(await isAdmin(fx.platformAdmin.token), true);
      assert.equal(await isAdmin(fx.a.users.owner.token), false);
      assert.equal(await isAdmin(fx.b.owner.token), false);
    });

    it('org-scoped routes (config.access is a permission)', async (t) => {
      for (const route of apiRoutes('org')) {
        await t.test(`${routeKey(route)} [${route.access}]`, async () => {
          const p = route.access as Permission;
          const least = leastRole(p);
          const a = fx.a.users;
          const nonexistent = fillPath(route, fx, { orgId: `org_${base62(16)}` });
          const cells: Cell[] = [
            ...common,
            {
              name: "org B's owner",
              family: 'other-org',
              token: fx.b.owner.token,
              expect: deny([404], ['not_found']),
              sameAs: nonexistent,
            },
            {
              name: "org B's org key (all scopes)",
              family: 'other-org',
              token: fx.b.orgKey,
              expect: deny([404], ['not_found']),
              sameAs: nonexistent,
            },
            {
              name: "org B's chatbot key",
              family: 'other-org',
              token: fx.b.botKey,
              expect: deny([404], ['not_found']),
            },
            ...rolesBelow(least).map((role): Cell => ({
              name: `A's ${role} (least role ${least})`,
              family: 'role-too-low',
              token: a[role].token,
              expect: deny([403], ['forbidden']),
            })),
            {
              name: "A's chatbot key",
              family: 'key-scope',
              token: fx.a.botKey.secret,
              expect: deny([403, 404], ['forbidden', 'not_found']),
            },
            {
              name: "A's chatbot key holding every permission (written past the API)",
              family: 'key-scope',
              token: fx.a.overscoped.botKey.secret,
              expect: deny([403, 404], ['forbidden', 'not_found']),
            },
            ...(isUserOnly(p)
              ? [
                  {
                    name: `A's org key with every grantable scope (${p} is userOnly)`,
                    family: 'key-scope' as const,
                    token: fx.a.orgKey.secret,
                    expect: deny([403], ['forbidden']),
                  },
                  {
                    name: `A's org key holding ${p} itself (written past the API; userOnly)`,
                    family: 'key-scope' as const,
                    token: fx.a.overscoped.orgKey.secret,
                    expect: deny([403], ['forbidden']),
                  },
                ]
              : []),
            ...(isUserOnly(p)
              ? []
              : [
                  {
                    name: `A's org key holding every scope but ${p}`,
                    family: 'key-scope' as const,
                    token: fx.a.keyWithout[p]!,
                    expect: deny([403], ['forbidden']),
                  },
                ]),
            {
              name: "A's owner on a nonexistent org",
              family: 'not-found',
              token: a.owner.token,
              path: nonexistent,
              expect: deny([404], ['not_found']),
            },
            {
              name: "A's owner on a malformed org id",
              family: 'not-found',
              token: a.owner.token,
              path: fillPath(route, fx, { orgId: `../${fx.a.orgId}'--\u0000` }),
              expect: deny([404], ['not_found']),
            },
          ];
          if (route.params.some((x) => x !== 'orgId')) {
            // IDOR: B's owner is let into B, and names A's bot/key/member/invitation there.
            const needsBody = route.hasBody && route.method !== 'HEAD';
            const body = crossOrgBodies[routeKey(route)];
            assert.ok(
              !needsBody || body !== undefined,
              `${routeKey(route)}: add a valid body to crossOrgBodies in security-fixtures.ts`,
            );
            cells.push({
              name: "org B's owner names A's resources in B's path",
              family: 'other-org',
              token: fx.b.owner.token,
              path: fillPath(route, fx, { orgId: fx.b.orgId }),
              body: needsBody ? body : undefined,
              expect: deny([404], ['not_found']),
            });
          }
          if (rolesBelow(least).length === 0) {
            record(route, {
              family: 'role-too-low',
              name: `none below ${least}: the control cell lets A's ${least} in`,
              status: 'n/a',
            });
          }

          let throwaway: Awaited<ReturnType<typeof throwawayOrg>> | undefined;
          const org = async () => (throwaway ??= await throwawayOrg(s, least));
          cells.push(
            await allowed(route, `A's ${least} (control)`, a[least].token, async () => {
              const o = await org();
              return { token: o.user.token, override: { orgId: o.orgId } };
            }),
          );
          if (!isUserOnly(p)) {
            cells.push(
              await allowed(
                route,
                `A's org key holding ${p} (control)`,
                fx.a.orgKey.secret,
                async () => {
                  const o = await org();
                  return { token: o.keySecret, override: { orgId: o.orgId } };
                },
                handlerRefusals[routeKey(route)]?.apiKey,
              ),
            );
          }
          for (const cell of cells) await run(route, cell);
        });
      }
    });

    it("'user' routes: a signed-in user only, never an API key", async (t) => {
      for (const route of apiRoutes('user')) {
        await t.test(routeKey(route), async () => {
          const cells: Cell[] = [
            ...common,
            {
              name: "A's org key (all scopes)",
              family: 'wrong-principal',
              token: fx.a.orgKey.secret,
              expect: deny([403], ['forbidden']),
            },
            {
              name: "A's chatbot key",
              family: 'wrong-principal',
              token: fx.a.botKey.secret,
              expect: deny([403], ['forbidden']),
            },
            await allowed(route, 'a signed-in user (control)', fx.a.users.viewer.token, async () => {
              const u = await registerUser(s, { email: uniqueEmail('throwaway') });
              return { token: u.token, override: {} };
            }),
          ];
          for (const cell of cells) await run(route, cell);
        });
      }
    });

    it("'platform_admin' routes: operators only", async (t) => {
      for (const route of apiRoutes('platform_admin')) {
        await t.test(routeKey(route), async () => {
          const cells: Cell[] = [
            ...common,
            ...(
              [
                ["A's owner", fx.a.users.owner.token],
                ["B's owner", fx.b.owner.token],
                ["A's org key (all scopes)", fx.a.orgKey.secret],
                ["A's chatbot key", fx.a.botKey.secret],
              ] as const
            ).map(([name, token]): Cell => ({
              name,
              family: 'wrong-principal',
              token,
              expect: deny([403], ['forbidden']),
            })),
            await allowed(route, 'the platform admin (control)', fx.platformAdmin.token, async () => {
              throw new Error(
                `${routeKey(route)}: a write without params or body would run as the real platform admin — ` +
                  'add a control case for it to security.int.test.ts',
              );
            }),
          ];
          for (const cell of cells) await run(route, cell);
        });
      }
    });

    it("'chatbot' routes: only the named chatbot's own key", async (t) => {
      for (const route of apiRoutes('chatbot')) {
        await t.test(routeKey(route), async () => {
          const notFound = deny([404], ['not_found']);
          const cells: Cell[] = [
            ...common,
            { name: "org B's chatbot key", family: 'other-org', token: fx.b.botKey, expect: notFound },
            {
              name: "A's other chatbot's key",
              family: 'wrong-principal',
              token: fx.a.bot2Key.secret,
              expect: notFound,
            },
            {
              name: "A's org key (all scopes)",
              family: 'wrong-principal',
              token: fx.a.orgKey.secret,
              expect: notFound,
            },
            {
              name: "A's owner (user token)",
              family: 'wrong-principal',
              token: fx.a.users.owner.token,
              expect: deny([401, 404], ['unauthenticated', 'not_found']),
            },
            {
              name: "org B's owner (user token)",
              family: 'other-org',
              token: fx.b.owner.token,
              expect: deny([401, 404], ['unauthenticated', 'not_found']),
            },
            {
              name: "a guest session of A's other chatbot",
              family: 'wrong-principal',
              token: fx.a.bot2Guest,
              expect: notFound,
            },
            {
              name: "A's chatbot key on a nonexistent chatbot",
              family: 'not-found',
              token: fx.a.botKey.secret,
              path: fillPath(route, fx, { botId: `bot_${base62(16)}` }),
              expect: notFound,
            },
            await allowed(route, "the chatbot's own key (control)", fx.a.botKey.secret, async () => {
              const c = await createChatbot(s, fx.a.users.owner, { name: 'Throwaway bot' });
              return { token: c.secret, override: { botId: c.bot.id } };
            }),
          ];
          for (const cell of cells) await run(route, cell);
        });
      }
    });

    it("'api_key' routes (OpenAI-compatible /v1): any live API key, never a user token", async (t) => {
      for (const route of apiRoutes('api_key')) {
        await t.test(routeKey(route), async () => {
          const cells: Cell[] = [
            ...common,
            {
              name: "A's owner (user token)",
              family: 'wrong-principal',
              token: fx.a.users.owner.token,
              expect: deny([401], ['unauthenticated']),
            },
            {
              name: "a guest session of A's chatbot",
              family: 'wrong-principal',
              token: fx.a.bot2Guest,
              expect: deny([401], ['unauthenticated']),
            },
            await allowed(route, "A's chatbot key (control)", fx.a.botKey.secret, async () => {
              throw new Error(`${routeKey(route)}: a write without a body needs a control case`);
            }),
          ];
          for (const cell of cells) await run(route, cell);
        });
      }
    });

    it("'public' routes answer without credentials", async (t) => {
      for (const route of apiRoutes('public')) {
        await t.test(routeKey(route), async () => {
          await run(route, { name: 'no credentials', family: 'allowed', expect: { notIn: [401, 403] } });
        });
      }
    });

    it('every /api route was exercised (route × case table)', (t) => {
      const required: Record<AccessClass, Family[]> = {
        org: [
          'no-credentials',
          'bad-credentials',
          'dead-key',
          'other-org',
          'role-too-low',
          'key-scope',
          'allowed',
        ],
        user: ['no-credentials', 'bad-credentials', 'dead-key', 'wrong-principal', 'allowed'],
        platform_admin: ['no-credentials', 'bad-credentials', 'dead-key', 'wrong-principal', 'allowed'],
        chatbot: ['no-credentials', 'bad-credentials', 'dead-key', 'other-org', 'wrong-principal', 'allowed'],
        api_key: ['no-credentials', 'bad-credentials', 'dead-key', 'wrong-principal', 'allowed'],
        public: ['allowed'],
      };
      const gaps: string[] = [];
      let total = 0;
      const lines: string[] = [];
      for (const route of apiRoutes()) {
        const cls = accessClass(route.access)!;
        const done = exercised.get(routeKey(route)) ?? [];
        const families = new Set(done.map((d) => d.family));
        const absent = required[cls].filter((f) => !families.has(f));
        if (absent.length) gaps.push(`${routeKey(route)}: no ${absent.join(', ')} case`);
        const sent = done.filter((d) => d.status !== 'n/a');
        total += sent.length;
        const histogram = new Map<string, number>();
        for (const d of done) histogram.set(String(d.status), (histogram.get(String(d.status)) ?? 0) + 1);
        lines.push(
          `${route.method.padEnd(6)} ${route.url.padEnd(58)} ${String(route.access).padEnd(19)} ` +
            `${String(sent.length).padStart(2)} cases  ${[...histogram].map(([st, n]) => `${st}×${n}`).join(' ')}`,
        );
      }
      for (const line of lines) t.diagnostic(line);
      t.diagnostic(`${apiRoutes().length} routes, ${total} cases checked`);
      assert.deepEqual(gaps, [], 'routes not covered');
    });
  });
}
