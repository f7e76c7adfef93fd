// The question as weighted content terms, and term matching inside passages: the evidence the extractive
// responder decides on. Same analysis as retrieval (retrieval/text.ts), so "matched" here means what search meant.
import { bm25Idf } from '../../retrieval/bm25.ts';
import type { RetrievalIndex } from '../../retrieval/engine.ts';
import { isStopWord, LANGUAGES, stem, tokenize, type Language } from '../../retrieval/text.ts';

/** Document frequencies of the collection searched (stems as index terms): makes coverage idf-weighted. */
export interface TermStats {
  docCount: number;
  /** chunks containing the stem (0 when the collection never uses it) */
  docFreq(term: string): number;
}

/** Term statistics of a retrieval index (the one the hits came from). */
export function termStatsFromIndex(index: RetrievalIndex): TermStats {
  return {
    docCount: index.liveCount,
    docFreq: (term) => {
      const id = index.termIds.get(term);
      return id === undefined ? 0 : (index.postings[id]?.length ?? 0);
    },
  };
}

/**
 * Fallback statistics from the hits alone, when the collection's are not at hand: document frequency within the
 * hits (a term in none of the best lexical matches is very likely in no chunk at all), hits as the collection.
 * Measured in bench/answer against the real statistics; pass termStatsFromIndex when possible.
 */
export function termStatsFromHits(hits: readonly { text: string; documentTitle?: string }[]): TermStats {
  const df = new Map<string, number>();
  for (const h of hits) {
    const terms = new Set<string>();
    for (const t of tokenize(`${h.documentTitle ?? ''}\n${h.text}`)) {
      for (const l of LANGUAGES) if (!isStopWord(t, l)) terms.add(stem(t, l));
    }
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return { docCount: hits.length, docFreq: (term) => df.get(term) ?? 0 };
}

// Request phrasing that carries no topic ("please explain …", "tolong jelaskan …"): left out of coverage so a
// politely worded question is not judged as less covered. Search itself still sees every word.
const REQUEST_WORDS: Record<Language, ReadonlySet<string>> = {
  en: new Set(
    'please tell explain describe give show list know want need help find get like thanks thank hi hello hey kindly happen happens happened mean means'.split(
      ' ',
    ),
  ),
  id: new Set(
    'tolong mohon jelaskan jelaskanlah sebutkan berikan beri kasih tahu ingin minta bantu bantuan cari halo hai terima kak min gan'.split(
      ' ',
    ),
  ),
};

// "How long", "how much", "berapa lama": the second word asks for a quantity; the answer states it ("120 days")
// without repeating the word.
const QUANTITY_WORDS: Record<Language, { after: string; words: ReadonlySet<string> }> = {
  en: {
    after: 'how',
    words: new Set('long much many often far old big large soon late early fast'.split(' ')),
  },
  id: { after: 'berapa', words: new Set('lama banyak jauh sering besar cepat'.split(' ')) },
};

export interface QueryTerm {
  /** surface token of the question */
  token: string;
  /** stem per analysed language (deduplicated) */
  stems: string[];
  /** idf of the term in the searched collection (a term the collection never uses weighs as its rarest term) */
  weight: number;
  /** chunks of the collection that contain it (−1 when no statistics were given) */
  docFreq: number;
}

/**
 * Content terms of a question for the given languages, one entry per distinct stem set. A token that is a stop
 * word or request word in ANY of the languages is left out (a bilingual index would otherwise count English
 * "what" as Indonesian content). Without statistics every term weighs 1.
 */
export function analyzeQuestion(
  question: string,
  languages: readonly Language[],
  stats?: TermStats,
): QueryTerm[] {
  const langs = languages.length ? languages : LANGUAGES;
  const out: QueryTerm[] = [];
  const seen = new Set<string>();
  const tokens = tokenize(question);
  for (const [k, token] of tokens.entries()) {
    if (langs.some((l) => isStopWord(token, l) || REQUEST_WORDS[l].has(token))) continue;
    const prev = tokens[k - 1];
    if (langs.some((l) => prev === QUANTITY_WORDS[l].after && QUANTITY_WORDS[l].words.has(token))) continue;
    const stems = [...new Set(langs.map((l) => stem(token, l)))];
    const key = stems.join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    let weight = 1;
    let docFreq = -1;
    if (stats) {
      docFreq = Math.max(...stems.map((s) => stats.docFreq(s)));
      // An unseen term is at least as specific as the rarest seen one: the collection lacks what was asked.
      weight = bm25Idf(Math.max(stats.docCount, 1), Math.max(docFreq, 1));
    }
    out.push({ token, stems, weight, docFreq });
  }
  return out;
}

/** Positions (token index) of each query term in a tokenised passage; terms are matched by stem. */
export function matchTerms(
  tokens: readonly string[],
  language: Language,
  terms: readonly QueryTerm[],
): number[][] {
  const byStem = new Map<string, number[]>();
  terms.forEach((t, i) => t.stems.forEach((s) => byStem.set(s, [...(byStem.get(s) ?? []), i])));
  const positions: number[][] = terms.map(() => []);
  tokens.forEach((tok, pos) => {
    if (isStopWord(tok, language)) return;
    for (const i of byStem.get(stem(tok, language)) ?? []) positions[i]!.push(pos);
  });
  return positions;
}

/** Share of the query's weight covered, each term counting with its credit (1 = present, 0 = absent), 0..1. */
export function creditCoverage(terms: readonly QueryTerm[], credits: readonly number[]): number {
  const total = terms.reduce((s, t) => s + t.weight, 0);
  if (total <= 0) return 0;
  return terms.reduce((s, t, i) => s + t.weight * (credits[i] ?? 0), 0) / total;
}

/**
 * How tightly the matched terms sit together: (m − 1) / (span − 1) over the smallest token window that holds one
 * occurrence of each of the m matched terms (1 for adjacent terms, → 0 when spread out; 1 when m ≤ 1).
 */
export function proximity(positions: readonly number[][]): number {
  const lists = positions.filter((p) => p.length > 0);
  if (lists.length <= 1) return 1;
  const events = lists.flatMap((p, term) => p.map((pos) => ({ pos, term }))).sort((a, b) => a.pos - b.pos);
  const count = new Array<number>(lists.length).fill(0);
  let have = 0;
  let best = Infinity;
  let left = 0;
  for (const e of events) {
    if (count[e.term]!++ === 0) have++;
    while (have === lists.length) {
      const l = events[left]!;
      best = Math.min(best, e.pos - l.pos + 1);
      if (--count[l.term]! === 0) have--;
      left++;
    }
  }
  return Math.min(1, (lists.length - 1) / Math.max(best - 1, 1));
}
