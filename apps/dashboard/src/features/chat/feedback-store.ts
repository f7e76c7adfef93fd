import type { Message } from './chat.api';

export interface StoredFeedback {
  rating: 'up' | 'down';
  comment: string | null;
}

/** The signed-in user's rating of an answer, as the history returns it (PUT …/feedback stores it). */
export function feedbackOf(m: Message): StoredFeedback | null {
  return (m as Message & { feedback?: StoredFeedback | null }).feedback ?? null;
}
