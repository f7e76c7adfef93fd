// The processes bench/stream measures — the OpenAI-compatible test server and Kawan — and what Kawan needs
// before the load: an account, a provider pointing at the test server, a chatbot with a small document, and
// the conversations, all made through the HTTP API as a real client would.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort, spawnNode, waitForHttp, type Child } from '../lib/proc.ts';
import { accountWithBot, api, root, uploadDocument } from '../ingest/kawan.ts';

export const MODEL = 'kawan-test-chat';
export const API_KEY = 'sk-bench-stream-0123456789';
export const SYSTEM_PROMPT = 'You are the pawnshop assistant. Answer from the sources and cite them.';

export interface LlmServer {
  child: Child;
  /** base URL ending in /v1 */
  url: string;
  /** the counters it prints as its last line when stopped */
  stop(): Promise<Record<string, number> | null>;
}

/** `apps/server/test/llm-server/main.ts` in its own process; it prints its URL as the first stdout line. */
export async function startLlmServer(
  work: string,
  b: { ttftMs: number; itlMs: number; tokens: number },
  nodeFlags: string[] = [],
): Promise<LlmServer> {
  const logFile = path.join(work, 'llm-server.log');
  const child = spawnNode(
    'llm-server',
    [
      ...nodeFlags,
      '--import',
      'tsx',
      'apps/server/test/llm-server/main.ts',
      '--port',
      '0',
      '--ttft',
      String(b.ttftMs),
      '--itl',
      String(b.itlMs),
      '--tokens',
      String(b.tokens),
      '--api-key',
      API_KEY,
    ],
    { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME }, logFile },
  );
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    if (child.proc.exitCode !== null) throw new Error(`llm-server exited:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`llm-server printed no URL:\n${child.output()}`);
    url = /^(http:\/\/\S+\/v1)$/m.exec(fs.readFileSync(logFile, 'utf8'))?.[1];
    if (!url) await sleep(100);
  }
  return {
    child,
    url,
    async stop() {
      await child.stop();
      const last = fs.readFileSync(logFile, 'utf8').trim().split('\n').at(-1) ?? '';
      try {
        return JSON.parse(last) as Record<string, number>;
      } catch {
        return null;
      }
    },
  };
}

export type DbKind = 'embedded' | 'postgres';

export interface Database {
  kind: DbKind;
  url: string | null;
  drop(): Promise<void>;
}

const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Embedded: nothing to create (Kawan makes PGlite in DATA_DIR). Postgres: a fresh database, dropped after. */
export async function createDatabase(kind: DbKind): Promise<Database> {
  if (kind === 'embedded') return { kind, url: null, drop: async () => {} };
  const name = `kawan_bench_stream_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    kind,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface KawanProcess {
  child: Child;
  base: string;
  pid: number;
}

/** `apps/server/src/main.ts serve` on a fresh DATA_DIR; no Redis; the database given (or embedded PGlite). */
export async function startKawan(
  work: string,
  db: Database,
  opts: { logLevel: string; nodeFlags?: string[]; pgProbeFile?: string },
): Promise<KawanProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnNode(
    'kawan',
    [
      ...(opts.nodeFlags ?? []),
      '--import',
      'tsx',
      // --probe: count and time every pg query (bench/lib/pg-probe.ts), dumped on SIGUSR2
      ...(opts.pgProbeFile ? ['bench/lib/with-pg-probe.ts'] : []),
      'apps/server/src/main.ts',
      'serve',
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: path.join(work, 'data'),
        LOG_LEVEL: opts.logLevel,
        // The whole bench runs on one login.
        ACCESS_TOKEN_TTL: '7200',
        ...(db.url ? { DATABASE_URL: db.url } : {}),
        ...(opts.pgProbeFile ? { BENCH_PG_PROBE_OUT: opts.pgProbeFile } : {}),
      },
      logFile: path.join(work, 'kawan.log'),
    },
  );
  await waitForHttp(`${base}/readyz`, child, 180_000);
  return { child, base, pid: child.proc.pid! };
}

/** A short rate sheet: a few chunks, so every turn runs a real hybrid search and the prompt carries sources. */
const DOCUMENT = `# Gold pawn loans

Gold pawn loans cost 1.25 percent interest per month. The loan term is 120 days and can be extended twice
by paying the interest due. Jewellery of 16 to 24 carats is accepted; the loan is up to 90 percent of the
appraised value.

# Redemption

Items are redeemed at any branch by paying the loan and the interest. An item not redeemed or extended
within 15 days after the term ends is auctioned; any surplus of the auction goes back to the customer.

# Electronics

Laptops and phones younger than three years are accepted for loans of up to 70 percent of their value, for
a term of 60 days at 1.5 percent interest per month.
`;

export const QUESTIONS = [
  'How much interest do gold loans cost per month?',
  'How long is the loan term and can I extend it?',
  'What happens if I do not redeem my item?',
  'Can I pawn my laptop, and for how much?',
  'Which carats of jewellery do you accept?',
];

export interface KawanSetup {
  token: string;
  orgId: string;
  botId: string;
  providerId: string;
  conversationIds: string[];
}

export async function setUpKawan(
  k: KawanProcess,
  llmUrl: string,
  conversations: number,
): Promise<KawanSetup> {
  const { token, orgId, botId } = await accountWithBot(k.base);
  const provider = await api<{ id: string }>(
    k.base,
    'POST',
    `/api/v1/orgs/${orgId}/providers`,
    {
      name: 'Bench test server',
      preset: 'custom',
      baseUrl: llmUrl,
      apiKey: API_KEY,
      models: [{ id: MODEL }],
    },
    token,
  );
  const botUrl = `/api/v1/orgs/${orgId}/chatbots/${botId}`;
  await api(
    k.base,
    'PATCH',
    botUrl,
    { systemPrompt: SYSTEM_PROMPT, modelSettings: { model: `${provider.id}/${MODEL}` } },
    token,
  );
  const doc = await uploadDocument(k.base, token, `${botUrl}/documents`, {
    name: 'rates.md',
    bytes: new TextEncoder().encode(DOCUMENT),
    type: 'text/markdown',
  });
  for (const until = Date.now() + 60_000; ;) {
    const d = await api<{ status: string; error?: unknown }>(
      k.base,
      'GET',
      `${botUrl}/documents/${doc.id}`,
      undefined,
      token,
    );
    if (d.status === 'indexed') break;
    if (d.status === 'failed' || Date.now() > until)
      throw new Error(`document ${doc.id}: ${JSON.stringify(d)}`);
    await sleep(100);
  }
  const conversationIds: string[] = [];
  for (let i = 0; i < conversations; i++) {
    const c = await api<{ id: string }>(k.base, 'POST', `${botUrl}/conversations`, {}, token);
    conversationIds.push(c.id);
  }
  return { token, orgId, botId, providerId: provider.id, conversationIds };
}

export interface QueryStat {
  text: string;
  count: number;
  totalMs: number;
  maxMs: number;
  avgMs: number;
}

/** The Kawan child's pg query stats since the previous call (it runs bench/lib/pg-probe.ts). */
export async function probeSnapshot(k: KawanProcess, file: string): Promise<QueryStat[]> {
  const read = () => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as { seq: number; rows: QueryStat[] };
    } catch {
      return { seq: -1, rows: [] };
    }
  };
  const before = read().seq;
  process.kill(k.pid, 'SIGUSR2');
  for (const until = Date.now() + 5000; Date.now() < until;) {
    const snap = read();
    if (snap.seq > before) return snap.rows;
    await sleep(20);
  }
  throw new Error('the pg query probe did not answer');
}
