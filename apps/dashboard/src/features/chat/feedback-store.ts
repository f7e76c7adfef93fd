import type { Message } from './chat.api';

export interface StoredFeedback {
  rating: 'up' | 'down';
  comment: string | null;
}

/**
 * The rating the user gave an answer. The server stores it (PUT …/feedback) but the message list does not
 * return it yet, so the last rating this browser sent is remembered too; a `feedback` field on the message,
 * when the API provides one, wins.
 */
const KEY = 'kawan.chat.feedback';
const MAX = 500;

function readAll(): Record<string, StoredFeedback> {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Record<string, StoredFeedback>) : {};
  } catch {
    return {};
  }
}

export function feedbackOf(m: Message): StoredFeedback | null {
  const fromServer = (m as Message & { feedback?: StoredFeedback | null }).feedback;
  if (fromServer !== undefined) return fromServer;
  return readAll()[m.id] ?? null;
}

export function rememberFeedback(msgId: string, f: StoredFeedback): void {
  const all = readAll();
  delete all[msgId];
  all[msgId] = f;
  const ids = Object.keys(all);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX))) delete all[id];
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage full or disabled: the rating is still on the server
  }
}
