import { z } from 'zod';

/**
 * The ONLY reader of process.env. Every variable is declared here once, with a description; README's
 * configuration table is generated from this list (`npm run docs:config`) and a test checks they agree.
 * All problems are collected and reported together at boot.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const seconds = z.coerce.number().int().positive();
const url = z.string().url();

export const configVariables = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']).default('development'),
    doc: 'Runtime mode: `development`, `production` or `test`.',
  },
  HOST: {
    schema: z.string().default('127.0.0.1'),
    doc: 'Interface to listen on. Use `0.0.0.0` to accept connections from other machines.',
  },
  PORT: { schema: z.coerce.number().int().min(0).max(65535).default(2026), doc: 'HTTP port.' },
  PUBLIC_URL: {
    schema: url.optional(),
    doc: 'Externally visible base URL, used in email links and embed snippets. Default: `http://localhost:$PORT`.',
  },
  DATA_DIR: {
    schema: z.string().default('./data'),
    doc: 'Where the embedded database, uploaded files and generated secrets live.',
  },
  DATABASE_URL: {
    schema: url.optional(),
    doc: 'PostgreSQL ≥ 15 connection string (with the pgvector extension installed). Unset: embedded PGlite in `DATA_DIR/pglite`.',
  },
  DATABASE_POOL_MAX: {
    schema: z.coerce.number().int().min(1).max(200).default(10),
    doc: 'Max connections in the pool (PostgreSQL mode; the embedded database uses a small fixed pool).',
  },
  REDIS_URL: {
    schema: url.optional(),
    doc: 'Redis for shared rate limits and caches when running several API processes. Unset: in-memory.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'pino log level (JSON logs on stdout).',
  },
  TRUST_PROXY: {
    schema: bool.default(false),
    doc: 'Trust `X-Forwarded-*` headers (set when behind a load balancer) so audit logs and rate limits see client IPs.',
  },
  CORS_ORIGINS: {
    schema: z.string().default(''),
    doc: "Comma-separated origins allowed to call the API from browsers (`*` for any). Empty: same-origin only. The widget's three public routes answer any origin regardless (without credentials; the chatbot's allowed domains decide).",
  },
  UI_DIR: {
    schema: z.string().optional(),
    doc: 'Serve a dashboard and widget built elsewhere (`UI_DIR/dashboard`, `UI_DIR/widget`). Unset: `apps/dashboard/dist` and `apps/widget/dist`, which `npm start` builds.',
  },
  JWT_SECRET: {
    schema: z.string().min(32).optional(),
    doc: 'HMAC secret for access tokens (≥ 32 chars). Unset: generated once and kept in `DATA_DIR/secrets.json`. Set it explicitly when running several API processes.',
  },
  MASTER_KEY: {
    schema: z
      .string()
      .regex(
        /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/,
        'must be 32 bytes, as 64 hex digits or base64 (`openssl rand -base64 32`)',
      )
      .optional(),
    doc: 'Key that encrypts stored secrets such as model provider API keys (AES-256-GCM): 32 bytes as hex or base64. Unset: generated once and kept in `DATA_DIR/secrets.json`. Set it explicitly when API processes do not share DATA_DIR; changing it makes stored provider keys unreadable (enter them again).',
  },
  ACCESS_TOKEN_TTL: { schema: seconds.default(900), doc: 'Access token lifetime in seconds.' },
  REFRESH_TOKEN_TTL: {
    schema: seconds.default(30 * 24 * 3600),
    doc: 'Refresh token lifetime in seconds (rotated on every use).',
  },
  EMAIL_VERIFICATION_TTL: {
    schema: seconds.default(24 * 3600),
    doc: 'Lifetime of email verification links, seconds.',
  },
  PASSWORD_RESET_TTL: { schema: seconds.default(3600), doc: 'Lifetime of password reset links, seconds.' },
  INVITATION_TTL: {
    schema: seconds.default(7 * 24 * 3600),
    doc: 'Lifetime of organization invitations, seconds.',
  },
  KEY_ROTATION_GRACE: {
    schema: z.coerce
      .number()
      .int()
      .min(0)
      .default(24 * 3600),
    doc: 'Default seconds an API key keeps working after it was rotated (a request may choose another value).',
  },
  CACHE_TTL: {
    schema: z.coerce.number().int().min(0).max(300).default(5),
    doc: 'Seconds a membership role, API key or chatbot lookup may be served from the per-process cache (0 = off). Changes apply at once; with REDIS_URL they are broadcast to the other processes, and this bounds staleness if a broadcast is lost.',
  },
  LOGIN_RATE_LIMIT: {
    schema: z.coerce.number().int().positive().default(10),
    doc: 'Login attempts allowed per account and per IP within LOGIN_RATE_WINDOW.',
  },
  LOGIN_RATE_WINDOW: { schema: seconds.default(300), doc: 'Login throttling window, seconds.' },
  API_RATE_LIMIT: {
    schema: z.coerce.number().int().min(0).default(0),
    doc: 'Requests per minute per client on the whole API (0 = off).',
  },
  MAX_UPLOAD_BYTES: {
    schema: z.coerce
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),
    doc: 'Largest file accepted for a document upload, bytes.',
  },
  MAX_IMAGE_BYTES: {
    schema: z.coerce
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    doc: 'Largest image accepted by the multimodal endpoints (OCR, process-image, analyze) and as a chat attachment, bytes.',
  },
  MAX_PAGES_PER_DOCUMENT: {
    schema: z.coerce.number().int().positive().default(2000),
    doc: 'Documents with more pages are refused at ingestion (failed, code too_many_pages).',
  },
  MAX_DOCUMENTS_PER_CHATBOT: {
    schema: z.coerce.number().int().positive().default(1000),
    doc: 'Documents a chatbot may hold.',
  },
  FETCH_ALLOWED_HOSTS: {
    schema: z.string().default(''),
    doc: 'Comma-separated hosts or CIDRs that URL ingestion may fetch even though they are private, loopback or link-local (refused by default: SSRF guard). Example: `127.0.0.1,intranet.example.com`.',
  },
  CRAWL_MAX_PAGES: {
    schema: z.coerce.number().int().min(1).max(10_000).default(50),
    doc: 'Most pages one site crawl may fetch (a request may ask for fewer).',
  },
  CRAWL_MAX_DEPTH: {
    schema: z.coerce.number().int().min(0).max(10).default(2),
    doc: 'Deepest link level a site crawl may follow from its start page.',
  },
  FETCH_MAX_BYTES: {
    schema: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024),
    doc: 'Largest web page (or file) fetched for URL ingestion, bytes.',
  },
  FETCH_TIMEOUT: {
    schema: z.coerce.number().int().positive().default(15),
    doc: 'Seconds one fetch may take; a crawl also stops after CRAWL_MAX_PAGES × this.',
  },
  JOB_ROLE: {
    schema: z.enum(['all', 'api', 'worker']).default('all'),
    doc: 'Which work this process does: `all` (serve HTTP and run background jobs), `api` (HTTP only) or `worker` (jobs only). Also set by `kawan serve --role=`.',
  },
  DEFAULT_MODEL: {
    schema: z.string().default('builtin/extractive'),
    doc: 'Model of chatbots that name none: `builtin/extractive` (grounded answers quoted from the documents, no model needed), `local/<file.gguf>` or `<providerId>/<model>`.',
  },
  CHAT_TIMEOUT: {
    schema: seconds.default(120),
    doc: 'Seconds one model answer may take before it is stopped (error code provider_timeout).',
  },
  CHAT_ON_DISCONNECT: {
    schema: z.enum(['finish', 'cancel']).default('finish'),
    doc: 'When a client goes away mid-answer: `finish` generates and stores the whole answer anyway; `cancel` stops the model call and stores what was produced (status cancelled).',
  },
  SSE_HEARTBEAT: {
    schema: seconds.default(15),
    doc: 'Seconds between SSE heartbeat comments, so proxies keep an idle stream open.',
  },
  GUEST_SESSION_TTL: {
    schema: seconds.default(24 * 3600),
    doc: 'Lifetime of a guest or widget session, seconds.',
  },
  GUEST_SESSIONS_PER_HOUR: {
    schema: z.coerce.number().int().min(1).default(20),
    doc: "Guest sessions one IP may open per hour (each session gets the chatbot's demo message limit).",
  },
  SMTP_URL: {
    schema: url.optional(),
    doc: 'SMTP server for outgoing mail, e.g. `smtp://user:pass@mail.example.com:587`. Unset: mail goes to the dev outbox table (admins list it at `GET /api/v1/admin/outbox`).',
  },
  MAIL_FROM: {
    schema: z.string().default('Kawan <no-reply@kawan.local>'),
    doc: 'Sender address of outgoing mail.',
  },
  LLM_TIMEOUT: {
    schema: seconds.default(60),
    doc: 'Default seconds a model provider may stay silent — until its first token, and between tokens — before the call fails with provider_timeout. Each provider can set its own.',
  },
  MODELS_DIR: {
    schema: z.string().optional(),
    doc: 'Where `kawan models pull` saves GGUF model files and where a bare LOCAL_MODEL_PATH file name is looked up. Default: `DATA_DIR/models`.',
  },
  LOCAL_MODEL_PATH: {
    schema: z.string().optional(),
    doc: 'A GGUF model file run in-process on the CPU (node-llama-cpp): a path, or a file name in MODELS_DIR. Chatbots choose it as model `local/<file name>`. Unset: no local model.',
  },
  LOCAL_MODEL_THREADS: {
    schema: z.coerce.number().int().min(1).max(256).default(1),
    doc: 'CPU threads the local model may use. Raise it only on a machine with idle cores: more threads than free cores makes llama.cpp much slower, not faster.',
  },
  LOCAL_MODEL_CONTEXT: {
    schema: z.coerce.number().int().min(256).max(131_072).default(4096),
    doc: 'Context window of the local model, tokens (capped at what the model was trained for). Its cache takes memory in proportion.',
  },
} as const;

type Vars = typeof configVariables;
type Parsed = { [K in keyof Vars]: z.output<Vars[K]['schema']> };

export type Config = Parsed & {
  publicUrl: string;
  embedded: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parse a whole environment at once; every problem is reported, not just the first. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Record<string, string | undefined> = {},
): Config {
  env = { ...env, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const shape = Object.fromEntries(Object.entries(configVariables).map(([k, v]) => [k, v.schema]));
  const input = Object.fromEntries(
    Object.keys(configVariables).map((k) => [k, env[k] === '' && k !== 'CORS_ORIGINS' ? undefined : env[k]]),
  );
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const parsed = result.data as Parsed;
  return {
    ...parsed,
    publicUrl: (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, ''),
    embedded: !parsed.DATABASE_URL,
  };
}

/** Markdown table of every variable, for README. */
export function renderConfigTable(): string {
  const rows = Object.entries(configVariables).map(([name, v]) => {
    const def = (v.schema as z.ZodType).safeParse(undefined);
    const shown = def.success && def.data !== undefined ? `\`${String(def.data)}\`` : '—';
    return `| \`${name}\` | ${shown} | ${v.doc} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
