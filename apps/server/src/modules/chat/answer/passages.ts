// Sentence candidates from the top hits and the choice of 1–3 of them to quote.
import { guessLanguage, isStopWord, tokenize, type Language } from '../../retrieval/text.ts';
import { creditCoverage, matchTerms, proximity, type QueryTerm } from './query-terms.ts';
import { bestCredits, creditTable } from './soft-match.ts';
import { splitSentences } from './sentences.ts';
import type { AnswerHit } from './answer.types.ts';

/** Hits whose sentences are considered (the rest rarely hold a better sentence than these and cost time). */
export const CANDIDATE_HITS = 5;
export const MAX_QUOTES = 3;
/** Extra sentences must add at least this share of the query's weight not yet quoted, or continue the best one. */
const MIN_GAIN = 0.15;
const MAX_QUOTE_CHARS = 900;

export interface Sentence {
  hitIndex: number;
  /** order of the sentence within its chunk */
  ordinal: number;
  /** offsets inside the chunk text */
  start: number;
  end: number;
  /** idf-weighted coverage of the query, with soft credit for words said differently */
  coverage: number;
  proximity: number;
  /** which query terms occur (by index into the query terms) */
  matched: Set<number>;
  score: number;
}

export interface HitAnalysis {
  language: Language;
  sentences: Sentence[];
  /** credit-weighted coverage of the query by the whole chunk, its title and heading included */
  coverage: number;
  /** per query term: 1 when the chunk has it, else the soft credit of its closest word there (0..1) */
  credits: number[];
  /** query terms the chunk has verbatim (by stem) */
  matched: Set<number>;
}

/** A later hit's sentence needs more coverage to beat an earlier one: retrieval's ranking is evidence too. */
export function rankPrior(hitIndex: number): number {
  return 1 / (1 + 0.1 * hitIndex);
}

function matchedSet(positions: number[][]): Set<number> {
  const s = new Set<number>();
  positions.forEach((p, i) => p.length && s.add(i));
  return s;
}

/** Questions that ask for a number, a time or an amount: a sentence stating one is more likely the answer. */
const ASKS_NUMBER_RE = /\b(?:how\s+(?:long|much|many|often|far|old|soon)|when|what\s+time|berapa|kapan)\b/i;
const HAS_NUMBER_RE = /\p{N}/u;
const NUMBER_BONUS = 1.25;

export function asksForNumber(question: string): boolean {
  return ASKS_NUMBER_RE.test(question);
}

export function analyzeHit(
  hit: AnswerHit,
  hitIndex: number,
  terms: readonly QueryTerm[],
  fallback: Language,
  preferNumbers = false,
): HitAnalysis {
  const language = guessLanguage(hit.text, fallback);
  const contextTokens = tokenize([hit.documentTitle, hit.heading ?? '', hit.text].join('\n'));
  const matched = matchedSet(matchTerms(contextTokens, language, terms));
  // Soft credit needs word vectors: English only.
  const table =
    language === 'en'
      ? creditTable(
          terms.map((t) => t.token),
          contextTokens.filter((t) => !isStopWord(t, 'en')),
        )
      : null;
  const credits = terms.map((_, i) => (matched.has(i) ? 1 : table ? Math.max(0, ...table[i]!.values()) : 0));
  const sentences = splitSentences(hit.text, language).map((span, ordinal): Sentence => {
    const tokens = tokenize(hit.text.slice(span.start, span.end));
    const positions = matchTerms(tokens, language, terms);
    const soft = table ? bestCredits(table, tokens) : null;
    const cov = creditCoverage(
      terms,
      positions.map((p, i) => (p.length ? 1 : (soft?.[i] ?? 0))),
    );
    const prox = proximity(positions);
    const text = hit.text.slice(span.start, span.end);
    const answerType = preferNumbers && HAS_NUMBER_RE.test(text) ? NUMBER_BONUS : 1;
    return {
      hitIndex,
      ordinal,
      ...span,
      coverage: cov,
      proximity: prox,
      matched: matchedSet(positions),
      // Coverage leads; proximity separates sentences that match the same terms; rank breaks the rest.
      score: cov * (0.8 + 0.2 * prox) * rankPrior(hitIndex) * answerType,
    };
  });
  return { language, sentences, coverage: creditCoverage(terms, credits), credits, matched };
}

function weightOf(terms: readonly QueryTerm[], ids: Iterable<number>): number {
  let w = 0;
  for (const i of ids) w += terms[i]!.weight;
  return w;
}

/**
 * The best sentence, then up to two more: the sentence right after it in the same chunk when that one matches
 * query terms too (an answer often continues there), or any candidate that adds query terms not yet quoted.
 * Returned in reading order (hit rank, then position).
 */
export function choosePassage(analyses: readonly HitAnalysis[], terms: readonly QueryTerm[]): Sentence[] {
  const all = analyses.flatMap((a) => a.sentences).filter((s) => s.matched.size > 0);
  if (all.length === 0) return [];
  const best = all.reduce((a, b) => (b.score > a.score ? b : a));
  const chosen = [best];
  const total = weightOf(
    terms,
    terms.map((_, i) => i),
  );
  let chars = best.end - best.start;
  while (chosen.length < MAX_QUOTES) {
    const covered = new Set(chosen.flatMap((s) => [...s.matched]));
    let pick: Sentence | undefined;
    let pickValue = 0;
    for (const s of all) {
      if (chosen.includes(s) || chars + (s.end - s.start) > MAX_QUOTE_CHARS) continue;
      const gain =
        weightOf(
          terms,
          [...s.matched].filter((i) => !covered.has(i)),
        ) / (total || 1);
      const continues = chosen.some((c) => c.hitIndex === s.hitIndex && s.ordinal === c.ordinal + 1);
      // An extra sentence must be about the question too, not just carry one more of its words.
      if (s.coverage < best.coverage / 2) continue;
      if (gain < MIN_GAIN && !continues) continue;
      const value = (gain + s.coverage / 2 + (continues ? 0.1 : 0)) * rankPrior(s.hitIndex);
      if (value > pickValue) [pick, pickValue] = [s, value];
    }
    if (!pick) break;
    chosen.push(pick);
    chars += pick.end - pick.start;
  }
  return chosen.sort((a, b) => a.hitIndex - b.hitIndex || a.start - b.start);
}
