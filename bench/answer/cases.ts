// Test cases for the extractive responder: each collection's own queries with relevant documents (in scope), the
// other collection's queries and a few generic questions (out of scope), run through the real search engine.
import path from 'node:path';
import type { AnswerHit } from '../../apps/server/src/modules/chat/answer/answer.types.ts';
import { termStatsFromIndex, type TermStats } from '../../apps/server/src/modules/chat/answer/query-terms.ts';
import { search, type SearchOptions } from '../../apps/server/src/modules/retrieval/engine.ts';
import {
  buildKnowledge,
  EN_PAGES,
  ID_PAGES,
} from '../../apps/server/src/modules/chat/answer/answer.fixtures.ts';
import { indexCollection, loadCollection } from '../retrieval/collections.ts';
import { KB_QUESTIONS } from './kb-questions.ts';

/** Questions no technical collection answers: chit-chat, everyday how-to, trivia (some share words with one). */
export const GENERIC_QUESTIONS = [
  'what is the capital of France',
  'how do I bake bread',
  'hello, how are you?',
  'tell me a joke',
  "what's the weather like tomorrow",
  'who won the football world cup in 2018',
  'recommend a good movie for tonight',
  'how can I lose weight fast',
  'what is the best programming language to learn first',
  'how do I reset my password',
  'what are your opening hours on weekends',
  'can I get a refund for a damaged order',
  'how much does shipping to Jakarta cost',
  'write a poem about the sea',
  'what is the price of bitcoin today',
  'who is the president of the united states',
  'how do I change a flat tire on my bike',
  'what time is it in Tokyo',
  'Siapa presiden Indonesia sekarang?',
  'Bagaimana cara membuat nasi goreng?',
];

export interface AnswerCase {
  collection: string;
  kind: 'in' | 'other' | 'generic';
  id: string;
  question: string;
  /** language of the question and of the reply */
  language: 'en' | 'id';
  hits: AnswerHit[];
  /** relevant documents (in-scope cases of the test collections) */
  relevant: Set<string>;
  /** words a correct quote contains (in-scope cases of the small knowledge bases) */
  expected?: string;
}

export interface LoadedCollection {
  name: string;
  termStats: TermStats;
  cases: AnswerCase[];
}

export const SEARCH: SearchOptions = { mode: 'hybrid', topK: 10 };

export function loadCases(evalDir: string, names: string[], searchOptions = SEARCH): LoadedCollection[] {
  const collections = names.map((n) => loadCollection(path.join(evalDir, n)));
  return collections.map((c) => {
    const index = indexCollection(c);
    const titles = new Map(c.docs.map((d) => [d.id, d.title]));
    const run = (kind: AnswerCase['kind'], id: string, question: string, relevant = new Set<string>()) => ({
      collection: c.name,
      kind,
      id,
      question,
      language: 'en' as const,
      relevant,
      hits: search(index, question, searchOptions).map((h, i): AnswerHit => ({
        rank: i + 1,
        chunkId: h.id,
        documentId: h.docId,
        documentTitle: titles.get(h.docId) ?? '',
        page: null,
        charStart: 0,
        charEnd: h.item.text.length,
        text: h.item.text,
        score: h.score,
        scores: h.scores,
      })),
    });
    const cases: AnswerCase[] = [];
    for (const q of c.queries) {
      const rel = c.qrels.get(q.id);
      if (rel?.size) cases.push(run('in', q.id, q.text, rel));
    }
    for (const other of collections) {
      if (other === c) continue;
      for (const q of other.queries) cases.push(run('other', `${other.name}:${q.id}`, q.text));
    }
    GENERIC_QUESTIONS.forEach((q, i) => cases.push(run('generic', `g${i + 1}`, q)));
    return { name: c.name, termStats: termStatsFromIndex(index), cases };
  });
}

/** The small knowledge bases with short customer questions (kb-questions.ts): `kb-en` and `kb-id`. */
export function loadKbCases(searchOptions = SEARCH): LoadedCollection[] {
  return (['en', 'id'] as const).map((language) => {
    const kb = buildKnowledge(language === 'en' ? EN_PAGES : ID_PAGES, language);
    const name = `kb-${language}`;
    const search = (q: string) => kb.search(q, { topK: searchOptions.topK, mode: searchOptions.mode });
    const qs = KB_QUESTIONS[language];
    const cases: AnswerCase[] = [
      ...qs.in.map(([question, expected], i) => ({
        collection: name,
        kind: 'in' as const,
        id: `in${i + 1}`,
        question,
        language,
        hits: search(question),
        relevant: new Set<string>(),
        expected,
      })),
      ...qs.out.map((question, i) => ({
        collection: name,
        kind: 'generic' as const,
        id: `out${i + 1}`,
        question,
        language,
        hits: search(question),
        relevant: new Set<string>(),
      })),
    ];
    return { name, termStats: kb.termStats, cases };
  });
}
