// The grounded extractive responder: answers from the documents without a language model by quoting 1–3
// sentences verbatim with [n] citations, and says plainly when the documents do not hold the answer.
// A responder that always quotes its best match fails every out-of-scope question, so the decision is made from
// evidence (idf-weighted coverage of the question by the passage, question terms the collection never uses,
// whether the lexically chosen quote also means what was asked) — calibrated in bench/answer (evidence.ts).
import { ANSWER_MESSAGES } from './answer.messages.ts';
import type { AnswerHit, Citation, Language, Strictness } from './answer.types.ts';
import { decide, gatherEvidence, type Evidence } from './evidence.ts';
import {
  analyzeHit,
  asksForNumber,
  CANDIDATE_HITS,
  choosePassage,
  type HitAnalysis,
  type Sentence,
} from './passages.ts';
import { analyzeQuestion, termStatsFromHits, type TermStats } from './query-terms.ts';
import { cosine, embedText } from '../../retrieval/embedder.ts';
import { guessLanguage } from '../../retrieval/text.ts';

export interface ExtractiveInput {
  question: string;
  /** search hits, best first */
  hits: readonly AnswerHit[];
  /** language of the reply */
  language: Language;
  /** 'relaxed' also answers on weaker evidence, flagged as such (reason 'weak_evidence') */
  strictness: Strictness;
  /**
   * document frequencies of the searched collection (termStatsFromIndex of the index the hits came from): they
   * weight coverage by idf and reveal question terms the documents never use. Without them they are estimated from
   * the hits (termStatsFromHits), which bench/answer measures as somewhat less reliable.
   */
  termStats?: TermStats;
}

export type AnswerReason =
  'answered' | 'weak_evidence' | 'not_in_documents' | 'no_hits' | 'no_question_terms';

export interface ExtractiveAnswer {
  /** true when the text quotes the documents (answered, or relaxed with weak evidence) */
  grounded: boolean;
  text: string;
  citations: Citation[];
  /** 0..1: how strongly the evidence says the quoted passage answers the question */
  confidence: number;
  reason: AnswerReason;
  /** the measurements behind the decision (null when there was nothing to measure) */
  evidence: Evidence | null;
}

/** Cosine of the question and the quoted text, when both are English with known words (else null). */
function quoteCosine(
  question: string,
  hits: readonly AnswerHit[],
  analyses: readonly HitAnalysis[],
  chosen: readonly Sentence[],
): number | null {
  if (chosen.length === 0 || chosen.some((s) => analyses[s.hitIndex]!.language !== 'en')) return null;
  const q = embedText(question);
  const p = embedText(chosen.map((s) => hits[s.hitIndex]!.text.slice(s.start, s.end)).join(' '));
  if (!q.some((x) => x !== 0) || !p.some((x) => x !== 0)) return null;
  return cosine(q, p);
}

/** Consecutive chosen sentences of one chunk become one quote: the text between them is the chunk's own. */
function toQuotes(sentences: readonly Sentence[]): { hitIndex: number; start: number; end: number }[] {
  const out: { hitIndex: number; start: number; end: number; ordinal: number }[] = [];
  for (const s of sentences) {
    const last = out[out.length - 1];
    if (last && last.hitIndex === s.hitIndex && s.ordinal === last.ordinal + 1) {
      last.end = s.end;
      last.ordinal = s.ordinal;
    } else out.push({ hitIndex: s.hitIndex, start: s.start, end: s.end, ordinal: s.ordinal });
  }
  return out;
}

function blockquote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function refusal(reason: AnswerReason, language: Language, evidence: Evidence | null, confidence = 0) {
  const m = ANSWER_MESSAGES[language];
  const text = reason === 'no_hits' ? m.noHits : reason === 'no_question_terms' ? m.noQuestion : m.notFound;
  return { grounded: false, text, citations: [], confidence, reason, evidence } satisfies ExtractiveAnswer;
}

export function extractiveAnswer(input: ExtractiveInput): ExtractiveAnswer {
  const { question, language, strictness } = input;
  const hits = input.hits.slice(0, CANDIDATE_HITS);
  if (hits.length === 0) return refusal('no_hits', language, null);
  const termStats = input.termStats ?? termStatsFromHits(input.hits);
  const languages = [...new Set(hits.map((h) => guessLanguage(h.text, language)))];
  const terms = analyzeQuestion(question, languages, termStats);
  if (terms.length === 0) return refusal('no_question_terms', language, null);

  const preferNumbers = asksForNumber(question);
  const analyses = hits.map((h, i) => analyzeHit(h, i, terms, language, preferNumbers));
  const chosen = choosePassage(analyses, terms);
  const evidence = gatherEvidence(
    terms,
    input.hits,
    analyses,
    chosen,
    quoteCosine(question, hits, analyses, chosen),
  );
  const decision = decide(evidence, strictness);
  if (chosen.length === 0 || !decision.answer) {
    return refusal('not_in_documents', language, evidence, decision.confidence);
  }

  const citations: Citation[] = toQuotes(chosen).map((q, i) => {
    const hit = hits[q.hitIndex]!;
    return {
      n: i + 1,
      chunkId: hit.chunkId,
      documentId: hit.documentId,
      documentTitle: hit.documentTitle,
      page: hit.page,
      quote: hit.text.slice(q.start, q.end),
      charStart: hit.charStart + q.start,
      charEnd: hit.charStart + q.end,
    };
  });
  const m = ANSWER_MESSAGES[language];
  const body = citations.map((c) => `${blockquote(c.quote)} [${c.n}]`).join('\n\n');
  return {
    grounded: true,
    text: `${decision.strong ? m.intro : m.weakIntro}\n\n${body}`,
    citations,
    confidence: decision.confidence,
    reason: decision.strong ? 'answered' : 'weak_evidence',
    evidence,
  };
}
