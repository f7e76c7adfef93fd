import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTokens } from '../../knowledge/parsing/chunk.ts';
import { buildKnowledge, EN_PAGES } from './answer.fixtures.ts';
import { assembleContext, countPromptTokens, truncateToTokens, type HistoryTurn } from './context.ts';
import { MODE_PROMPTS } from './prompts.ts';

const kb = buildKnowledge(EN_PAGES, 'en');
const question = 'How long is the loan period and can I extend it?';
const hits = kb.search(question, { topK: 6 });
const systemText = (c: ReturnType<typeof assembleContext>) => c.messages[0]!.content as string;

/** Alternating turns, oldest first, each about `words` words long and numbered so order can be checked. */
function history(turns: number, words = 60): HistoryTurn[] {
  return Array.from({ length: turns }, (_, i) => ({
    role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: `turn ${i}: ${'gold loan interest branch '.repeat(words / 4).trim()}`,
  }));
}

describe('assembleContext', () => {
  it('builds system (mode prompt, own prompt, profile, numbered sources), history, then the question', () => {
    const c = assembleContext({
      mode: 'chat',
      systemPrompt: "You are Kawan Gadai's assistant. Be friendly.",
      businessProfile: {
        name: 'Kawan Gadai',
        hours: 'Mon–Fri 08:00–15:00',
        phone: '+62 21 555 0101',
        facts: { 'Payment methods': 'cash, bank transfer' },
      },
      hits,
      history: history(2),
      question,
      budgetTokens: 4000,
      language: 'en',
    });
    assert.deepEqual(
      c.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user'],
    );
    assert.equal(c.messages.at(-1)!.content, question);
    const sys = systemText(c);
    assert.ok(sys.startsWith(MODE_PROMPTS.chat));
    assert.match(sys, /Kawan Gadai's assistant/);
    assert.match(sys, /Opening hours: Mon–Fri 08:00–15:00/);
    assert.match(sys, /Payment methods: cash, bank transfer/);
    assert.match(sys, /cite them .*\[1\]/i);
    assert.match(sys, /do not contain the answer|documents do not cover it/);
    // Every hit fits: numbered in rank order as "[n] title, p. X: text".
    assert.equal(c.sources.length, hits.length);
    c.sources.forEach((s, i) => {
      assert.equal(s.n, i + 1);
      assert.equal(s.chunkId, hits[i]!.chunkId);
      assert.ok(sys.includes(`[${s.n}] ${hits[i]!.documentTitle}, p. ${hits[i]!.page}: ${hits[i]!.text}`));
    });
    assert.equal(c.droppedTurns, 0);
    assert.equal(c.droppedSources, 0);
    assert.equal(c.tokens, countPromptTokens(c.messages));
    assert.ok(c.tokens <= 4000);
  });

  it('drops the oldest turns first when the budget is tight, keeps the newest contiguous, and counts the dropped', () => {
    const turns = history(12);
    const full = assembleContext({
      mode: 'chat',
      hits,
      history: turns,
      question,
      budgetTokens: 100_000,
      language: 'en',
    });
    assert.equal(full.droppedTurns, 0);
    const budget = full.tokens - 3 * countTokens(turns[0]!.content);
    const c = assembleContext({
      mode: 'chat',
      hits,
      history: turns,
      question,
      budgetTokens: budget,
      language: 'en',
    });
    assert.ok(c.tokens <= budget, `${c.tokens} ≤ ${budget}`);
    assert.ok(c.droppedTurns > 0);
    const kept = c.messages.slice(1, -1).map((m) => m.content as string);
    assert.equal(kept.length, turns.length - c.droppedTurns);
    assert.deepEqual(
      kept,
      turns.slice(c.droppedTurns).map((t) => t.content),
    );
  });

  it('keeps sources within their share, cutting only the first when even it does not fit', () => {
    const roomy = assembleContext({
      mode: 'chat',
      hits,
      history: [],
      question,
      budgetTokens: 100_000,
      language: 'en',
    });
    const tight = assembleContext({
      mode: 'chat',
      hits,
      history: history(8),
      question,
      budgetTokens: roomy.tokens - 150,
      language: 'en',
    });
    assert.ok(tight.sources.length >= 1 && tight.sources.length < hits.length);
    assert.equal(tight.droppedSources, hits.length - tight.sources.length);
    assert.ok(tight.tokens <= roomy.tokens - 150);

    const longHit = { ...hits[0]!, text: 'The loan period is 120 days. '.repeat(200) };
    const cut = assembleContext({
      mode: 'chat',
      hits: [longHit],
      history: [],
      question,
      budgetTokens: 600,
      language: 'en',
    });
    assert.equal(cut.sources.length, 1);
    assert.ok(cut.sources[0]!.text.endsWith('…'));
    assert.ok(longHit.text.startsWith(cut.sources[0]!.text.slice(0, -1)));
    assert.ok(cut.tokens <= 600);
  });

  it('code modes demand fenced code blocks with a language tag; replies follow the language', () => {
    for (const mode of ['code', 'debug', 'explain', 'optimize'] as const) {
      const c = assembleContext({
        mode,
        hits: [],
        history: [],
        question: 'fix: const x = arr[1',
        budgetTokens: 2000,
        language: 'id',
      });
      const sys = systemText(c);
      assert.match(sys, /fenced code blocks with a language tag/, mode);
      assert.match(sys, /Reply in Indonesian/);
      assert.doesNotMatch(sys, /Sources:/);
    }
    const chat = assembleContext({
      mode: 'chat',
      hits: [],
      history: [],
      question: 'x',
      budgetTokens: 2000,
      language: 'en',
    });
    assert.match(systemText(chat), /No source in the documents matched/);
  });

  it('never drops the prompt or the question, even over budget', () => {
    const c = assembleContext({
      mode: 'chat',
      hits,
      history: history(4),
      question,
      budgetTokens: 10,
      language: 'en',
    });
    assert.equal(c.messages.length, 2);
    assert.equal(c.messages[1]!.content, question);
    assert.equal(c.sources.length, 0);
    assert.equal(c.droppedTurns, 4);
  });
});

describe('truncateToTokens', () => {
  it('cuts at a word boundary within the budget and leaves short text alone', () => {
    const text = 'Interest is charged at 1.2% per 15 days, so you only pay for the days you use.';
    assert.equal(truncateToTokens(text, 100), text);
    const cut = truncateToTokens(text, 8);
    assert.ok(countTokens(cut) <= 8);
    assert.ok(cut.endsWith('…'));
    assert.ok(text.startsWith(cut.slice(0, -1)));
    assert.match(cut.slice(0, -1), /\S$/);
  });
});
