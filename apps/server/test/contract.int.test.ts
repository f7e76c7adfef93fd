import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './harness.ts';
import { registerUser, type TestUser } from './factories.ts';
import { STATIC_ROUTES } from '../src/platform/http/static-ui.ts';

/**
 * The API contract as published: every route is documented in /openapi.json with its request and response
 * schemas, and no malformed input anywhere produces a 5xx — only a JSON 4xx with a stable code.
 */
type Operation = {
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  parameters?: { in: string; name: string; schema: JsonSchema }[];
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
};
type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[] };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Registered routes, from Fastify's own table (the /docs UI assets excluded). */
function registeredRoutes(s: TestServer): Set<string> {
  return new Set(
    s.app.routeTable
      .filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json' && !STATIC_ROUTES.includes(r.url))
      .map((r) => `${r.method} ${r.url}`),
  );
}

function wrongValue(schema: JsonSchema): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? schema.anyOf?.[0]?.type);
  if (type === 'string') return 12345;
  if (type === 'array' || type === 'object' || type === 'boolean') return 'not-a-' + type;
  return { nested: 'object' };
}

describe('API contract', () => {
  let s: TestServer;
  let admin: TestUser; // first user: platform admin and owner of an org, so access control lets requests through
  let spec: { paths: Record<string, Record<string, Operation>> };

  before(async () => {
    s = await startServer('pglite');
    admin = await registerUser(s);
    spec = (await s.request('GET', '/openapi.json')).body;
  });
  after(async () => s?.close());

  it('documents every registered route with request and response schemas', () => {
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(spec.paths)) {
      for (const m of METHODS) {
        const op = ops[m];
        if (!op) continue;
        documented.add(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
        const success = Object.entries(op.responses).find(([code]) => code.startsWith('2'));
        assert.ok(success, `${m} ${p} documents a success response`);
        if (success[0] !== '204')
          assert.ok(success[1].content?.['application/json']?.schema, `${m} ${p} has a response schema`);
      }
    }
    const missing = [...registeredRoutes(s)].filter((r) => !documented.has(r));
    assert.deepEqual(missing, [], 'every route appears in /openapi.json');
    assert.ok(documented.size >= 30);
  });

  it('answers malformed input with a 4xx JSON error, never a 5xx', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [p, ops] of Object.entries(spec.paths)) {
      for (const m of METHODS) {
        const op = ops[m];
        if (!op || !p.startsWith('/api/')) continue;
        const path = p
          .replace('{orgId}', admin.orgId)
          .replace(/\{(\w+)\}/g, (_, name: string) => `${name.slice(0, 3)}_0000000000NoSuchThing`);
        // Only malformed requests: nothing here may succeed, so no case can change data.
        const cases: { label: string; path: string; body?: unknown }[] = [];
        if (p.includes('{')) cases.push({ label: 'bad id', path: p.replace(/\{(\w+)\}/g, 'x%20y') });
        if (m === 'get' && op.parameters?.some((q) => q.in === 'query' && q.name === 'limit')) {
          cases.push(
            { label: 'bad limit', path: `${path}?limit=abc` },
            { label: 'bad cursor', path: `${path}?cursor=%25%25%25` },
          );
        }
        const schema = op.requestBody?.content['application/json']?.schema;
        if (schema) {
          cases.push({ label: 'broken JSON', path, body: '{"unterminated' });
          cases.push({ label: 'array body', path, body: [] });
          cases.push({
            label: 'huge string',
            path,
            body: Object.fromEntries(
              Object.keys(schema.properties ?? {}).map((k) => [k, 'x'.repeat(100_000)]),
            ),
          });
          for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
            cases.push({ label: `wrong type for ${prop}`, path, body: { [prop]: wrongValue(propSchema) } });
          }
        }
        for (const c of cases) {
          checked++;
          const res = await s.request(m.toUpperCase(), c.path, { token: admin.token, body: c.body });
          const ok =
            res.status >= 400 &&
            res.status < 500 &&
            typeof res.body?.error?.code === 'string' &&
            typeof res.body.error.requestId === 'string';
          if (!ok)
            failures.push(
              `${m.toUpperCase()} ${p} [${c.label}] → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
            );
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked > 100, `checked ${checked} malformed requests`);
  });

  it('names the offending field on 400', async () => {
    const res = await s.request('POST', `/api/v1/orgs/${admin.orgId}/chatbots`, {
      token: admin.token,
      body: { name: '', modelSettings: { temperature: 9 } },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, ['body.modelSettings.temperature', 'body.name']);
    assert.equal(res.headers.get('x-request-id'), res.body.error.requestId);
  });

  it('serves the interactive docs at /docs', async () => {
    const res = await fetch(`${s.url}/docs/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /swagger/i);
  });
});
