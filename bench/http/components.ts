/**
 * Where does the time of one authenticated `GET /api/v1/orgs/:orgId/chatbots/:botId` go? Times each piece of
 * the request in isolation, in-process, on a fresh embedded database (nothing in apps/ is changed):
 *
 *   - JWT verification as Kawan does it (jose + a raw Uint8Array secret) and two alternatives;
 *   - the per-process cache lookups (membership role, chatbot row);
 *   - database round trips through the single `pg` connection to PGlite (worker thread + pglite-socket):
 *     `select 1`, the chatbot SELECT through drizzle, the same SQL as an unnamed / named prepared statement /
 *     simple-protocol query — one at a time (latency) and 50 in flight (throughput of the connection);
 *   - response building + serialization (presentChatbot + fastify-type-provider-zod vs JSON.stringify).
 *
 *   node --import tsx bench/http/components.ts     (about 30 s; prints a table; writes nothing in the repo)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { loadConfig } from '../../apps/server/src/config.ts';
import { createRuntime } from '../../apps/server/src/boot.ts';
import { buildApp } from '../../apps/server/src/app.ts';
import { getChatbot } from '../../apps/server/src/modules/chatbots/chatbots.repo.ts';
import { presentChatbot } from '../../apps/server/src/modules/chatbots/chatbots.routes.ts';
import { chatbotSchema } from '../../apps/server/src/modules/chatbots/chatbots.schemas.ts';
import { findChatbot } from '../../apps/server/src/modules/chatbots/chatbots.service.ts';
import { membershipRole } from '../../apps/server/src/modules/orgs/members.service.ts';
import { loadOrCreateSecret } from '../../apps/server/src/platform/secrets.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECONDS = Number(process.env.BENCH_COMPONENT_SECONDS ?? 1.5);

interface Row {
  name: string;
  opsPerSec: number;
  usPerOp: number;
}
const rows: Row[] = [];

/** Runs `fn` `inFlight` at a time for SECONDS; reports completed ops/s and wall µs per op per lane. */
async function time(name: string, fn: () => unknown, inFlight = 1): Promise<void> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up / JIT
  let ops = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await fn();
        ops++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const row = { name, opsPerSec: (ops * 1000) / elapsed, usPerOp: (elapsed * 1000 * inFlight) / ops };
  rows.push(row);
  process.stderr.write(`  ${name}: ${Math.round(row.opsPerSec)} ops/s\n`);
}

async function main(): Promise<void> {
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(root, '.tmp', 'bench-components-'));
  const rt = await createRuntime(
    loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'production', CACHE_TTL: '5' }),
  );
  const app = await buildApp(rt);
  try {
    const reg = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'bench@example.com', password: 'bench-password-123456', name: 'Bench' },
    });
    const { organization, session, user } = reg.json<{
      organization: { id: string };
      session: { accessToken: string };
      user: { id: string };
    }>();
    const created = await app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${organization.id}/chatbots`,
      headers: { authorization: `Bearer ${session.accessToken}` },
      payload: { name: 'Bench bot' },
    });
    const botId = created.json<{ chatbot: { id: string } }>().chatbot.id;
    const orgId = organization.id;
    const token = session.accessToken;

    process.stderr.write('JWT verification\n');
    const secret = loadOrCreateSecret(dataDir, 'jwtSecret', undefined);
    const rawKey = new TextEncoder().encode(secret);
    const cryptoKey = await crypto.webcrypto.subtle.importKey(
      'raw',
      rawKey,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    const opts = { issuer: 'kawan', algorithms: ['HS256'] };
    const [h, p, s] = token.split('.') as [string, string, string];
    const hmacKey = crypto.createSecretKey(rawKey);
    const verifyManual = () => {
      const mac = crypto.createHmac('sha256', hmacKey).update(`${h}.${p}`).digest();
      if (!crypto.timingSafeEqual(mac, Buffer.from(s, 'base64url'))) throw new Error('bad signature');
      return JSON.parse(Buffer.from(p, 'base64url').toString()) as unknown;
    };
    for (const inFlight of [1, 50]) {
      const tag = inFlight === 1 ? 'sequential' : `${inFlight} in flight`;
      await time(
        `jwt ${tag}: rt.tokens.verify (jose, Uint8Array key → importKey per call)`,
        () => rt.tokens.verify(token),
        inFlight,
      );
      await time(
        `jwt ${tag}: jose jwtVerify, pre-imported CryptoKey`,
        () => jwtVerify(token, cryptoKey, opts),
        inFlight,
      );
      await time(`jwt ${tag}: node:crypto createHmac + timingSafeEqual (sync)`, verifyManual, inFlight);
    }

    process.stderr.write('membership role and chatbot (CACHE_TTL=5, warm)\n');
    await time('membershipRole (cache hit)', () => membershipRole(rt, orgId, user.id));
    await time('findChatbot (cache hit)', () => findChatbot(rt, orgId, botId));

    const { pool } = rt.database;
    const sqlText =
      'select "id", "org_id", "name", "slug", "description", "system_prompt", "model_settings", "language", ' +
      '"status", "demo_message_limit", "embed", "created_by", "created_at", "updated_at" from "chatbots" ' +
      'where ("chatbots"."org_id" = $1 and "chatbots"."id" = $2)';
    const literal = sqlText.replace('$1', `'${orgId}'`).replace('$2', `'${botId}'`);
    const row = await getChatbot(rt.db, orgId, botId); // straight from the database, not the cache
    if (!row) throw new Error('chatbot not found');
    for (const inFlight of [1, 50]) {
      process.stderr.write(`database, ${inFlight} in flight on the single pg connection\n`);
      const tag = inFlight === 1 ? 'sequential' : `${inFlight} in flight`;
      await time(`db ${tag}: select 1 (simple protocol)`, () => pool.query('select 1'), inFlight);
      await time(
        `db ${tag}: chatbot SELECT via drizzle (extended, unnamed)`,
        () => getChatbot(rt.db, orgId, botId),
        inFlight,
      );
      await time(
        `db ${tag}: same SQL via pg, unnamed statement`,
        () => pool.query(sqlText, [orgId, botId]),
        inFlight,
      );
      await time(
        `db ${tag}: same SQL via pg, named prepared statement`,
        () => pool.query({ name: 'bench_get_chatbot', text: sqlText, values: [orgId, botId] }),
        inFlight,
      );
      await time(`db ${tag}: same SQL, literals, simple protocol`, () => pool.query(literal), inFlight);
    }

    process.stderr.write('response\n');
    const serialize = serializerCompiler({
      schema: chatbotSchema,
      method: 'GET',
      url: '/x',
      httpStatus: '200',
    });
    await time('response: presentChatbot(row) + zod serializerCompiler', () =>
      serialize(presentChatbot(row)),
    );
    await time('response: presentChatbot(row) + JSON.stringify', () => JSON.stringify(presentChatbot(row)));
    await time('response: JSON.stringify(row) (no presentChatbot, no zod)', () => JSON.stringify(row));
  } finally {
    await app.close();
    await rt.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const w = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\n| component | ops/s | µs/op (per lane) |\n|${'-'.repeat(w + 2)}|---:|---:|\n`);
  for (const r of rows) {
    process.stdout.write(
      `| ${r.name.padEnd(w)} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${r.usPerOp.toFixed(1)} |\n`,
    );
  }
}

await main();
