// Shapes shared by the answer builders (extractive responder, LLM context, citation parsing).
import type { Language } from '../../retrieval/text.ts';

export type { Language };

/** A search hit as `searchChatbot` returns it (only the fields answering needs). */
export interface AnswerHit {
  rank?: number;
  chunkId: string;
  documentId: string;
  documentTitle: string;
  page: number | null;
  /** offsets of the chunk inside its page's text */
  charStart: number;
  charEnd: number;
  heading?: string | null;
  text: string;
  score: number;
  scores: { bm25?: number; vector?: number; fused: number };
}

export interface Citation {
  /** the [n] marker in the answer text */
  n: number;
  chunkId: string;
  documentId: string;
  documentTitle: string;
  page: number | null;
  /** verbatim text of the source (the quoted sentences, or the whole chunk when a model cited it) */
  quote: string;
  /** offsets of `quote` inside its page's text, for highlighting */
  charStart: number;
  charEnd: number;
}

export type Strictness = 'strict' | 'relaxed';
