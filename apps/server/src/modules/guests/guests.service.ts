import type { Deps } from '../../deps.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { GUEST_TOKEN_PREFIX } from '../../platform/http/access.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { newId, randomBase62, sha256 } from '../../platform/ids.ts';
import { embedSettingsSchema } from '../chatbots/chatbots.schemas.ts';
import * as repo from './guests.repo.ts';

export type GuestActor = Extract<Actor, { type: 'guest' }>;

/**
 * Guests (seed 000 guest access) and widget visitors chat without an account through a session bound to one
 * chatbot, each with the chatbot's demo quota (seed 004: 10 messages). A session opened with the chatbot's
 * key (the widget) must come from one of the chatbot's allowed domains when it lists any.
 */
export async function openGuestSession(
  deps: Pick<Deps, 'db' | 'config'>,
  input: {
    chatbotId: string;
    origin: string | null;
    ip: string;
    userAgent: string | null;
    viaKey: Actor | null;
  },
) {
  const bot = await repo.findChatbotForGuests(deps.db, input.chatbotId);
  const keyAllows =
    input.viaKey?.type === 'api_key' &&
    input.viaKey.chatbotId === input.chatbotId &&
    bot?.orgId === input.viaKey.orgId;
  if (!bot || bot.status !== 'active') throw notFound('Chatbot');
  if (!keyAllows && bot.demoMessageLimit === 0) throw notFound('Chatbot'); // guests disabled
  const embed = embedSettingsSchema.parse(bot.embed);
  if (input.origin && !originAllowed(input.origin, embed.allowedDomains)) {
    throw new AppError('forbidden', 'This site is not allowed to embed the chatbot');
  }
  const token = `${GUEST_TOKEN_PREFIX}${randomBase62(40)}`;
  const session = await repo.insertGuestSession(deps.db, bot.orgId, {
    id: newId('guestSession'),
    chatbotId: bot.id,
    tokenHash: sha256(token),
    kind: keyAllows ? 'widget' : 'guest',
    messageLimit: bot.demoMessageLimit,
    origin: input.origin,
    ip: input.ip,
    userAgent: input.userAgent,
    expiresAt: new Date(Date.now() + deps.config.GUEST_SESSION_TTL * 1000),
  });
  return { token, session };
}

/** Resolves a `kwg_` bearer token; cached briefly like API keys (expiry is rechecked on every use). */
export async function resolveGuestToken(deps: Pick<Deps, 'db' | 'cache'>, raw: string): Promise<GuestActor> {
  const hash = sha256(raw);
  const row = await deps.cache.getOrLoad(`gst:${hash}`, () =>
    repo.findGuestSessionByHash(deps.db, hash, new Date()),
  );
  if (!row || row.expiresAt.getTime() <= Date.now()) {
    throw new AppError('api_key_invalid', 'The guest session is unknown or expired; open a new one');
  }
  return { type: 'guest', sessionId: row.id, orgId: row.orgId, chatbotId: row.chatbotId };
}

export function demoQuota(used: number, limit: number) {
  return { limit, used, remaining: Math.max(0, limit - used) };
}

/** Takes one message of the quota or refuses with `demo_limit_reached` (atomic, see the repo). */
export async function admitGuestMessage(deps: Pick<Deps, 'db'>, guest: GuestActor) {
  const admitted = await repo.admitGuestMessage(deps.db, guest.orgId, guest.sessionId);
  if (!admitted) {
    const s = await repo.getGuestSession(deps.db, guest.orgId, guest.sessionId);
    throw Object.assign(
      new AppError(
        'demo_limit_reached',
        `The demo limit of ${s?.messageLimit ?? 0} messages is used up; sign up to keep chatting`,
      ),
      { quota: demoQuota(s?.used ?? 0, s?.messageLimit ?? 0) },
    );
  }
  return demoQuota(admitted.used, admitted.limit);
}

export const refundGuestMessage = (deps: Pick<Deps, 'db'>, guest: GuestActor) =>
  repo.refundGuestMessage(deps.db, guest.orgId, guest.sessionId);

/** `https://shop.example.com:8443` against `example.com`, `*.example.com`, `localhost:3000`. */
export function originAllowed(origin: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  const hostname = host.replace(/:\d+$/, '');
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    const target = p.includes(':') ? host : hostname;
    if (p.startsWith('*.')) return target.endsWith(p.slice(1)) && target.length > p.length - 1;
    return target === p;
  });
}
