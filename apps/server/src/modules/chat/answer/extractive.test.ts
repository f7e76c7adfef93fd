import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANSWER_MESSAGES } from './answer.messages.ts';
import { buildKnowledge, EN_PAGES, ID_PAGES } from './answer.fixtures.ts';
import type { AnswerHit } from './answer.types.ts';
import { decide, evidenceScore, RELAXED_THRESHOLD, STRICT_THRESHOLD, type Evidence } from './evidence.ts';
import { extractiveAnswer, type ExtractiveAnswer } from './extractive.ts';

const en = buildKnowledge(EN_PAGES, 'en');
const id = buildKnowledge(ID_PAGES, 'id');

function ask(
  kb: typeof en,
  question: string,
  language: 'en' | 'id' = 'en',
  strictness: 'strict' | 'relaxed' = 'strict',
) {
  return extractiveAnswer({
    question,
    hits: kb.search(question),
    language,
    strictness,
    termStats: kb.termStats,
  });
}

/** Every citation must quote its page verbatim at the offsets it gives, and the text must carry its marker. */
function assertVerbatim(kb: typeof en, a: ExtractiveAnswer) {
  for (const c of a.citations) {
    assert.equal(kb.pageText(c.documentId).slice(c.charStart, c.charEnd), c.quote);
    assert.ok(
      a.text.includes(`${c.quote.split('\n').join('\n> ')} [${c.n}]`),
      `marker [${c.n}] after its quote`,
    );
  }
  assert.deepEqual(
    a.citations.map((c) => c.n),
    a.citations.map((_, i) => i + 1),
  );
}

describe('extractiveAnswer: answers from the documents', () => {
  it('quotes the sentence that answers, verbatim, with page offsets for highlighting', () => {
    const a = ask(en, 'How long is the loan period?');
    assert.equal(a.reason, 'answered');
    assert.equal(a.grounded, true);
    assert.ok(a.confidence >= 0.5);
    const first = a.citations[0]!;
    assert.equal(first.documentId, 'doc_loans');
    assert.equal(first.documentTitle, 'Gold Pawn Loan Terms');
    assert.equal(first.page, 2);
    assert.match(first.quote, /^The loan period is 120 days/);
    // The chunk starts after the page's heading paragraph: offsets are page offsets, not chunk offsets.
    assert.ok(first.charStart > EN_PAGES[0]!.text.indexOf('A gold pawn loan'));
    assertVerbatim(en, a);
    assert.ok(a.text.startsWith(ANSWER_MESSAGES.en.intro));
  });

  it('quotes 1–3 sentences, from several documents when the question spans them', () => {
    for (const q of [
      'What are the opening hours on Saturday?',
      'Can I pay instalments in the app?',
      'How is my gold valued?',
    ]) {
      const a = ask(en, q);
      assert.equal(a.grounded, true, q);
      const sentences = a.citations.flatMap((c) => c.quote.match(/[.!?](\s|$)/g) ?? []);
      assert.ok(sentences.length >= 1 && sentences.length <= 3, `${q}: ${a.citations.length} quotes`);
      assertVerbatim(en, a);
    }
  });

  it('finds the answer phrased in other words than the question (soft match: rate ~ interest)', () => {
    const a = ask(en, 'What is the interest rate?', 'en', 'relaxed');
    assert.equal(a.grounded, true);
    assert.ok(a.citations.some((c) => c.quote.includes('1.2% per 15 days')));
  });
});

describe('extractiveAnswer: says so when the documents do not hold the answer', () => {
  for (const q of [
    'What is the capital of France?',
    'How do I bake bread?',
    'Can I pawn my car?',
    'Do you offer home mortgages?',
  ]) {
    it(`refuses "${q}" instead of quoting its best match`, () => {
      const hits = en.search(q);
      const a = extractiveAnswer({
        question: q,
        hits,
        language: 'en',
        strictness: 'strict',
        termStats: en.termStats,
      });
      assert.equal(a.grounded, false);
      assert.equal(a.citations.length, 0);
      assert.equal(a.text, hits.length ? ANSWER_MESSAGES.en.notFound : ANSWER_MESSAGES.en.noHits);
      assert.ok(a.confidence < 0.5);
    });
  }

  it('refuses with no hits and with a question that has no content words', () => {
    const none = extractiveAnswer({
      question: 'loan',
      hits: [],
      language: 'en',
      strictness: 'relaxed',
      termStats: en.termStats,
    });
    assert.equal(none.reason, 'no_hits');
    const hello = extractiveAnswer({
      question: 'hello, how are you?',
      hits: en.search('loan period'),
      language: 'en',
      strictness: 'relaxed',
      termStats: en.termStats,
    });
    assert.equal(hello.reason, 'no_question_terms');
    assert.equal(hello.text, ANSWER_MESSAGES.en.noQuestion);
  });

  it('a term the documents never use lowers the evidence for the same passage', () => {
    const base = ask(en, 'What happens to the surplus after an auction?');
    const extra = ask(en, 'What happens to the surplus after an auction of cryptocurrency?');
    assert.ok(base.evidence && extra.evidence);
    assert.ok(extra.evidence.unseenShare > base.evidence.unseenShare);
    assert.ok(extra.confidence < base.confidence);
  });
});

describe('strict and relaxed decisions', () => {
  const evidence = (chunkCoverage: number, more: Partial<Evidence> = {}): Evidence => ({
    queryTerms: 3,
    quoteCoverage: chunkCoverage,
    chunkCoverage,
    matchedTerms: 2,
    unseenShare: 0,
    margin: 0.5,
    vectorTop: null,
    quoteCosine: null,
    vectorRankTop: null,
    ...more,
  });

  it('relaxed answers evidence between the two thresholds, flagged as weak; strict refuses it', () => {
    const mid = Array.from({ length: 101 }, (_, i) => evidence(i / 100)).find((e) => {
      const s = evidenceScore(e);
      return s >= RELAXED_THRESHOLD && s < STRICT_THRESHOLD;
    });
    assert.ok(mid, 'some coverage gives middling evidence');
    assert.deepEqual(decide(mid, 'strict').answer, false);
    assert.deepEqual(
      { answer: decide(mid, 'relaxed').answer, strong: decide(mid, 'relaxed').strong },
      { answer: true, strong: false },
    );
    const full = evidence(1);
    assert.equal(decide(full, 'strict').strong, true);
    assert.equal(
      decide(evidence(1, { matchedTerms: 0 }), 'relaxed').answer,
      false,
      'nothing quoted, nothing answered',
    );
  });

  it('evidence rises with coverage and cosine and falls with missing terms', () => {
    assert.ok(evidenceScore(evidence(0.8)) > evidenceScore(evidence(0.4)));
    assert.ok(
      evidenceScore(evidence(0.6, { quoteCosine: 0.8 })) > evidenceScore(evidence(0.6, { quoteCosine: 0.2 })),
    );
    assert.ok(evidenceScore(evidence(0.6, { unseenShare: 0.4 })) < evidenceScore(evidence(0.6)));
  });

  it('a partly covered question: strict refuses, relaxed quotes verbatim and says it may not answer', () => {
    // "online" is in no document; extending a loan is.
    const q = 'Can I extend my loan online?';
    const strict = ask(en, q, 'en', 'strict');
    const relaxed = ask(en, q, 'en', 'relaxed');
    assert.equal(strict.grounded, false);
    assert.equal(strict.text, ANSWER_MESSAGES.en.notFound);
    assert.equal(relaxed.confidence, strict.confidence);
    assert.equal(relaxed.reason, 'weak_evidence');
    assert.ok(relaxed.text.startsWith(ANSWER_MESSAGES.en.weakIntro));
    assert.ok(relaxed.citations.length > 0);
    assertVerbatim(en, relaxed);
  });
});

describe('extractiveAnswer: Indonesian', () => {
  it('answers an Indonesian question from Indonesian documents, in Indonesian', () => {
    const a = ask(id, 'Jam berapa cabang buka hari Sabtu?', 'id');
    assert.equal(a.reason, 'answered');
    assert.ok(a.text.startsWith(ANSWER_MESSAGES.id.intro));
    assert.ok(a.citations.some((c) => c.quote.includes('Sabtu cabang buka pukul 08.00 sampai 12.00')));
    assert.equal(a.evidence?.quoteCosine, null, 'no word vectors for Indonesian: lexical evidence only');
    assertVerbatim(id, a);
  });

  it('refuses an unrelated Indonesian question with the Indonesian message', () => {
    for (const q of ['Apakah bisa gadai mobil?', 'Berapa kurs dolar hari ini?']) {
      const a = ask(id, q, 'id');
      assert.equal(a.grounded, false, q);
      assert.equal(a.text, ANSWER_MESSAGES.id.notFound);
    }
  });
});

describe('extractiveAnswer: hit shapes', () => {
  it('works on hits without page or vector scores (keyword search, plain text documents)', () => {
    const hits: AnswerHit[] = en
      .search('How long does the appraisal take?', { mode: 'keyword' })
      .map((h) => ({
        ...h,
        page: null,
        scores: { bm25: h.scores.bm25, fused: h.scores.fused },
      }));
    const a = extractiveAnswer({
      question: 'How long does the appraisal take?',
      hits,
      language: 'en',
      strictness: 'strict',
      termStats: en.termStats,
    });
    assert.equal(a.grounded, true);
    assert.ok(a.citations[0]!.quote.includes('fifteen minutes'));
    assert.equal(a.citations[0]!.page, null);
  });
});
