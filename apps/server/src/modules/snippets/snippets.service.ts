import type { Deps } from '../../deps.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { getMessage } from '../chat/chat.repo.ts';
import { requireConversation } from '../chat/conversations.service.ts';
import { extractCodeBlocks } from './extract-code-blocks.ts';
import * as repo from './snippets.repo.ts';
import { MAX_CODE_CHARS } from './snippets.schemas.ts';

type SnippetDeps = Pick<Deps, 'db'>;

/** Snippets one user may keep per organization: a cap on storage, far above what a person curates. */
export const MAX_SNIPPETS_PER_USER = 10_000;

/**
 * Snippets are a signed-in user's personal collection. The snippets table has no API-key owner column (its
 * user_id references users), so a key-owned snippet could not be kept private to that key: keys are refused
 * instead of sharing one pool among every key of the org.
 */
export function snippetOwnerOf(actor: Actor): string {
  if (actor.type === 'user') return actor.userId;
  throw forbidden(
    'Snippets belong to signed-in users; API keys cannot save or read them. Sign in to keep code snippets.',
  );
}

export async function requireSnippet(deps: SnippetDeps, orgId: string, userId: string, snippetId: string) {
  const row = await repo.getSnippet(deps.db, orgId, userId, snippetId);
  if (!row) throw notFound('Snippet');
  return row;
}

async function ensureRoom(deps: SnippetDeps, orgId: string, userId: string, adding: number) {
  const held = await repo.countSnippets(deps.db, orgId, userId);
  if (held + adding > MAX_SNIPPETS_PER_USER) {
    throw new AppError(
      'limit_reached',
      `You can keep at most ${MAX_SNIPPETS_PER_USER} snippets in this organization; delete some first`,
    );
  }
}

export async function createSnippet(
  deps: SnippetDeps,
  orgId: string,
  userId: string,
  input: { title: string; language: string; code: string; tags: string[] },
) {
  await ensureRoom(deps, orgId, userId, 1);
  const [row] = await repo.insertSnippets(deps.db, orgId, userId, [
    { id: newId('snippet'), messageId: null, ...input },
  ]);
  return row!;
}

export async function updateSnippet(
  deps: SnippetDeps,
  orgId: string,
  userId: string,
  snippetId: string,
  patch: repo.SnippetWrite,
) {
  const row = await repo.updateSnippet(deps.db, orgId, userId, snippetId, patch);
  if (!row) throw notFound('Snippet');
  return row;
}

export async function deleteSnippet(deps: SnippetDeps, orgId: string, userId: string, snippetId: string) {
  if (!(await repo.deleteSnippet(deps.db, orgId, userId, snippetId))) throw notFound('Snippet');
}

export interface FromMessageInput {
  chatbotId: string;
  conversationId: string;
  messageId: string;
  index?: number;
  title?: string;
  tags: string[];
}

/**
 * Saves the fenced code blocks of an assistant answer in one of the caller's own conversations: one snippet per
 * block, or only block `index`. Anyone else's conversation, and a user message, is a 404.
 */
export async function saveSnippetsFromMessage(
  deps: Pick<Deps, 'db' | 'cache'>,
  orgId: string,
  userId: string,
  input: FromMessageInput,
) {
  const conv = await requireConversation(deps, orgId, input.chatbotId, input.conversationId, { userId });
  const msg = await getMessage(deps.db, orgId, conv.id, input.messageId);
  if (!msg || msg.role !== 'assistant') throw notFound('Message');
  if (msg.status === 'streaming') {
    throw new AppError('conflict', 'This answer is still being written; save its code when it is done');
  }
  const blocks = extractCodeBlocks(msg.content);
  if (blocks.length === 0) {
    throw new AppError('bad_request', 'This message has no fenced code blocks (```lang … ```) to save');
  }
  if (input.index !== undefined && input.index >= blocks.length) {
    const range = blocks.length === 1 ? 'only block 0' : `blocks 0–${blocks.length - 1}`;
    throw new AppError('validation_failed', `This message has ${range}`, [
      { path: 'body.index', message: `must be less than ${blocks.length}` },
    ]);
  }
  const chosen = blocks
    .map((b, position) => ({ ...b, position }))
    .filter((b) => input.index === undefined || b.position === input.index);
  const tooLong = chosen.find((b) => b.code.length > MAX_CODE_CHARS);
  if (tooLong) {
    throw new AppError(
      'validation_failed',
      `Code block ${tooLong.position} is longer than ${MAX_CODE_CHARS} characters; save part of it instead`,
    );
  }
  const numbered = chosen.length > 1;
  const titleOf = (b: (typeof chosen)[number]) => {
    if (input.title) return numbered ? `${input.title} (${b.position + 1})` : input.title;
    if (b.heading) return b.heading;
    return numbered ? `${conv.title} (${b.position + 1})` : conv.title;
  };
  await ensureRoom(deps, orgId, userId, chosen.length);
  return repo.insertSnippets(
    deps.db,
    orgId,
    userId,
    chosen.map((b) => ({
      id: newId('snippet'),
      messageId: msg.id,
      title: titleOf(b),
      language: b.language,
      code: b.code,
      tags: input.tags,
    })),
  );
}
