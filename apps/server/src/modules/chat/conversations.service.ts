import type { Deps } from '../../deps.ts';
import type { Actor, OrgAccess } from '../../platform/auth/policy.ts';
import { can } from '../../platform/auth/policy.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/access.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { requireChatbot } from '../chatbots/chatbots.service.ts';
import type { ChatbotRow } from '../chatbots/chatbots.repo.ts';
import { prepareChatImage } from '../multimodal/chat-image.ts';
import * as repo from './chat.repo.ts';
import type { ImageInput } from './generate.ts';

type ConvDeps = Pick<Deps, 'db' | 'cache'>;

/** Conversations are private to whoever started them: a user, an API key, or a guest session. */
export function ownerOf(actor: Actor | null): repo.Owner {
  if (actor?.type === 'user') return { userId: actor.userId };
  if (actor?.type === 'api_key') return { apiKeyId: actor.keyId };
  throw new AppError('unauthenticated', 'Sign in or send an API key');
}

export function raterIdOf(actor: Actor): string {
  if (actor.type === 'user') return actor.userId;
  if (actor.type === 'api_key') return actor.keyId;
  return actor.sessionId;
}

/** Admins may read every conversation of their org's chatbots (support, quality review); others their own. */
export function readScope(access: OrgAccess, scope: 'mine' | 'all'): repo.Owner | null {
  if (scope === 'all') {
    if (!can(access, 'audit:read')) throw new AppError('forbidden', 'Only admins may read all conversations');
    return null;
  }
  return ownerOf(access.actor);
}

export async function requireActiveChatbot(
  deps: ConvDeps,
  orgId: string,
  botId: string,
): Promise<ChatbotRow> {
  const bot = await requireChatbot(deps, orgId, botId);
  if (bot.status !== 'active') throw new AppError('conflict', 'This chatbot is disabled');
  return bot;
}

export async function createConversation(
  deps: ConvDeps,
  orgId: string,
  botId: string,
  owner: repo.Owner,
  input: { title?: string; mode: repo.ChatMode; channel: repo.ConversationRow['channel'] },
) {
  return repo.insertConversation(deps.db, orgId, {
    id: newId('conversation'),
    chatbotId: botId,
    userId: 'userId' in owner ? owner.userId : null,
    apiKeyId: 'apiKeyId' in owner ? owner.apiKeyId : null,
    guestSessionId: 'guestSessionId' in owner ? owner.guestSessionId : null,
    channel: input.channel,
    title: input.title ?? 'New conversation',
    titleSource: input.title ? 'user' : 'auto',
    mode: input.mode,
    metadata: {},
  });
}

export async function requireConversation(
  deps: ConvDeps,
  orgId: string,
  botId: string,
  convId: string,
  owner: repo.Owner | null,
) {
  const conv = await repo.getConversation(deps.db, orgId, botId, convId, owner);
  if (!conv) throw notFound('Conversation');
  return conv;
}

export async function deleteConversation(
  deps: ConvDeps,
  ctx: RequestContext,
  orgId: string,
  conv: repo.ConversationRow,
) {
  await deps.db.transaction(async (tx) => {
    await repo.deleteConversation(tx, orgId, conv.id);
    await recordAudit(tx, ctx, {
      orgId,
      action: 'conversation.delete',
      target: { type: 'conversation', id: conv.id },
      metadata: { chatbotId: conv.chatbotId },
    });
  });
}

/** Decodes, re-encodes (EXIF stripped, bounded size) and OCRs attached images before the turn starts. */
export async function prepareImages(
  images: { data: string; mimeType?: string; name?: string }[] | undefined,
): Promise<ImageInput[]> {
  const out: ImageInput[] = [];
  for (const [i, img] of (images ?? []).entries()) {
    const base64 = img.data.replace(/^data:[^,]*,/, '');
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0) throw new AppError('validation_failed', `images[${i}] is not base64 image data`);
    const prepared = await prepareChatImage(bytes, { ocr: true }).catch(() => {
      throw new AppError('unsupported_media_type', `images[${i}] is not a PNG, JPEG or WebP image`);
    });
    out.push({
      dataUrl: prepared.dataUrl,
      ocrText: prepared.ocrText ?? '',
      attachment: {
        kind: 'image',
        name: img.name ?? `image-${i + 1}`,
        mimeType: prepared.mimeType,
        width: prepared.width,
        height: prepared.height,
        sizeBytes: prepared.sizeBytes,
        ocrText: (prepared.ocrText ?? '').slice(0, 4000),
      },
    });
  }
  return out;
}
