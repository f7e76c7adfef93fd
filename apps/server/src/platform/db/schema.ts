import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * One schema for both run modes (PGlite and PostgreSQL). Ids are prefixed and time-sortable (see ids.ts), so
 * `ORDER BY id DESC` is creation order and the id itself is the pagination cursor.
 * Changes go through `npm run db:generate` → a new migration; migrations are forward-only.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    emailVerifiedAt: ts('email_verified_at'),
    isPlatformAdmin: boolean('is_platform_admin').notNull().default(false),
    preferences: jsonb('preferences')
      .$type<{ theme: 'light' | 'dark' | 'system'; language: 'en' | 'id' }>()
      .notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    contactEmail: text('contact_email'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('organizations_slug_key').on(t.slug)],
);

export const memberships = pgTable(
  'memberships',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'admin', 'member', 'viewer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ['owner', 'admin', 'member', 'viewer'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    acceptedBy: text('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: ts('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invitations_token_key').on(t.tokenHash),
    index('invitations_org_idx').on(t.orgId, t.id),
  ],
);

/** Rotating refresh tokens. All tokens descending from one login share a family; reuse revokes the family. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    revokedAt: ts('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
  ],
);

/** Single-use, expiring tokens sent by email: verify_email, reset_password. Only hashes are stored. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['verify_email', 'reset_password'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('auth_tokens_hash_key').on(t.tokenHash),
    index('auth_tokens_user_idx').on(t.userId, t.purpose),
  ],
);

export const chatbots = pgTable(
  'chatbots',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description').notNull().default(''),
    systemPrompt: text('system_prompt').notNull().default(''),
    modelSettings: jsonb('model_settings').$type<Record<string, unknown>>().notNull(),
    language: text('language', { enum: ['en', 'id'] })
      .notNull()
      .default('en'),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    demoMessageLimit: integer('demo_message_limit').notNull().default(10),
    /** the knowledge base's embedder and vector size; changing it re-embeds every chunk (knowledge.reembed job) */
    embedder: text('embedder').notNull().default('builtin:sif-en-100d'),
    embeddingDims: integer('embedding_dims').notNull().default(100),
    embed: jsonb('embed').$type<Record<string, unknown>>().notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('chatbots_org_slug_key').on(t.orgId, t.slug),
    index('chatbots_org_idx').on(t.orgId, t.id),
  ],
);

/**
 * API keys: org-level (chatbot_id null) or bound to one chatbot. Only a SHA-256 of the secret is stored (keys
 * are 190 random bits, so a slow hash buys nothing); `prefix` is the visible start shown in lists.
 * Rotation issues a new key and sets the old key's expires_at to the end of the grace period.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    chatbotId: text('chatbot_id').references(() => chatbots.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: text('created_by'),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    rotatedToId: text('rotated_to_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('api_keys_hash_key').on(t.keyHash),
    index('api_keys_org_idx').on(t.orgId, t.chatbotId, t.id),
  ],
);

/** Append-only record of every mutation. No FK to organizations: the trail outlives a deleted org. */
export const auditLogs = pgTable(
  'audit_logs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system', 'anonymous'] }).notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_logs_org_idx').on(t.orgId, t.id),
    index('audit_logs_org_action_idx').on(t.orgId, t.action, t.id),
  ],
);

/** Every email Kawan sends; in the embedded default it is the only delivery (the dev outbox). */
export const emailOutbox = pgTable('email_outbox', {
  id: text('id').primaryKey(),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  textBody: text('text_body').notNull(),
  kind: text('kind').notNull(),
  status: text('status', { enum: ['stored', 'sent', 'failed'] }).notNull(),
  error: text('error'),
  createdAt: createdAt(),
  sentAt: ts('sent_at'),
});

/**
 * A document of a chatbot's knowledge: an uploaded file or a fetched web page. The original bytes live in the
 * file store (DATA_DIR/files); `version` grows when the file is replaced. Ingestion moves `status` through
 * queued → parsing → chunking → embedding → indexed | failed. Chunks become searchable only when their version
 * equals `indexed_version`, which changes in the same transaction that marks the document indexed — so a
 * half-ingested version is never searchable and the previous version stays searchable meanwhile.
 */
export const documents = pgTable(
  'documents',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    chatbotId: text('chatbot_id')
      .notNull()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    sourceType: text('source_type', { enum: ['upload', 'url'] }).notNull(),
    sourceUrl: text('source_url'),
    filename: text('filename').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    contentHash: text('content_hash').notNull(),
    version: integer('version').notNull().default(1),
    indexedVersion: integer('indexed_version'),
    tags: text('tags').array().notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    language: text('language'),
    status: text('status', {
      enum: ['queued', 'parsing', 'chunking', 'embedding', 'indexed', 'failed'],
    }).notNull(),
    progress: integer('progress').notNull().default(0),
    error: text('error'),
    errorCode: text('error_code'),
    pageCount: integer('page_count'),
    chunkCount: integer('chunk_count'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    indexedAt: ts('indexed_at'),
  },
  (t) => [
    index('documents_bot_idx').on(t.orgId, t.chatbotId, t.id),
    index('documents_hash_idx').on(t.orgId, t.chatbotId, t.contentHash),
  ],
);

/** Searchable passages. (document_id, version, ordinal) is unique, so a re-run ingestion cannot duplicate. */
export const chunks = pgTable(
  'chunks',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    chatbotId: text('chatbot_id').notNull(),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    ordinal: integer('ordinal').notNull(),
    page: integer('page'),
    charStart: integer('char_start').notNull(),
    charEnd: integer('char_end').notNull(),
    heading: text('heading'),
    text: text('text').notNull(),
    tokenCount: integer('token_count').notNull(),
    language: text('language'),
    embedding: real('embedding').array(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chunks_doc_version_ordinal_key').on(t.documentId, t.version, t.ordinal),
    index('chunks_bot_idx').on(t.orgId, t.chatbotId),
  ],
);

/** FAQ entries of a chatbot: question/answer pairs searched alongside document chunks. */
export const faqs = pgTable(
  'faqs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    chatbotId: text('chatbot_id')
      .notNull()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    answer: text('answer').notNull(),
    tags: text('tags').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    language: text('language'),
    embedding: real('embedding').array(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('faqs_bot_idx').on(t.orgId, t.chatbotId, t.id)],
);

/** The org's business profile (seed 002 business service): one row per org, offered to its chatbots as knowledge. */
export const businessProfiles = pgTable('business_profiles', {
  orgId: text('org_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  industry: text('industry'),
  address: text('address'),
  phone: text('phone'),
  email: text('email'),
  website: text('website'),
  /** free-form opening hours, e.g. "Mon–Fri 08:00–16:00" */
  hours: text('hours'),
  /** extra facts as label → value pairs (policies, payment methods …) */
  facts: jsonb('facts').$type<Record<string, string>>().notNull(),
  updatedBy: text('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Products and services the business offers; chatbots answer price and availability questions from these. */
export const catalogueItems = pgTable(
  'catalogue_items',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    sku: text('sku'),
    category: text('category'),
    /** decimal string in `currency` units, e.g. "125000.00"; text keeps it exact across drivers */
    price: text('price'),
    currency: text('currency').notNull().default('IDR'),
    available: boolean('available').notNull().default(true),
    tags: text('tags').array().notNull(),
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('catalogue_items_org_idx').on(t.orgId, t.id),
    uniqueIndex('catalogue_items_org_sku_key').on(t.orgId, t.sku),
  ],
);

/**
 * Model providers of an org: any OpenAI-compatible server. The API key is encrypted with AES-256-GCM under the
 * master key (platform/crypto) and never returned; `key_hint` shows its last characters.
 */
export const modelProviders = pgTable(
  'model_providers',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    preset: text('preset').notNull(),
    baseUrl: text('base_url').notNull(),
    apiKeyEnc: text('api_key_enc'),
    keyHint: text('key_hint'),
    /** catalogue entries: { id, vision, tools, contextWindow } */
    models: jsonb('models')
      .$type<{ id: string; vision: boolean; tools: boolean; contextWindow: number }[]>()
      .notNull(),
    timeoutMs: integer('timeout_ms').notNull().default(60_000),
    maxRetries: integer('max_retries').notNull().default(2),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('model_providers_org_name_key').on(t.orgId, t.name)],
);

/** Guests (seed 000 guest access) and widget visitors: anonymous sessions bound to one chatbot, with a demo quota. */
export const guestSessions = pgTable(
  'guest_sessions',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    chatbotId: text('chatbot_id')
      .notNull()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    kind: text('kind', { enum: ['guest', 'widget'] }).notNull(),
    /** messages used; admission is `UPDATE … SET used = used + 1 WHERE used < limit` so it is atomic */
    used: integer('used').notNull().default(0),
    messageLimit: integer('message_limit').notNull(),
    origin: text('origin'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('guest_sessions_token_key').on(t.tokenHash),
    index('guest_sessions_bot_idx').on(t.orgId, t.chatbotId),
  ],
);

export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    chatbotId: text('chatbot_id')
      .notNull()
      .references(() => chatbots.id, { onDelete: 'cascade' }),
    /** who owns it: a user, an API key, or a guest session (exactly one is set) */
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    apiKeyId: text('api_key_id'),
    guestSessionId: text('guest_session_id'),
    channel: text('channel', { enum: ['dashboard', 'api', 'widget', 'guest', 'openai'] }).notNull(),
    title: text('title').notNull(),
    titleSource: text('title_source', { enum: ['auto', 'user'] })
      .notNull()
      .default('auto'),
    mode: text('mode', { enum: ['chat', 'code', 'debug', 'explain', 'optimize'] })
      .notNull()
      .default('chat'),
    /** running summary of turns that fell out of the history window (written when an LLM exists) */
    summary: text('summary'),
    summarizedThrough: text('summarized_through'),
    messageCount: integer('message_count').notNull().default(0),
    lastMessageAt: ts('last_message_at'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('conversations_bot_idx').on(t.orgId, t.chatbotId, t.id),
    index('conversations_user_idx').on(t.orgId, t.userId, t.id),
  ],
);

export interface Citation {
  n: number;
  chunkId: string;
  documentId: string;
  documentTitle: string;
  page: number | null;
  quote: string;
  charStart: number;
  charEnd: number;
}

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    mode: text('mode', { enum: ['chat', 'code', 'debug', 'explain', 'optimize'] }).notNull(),
    content: text('content').notNull(),
    /** streaming → complete | error | cancelled; a stream cut by the client still ends `complete` */
    status: text('status', { enum: ['streaming', 'complete', 'error', 'cancelled'] }).notNull(),
    attachments: jsonb('attachments').$type<Record<string, unknown>[]>().notNull(),
    citations: jsonb('citations').$type<Citation[]>().notNull(),
    grounded: boolean('grounded'),
    usage: jsonb('usage').$type<{ promptTokens: number; completionTokens: number; totalTokens: number }>(),
    provider: text('provider'),
    model: text('model'),
    ttftMs: integer('ttft_ms'),
    latencyMs: integer('latency_ms'),
    error: jsonb('error').$type<{ code: string; message: string }>(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('messages_conv_idx').on(t.conversationId, t.id)],
);

/** Up/down + comment per message and rater (seed 000 feedback table). */
export const messageFeedback = pgTable(
  'message_feedback',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    raterId: text('rater_id').notNull(),
    rating: text('rating', { enum: ['up', 'down'] }).notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('message_feedback_rater_key').on(t.messageId, t.raterId)],
);

/** One row per model call (our answer to the seed's LangSmith tracing), viewable per message. */
export const llmCalls = pgTable(
  'llm_calls',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    chatbotId: text('chatbot_id'),
    conversationId: text('conversation_id'),
    messageId: text('message_id'),
    purpose: text('purpose', {
      enum: ['answer', 'title', 'summary', 'query_expansion', 'analyze', 'embedding'],
    }).notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    ttftMs: integer('ttft_ms'),
    latencyMs: integer('latency_ms').notNull(),
    status: text('status', { enum: ['ok', 'error', 'cancelled'] }).notNull(),
    error: text('error'),
    attempt: integer('attempt').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('llm_calls_message_idx').on(t.messageId), index('llm_calls_org_idx').on(t.orgId, t.id)],
);

/** Code snippets saved from answers (seed 000 snippets table). */
export const snippets = pgTable(
  'snippets',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    messageId: text('message_id'),
    title: text('title').notNull(),
    language: text('language').notNull().default('text'),
    code: text('code').notNull(),
    tags: text('tags').array().notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('snippets_org_idx').on(t.orgId, t.userId, t.id)],
);
