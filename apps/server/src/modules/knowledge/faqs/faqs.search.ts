import type { DbOrTx } from '../../../platform/db/database.ts';
import type { RetrievalItem } from '../../retrieval/engine.ts';
import type { KnowledgeEntry } from '../../retrieval/retrieval.service.ts';
import type { Language } from '../../retrieval/text.ts';
import { listSearchableFaqs } from './faqs.repo.ts';

/**
 * An FAQ as one retrieval item: the question is the (weighted) title field, the answer the body, so a query
 * phrased like the question ranks it high while the hit's text is the answer a responder should quote.
 */
export function faqItem(f: {
  id: string;
  question: string;
  answer: string;
  tags: string[];
  language: string | null;
  embedding?: number[] | null;
}): RetrievalItem {
  return {
    id: f.id,
    docId: f.id,
    title: f.question,
    text: f.answer,
    tags: f.tags,
    ...(f.language ? { language: f.language as Language } : {}),
    // Stored at write time with embedItem(faqItem(…)), i.e. exactly what the index would compute.
    ...(f.embedding?.length ? { vector: f.embedding } : {}),
  };
}

/** The enabled FAQs of a chatbot, ready to join its search index. */
export async function listFaqEntries(db: DbOrTx, orgId: string, botId: string): Promise<KnowledgeEntry[]> {
  const rows = await listSearchableFaqs(db, orgId, botId);
  return rows.map((f) => ({
    item: faqItem(f),
    source: 'faq' as const,
    sourceId: f.id,
    title: f.question,
  }));
}
