import type { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import { chatbotKeyScopes, type OrgAccess } from '../../platform/auth/policy.ts';
import { newId } from '../../platform/ids.ts';
import { uniqueSlug } from '../../platform/slug.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { createApiKey } from '../apikeys/apikeys.service.ts';
import * as repo from './chatbots.repo.ts';
import { probeEmbedder } from '../retrieval/embedding-backend.ts';
import { readReembedStatus, requestReembed } from '../knowledge/reembed.job.ts';
import {
  embedSettingsSchema,
  modelSettingsSchema,
  type chatbotCreateSchema,
  type chatbotUpdateSchema,
} from './chatbots.schemas.ts';

type BotDeps = Pick<Deps, 'db' | 'cache' | 'log'>;
type EmbedderChangeDeps = BotDeps & Pick<Deps, 'config' | 'files' | 'jobs'>;

const botCacheKey = (orgId: string, botId = '') => `bot:${orgId}:${botId}`;

/** Drop the cached chatbot (the re-embed job switches its embedder outside this service). */
export function invalidateChatbotCache(deps: Pick<Deps, 'cache'>, orgId: string, botId: string): void {
  deps.cache.invalidate(botCacheKey(orgId, botId));
}

/** The chatbot, from the short-lived cache when possible: every public request reads it. */
export async function findChatbot(deps: Pick<Deps, 'db' | 'cache'>, orgId: string, botId: string) {
  return deps.cache.getOrLoad(botCacheKey(orgId, botId), () => repo.getChatbot(deps.db, orgId, botId));
}

export async function requireChatbot(
  deps: Pick<Deps, 'db' | 'cache'>,
  orgId: string,
  botId: string,
): Promise<repo.ChatbotRow> {
  const bot = await findChatbot(deps, orgId, botId);
  if (!bot) throw notFound('Chatbot');
  return bot;
}

/** A chatbot is born with one API key (seed 004); its secret is returned once, here. */
export async function createChatbot(
  deps: EmbedderChangeDeps,
  ctx: RequestContext,
  access: OrgAccess,
  { embedder, ...input }: z.infer<typeof chatbotCreateSchema>,
) {
  // A new knowledge base is empty: its embedder is set directly, once the provider has answered (and told the
  // dimension). The id in the probe's trace is not the chatbot's yet: it does not exist.
  const embedding = embedder ? await probeEmbedder(deps, access.orgId, '', embedder) : undefined;
  return deps.db.transaction(async (tx) => {
    const slug =
      input.slug ??
      (await uniqueSlug(input.name, async (s) => !(await repo.chatbotSlugExists(tx, access.orgId, s))));
    const bot = await repo.insertChatbot(tx, access.orgId, {
      id: newId('chatbot'),
      ...input,
      ...(embedding ? { embedder: embedding.embedder, embeddingDims: embedding.dims } : {}),
      slug,
      createdBy:
        ctx.actor?.type === 'user'
          ? ctx.actor.userId
          : ctx.actor?.type === 'api_key'
            ? ctx.actor.keyId
            : null,
    });
    if (!bot)
      throw new AppError('slug_taken', `A chatbot with slug "${slug}" already exists in this organization`);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'chatbot.create',
      target: { type: 'chatbot', id: bot.id },
      metadata: { name: bot.name, slug },
    });
    const { key, secret } = await createApiKey(
      deps,
      ctx,
      { orgId: access.orgId, chatbotId: bot.id },
      { name: 'Default key', scopes: [...chatbotKeyScopes] },
      tx,
    );
    return { chatbot: bot, key, secret };
  });
}

export async function updateChatbot(
  deps: EmbedderChangeDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  { embedder, ...patch }: z.infer<typeof chatbotUpdateSchema>,
) {
  if (embedder !== undefined) await changeEmbedder(deps, access.orgId, botId, embedder);
  if (Object.keys(patch).length === 0) return requireChatbot(deps, access.orgId, botId);
  const updated = await deps.db.transaction(async (tx) => {
    const current = await repo.getChatbot(tx, access.orgId, botId);
    if (!current) throw notFound('Chatbot');
    if (
      patch.slug &&
      patch.slug !== current.slug &&
      (await repo.chatbotSlugExists(tx, access.orgId, patch.slug))
    ) {
      throw new AppError(
        'slug_taken',
        `A chatbot with slug "${patch.slug}" already exists in this organization`,
      );
    }
    // Nested settings merge over what is stored, so a client can change one field without resending all.
    const updated = await repo.updateChatbot(tx, access.orgId, botId, {
      ...patch,
      modelSettings: patch.modelSettings
        ? modelSettingsSchema.parse({ ...current.modelSettings, ...patch.modelSettings })
        : undefined,
      embed: patch.embed ? embedSettingsSchema.parse({ ...current.embed, ...patch.embed }) : undefined,
    });
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'chatbot.update',
      target: { type: 'chatbot', id: botId },
      metadata: { fields: Object.keys(patch) },
    });
    return updated!;
  });
  deps.cache.invalidate(botCacheKey(access.orgId, botId));
  return updated;
}

/**
 * Asks for a new embedder: the provider must answer (which gives the dimension), then knowledge.reembed
 * re-embeds everything and switches. Asking for the current embedder cancels a pending change.
 */
async function changeEmbedder(deps: EmbedderChangeDeps, orgId: string, botId: string, embedder: string) {
  const bot = await repo.getChatbot(deps.db, orgId, botId);
  if (!bot) throw notFound('Chatbot');
  const pending = await readReembedStatus(deps, orgId, botId);
  const busy = pending && (pending.state === 'queued' || pending.state === 'embedding');
  if (embedder === bot.embedder && !(busy && pending.embedder !== embedder)) return;
  const { dims } = await probeEmbedder(deps, orgId, botId, embedder);
  await requestReembed(deps, { orgId, chatbotId: botId, embedder, dims }, bot.embedder);
}

export async function deleteChatbot(deps: BotDeps, ctx: RequestContext, access: OrgAccess, botId: string) {
  await deps.db.transaction(async (tx) => {
    const bot = await repo.getChatbot(tx, access.orgId, botId);
    if (!bot) throw notFound('Chatbot');
    await repo.deleteChatbot(tx, access.orgId, botId);
    await recordAudit(tx, ctx, {
      orgId: access.orgId,
      action: 'chatbot.delete',
      target: { type: 'chatbot', id: botId },
      metadata: { name: bot.name },
    });
  });
  deps.cache.invalidate(botCacheKey(access.orgId, botId));
  deps.cache.invalidate('key:'); // its keys are gone
}

export function embedSnippet(publicUrl: string, bot: repo.ChatbotRow): string {
  const e = embedSettingsSchema.parse(bot.embed);
  return [
    `<script src="${publicUrl}/widget.js" async`,
    `  data-chatbot="${bot.id}"`,
    `  data-key="YOUR_CHATBOT_KEY"`,
    `  data-color="${e.color}" data-position="${e.position}" data-language="${bot.language}"></script>`,
  ].join('\n');
}
