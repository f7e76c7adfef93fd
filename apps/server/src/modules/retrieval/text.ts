// Text analysis shared by indexing, querying and the embedder: tokenizer, stop words, stemming, language guess.
import { createRequire } from 'node:module';
import {
  ENGLISH_MARKERS,
  ENGLISH_STOP_WORDS,
  INDONESIAN_MARKERS,
  INDONESIAN_STOP_WORDS,
} from './stopwords.ts';

export { ENGLISH_STOP_WORDS, INDONESIAN_STOP_WORDS } from './stopwords.ts';

export type Language = 'en' | 'id';
export const LANGUAGES: readonly Language[] = ['en', 'id'];

// Both stemmers are CommonJS without usable ESM typings; require keeps the types honest in one place.
const require = createRequire(import.meta.url);
const porter2 = require('wink-porter2-stemmer') as (word: string) => string;
const { Stemmer: SastrawiStemmer } = require('sastrawijs') as {
  Stemmer: new () => { stem(word: string): string };
};
let sastrawi: { stem(word: string): string } | undefined;

// Decimal numbers stay whole ("2.5", "1,000"); words keep inner apostrophes ("don't") so stop words match.
const TOKEN_RE = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu;
const MARKS_RE = /\p{M}+/gu;
const APOSTROPHES_RE = /[\u2019\u02bc`\u00b4]/g;
const HAS_DIGIT_RE = /\p{N}/u;
// eslint-disable-next-line no-control-regex
const ASCII_RE = /^[\x00-\x7f]*$/;

/**
 * Splits text into lowercase tokens: Unicode letters and digits, diacritics folded ("café" → "cafe"),
 * hyphenated words split, possessive 's dropped, decimal numbers kept as one token.
 */
export function tokenize(text: string): string[] {
  // Plain ASCII (most text) needs no Unicode folding.
  const folded = ASCII_RE.test(text)
    ? text.toLowerCase()
    : text.normalize('NFKD').replace(MARKS_RE, '').replace(APOSTROPHES_RE, "'").toLowerCase();
  const out: string[] = [];
  for (const m of folded.matchAll(TOKEN_RE)) {
    let t = m[0];
    if (t.endsWith("'s")) t = t.slice(0, -2);
    if (t) out.push(t);
  }
  return out;
}

export function isStopWord(token: string, language: Language): boolean {
  return language === 'id' ? INDONESIAN_STOP_WORDS.has(token) : ENGLISH_STOP_WORDS.has(token);
}

// Stemming is the costliest step of analysis and vocabularies are Zipfian: a bounded memo pays off.
const STEM_CACHE_LIMIT = 200_000;
const stemCache: Record<Language, Map<string, string>> = { en: new Map(), id: new Map() };

/** Porter2 for English, Sastrawi for Indonesian; tokens with digits are kept as they are. */
export function stem(token: string, language: Language): string {
  const cache = stemCache[language];
  const hit = cache.get(token);
  if (hit !== undefined) return hit;
  let out = token;
  if (!HAS_DIGIT_RE.test(token) && token.length > 2) {
    if (language === 'en') {
      out = porter2(token.replace(/'/g, ''));
    } else {
      sastrawi ??= new SastrawiStemmer();
      out = sastrawi.stem(token.replace(/'/g, ''));
    }
    if (!out) out = token;
  }
  if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
  cache.set(token, out);
  return out;
}

/** Index terms of a text in one language: tokens minus stop words, stemmed. */
export function analyze(text: string, language: Language): string[] {
  const out: string[] = [];
  for (const t of tokenize(text)) {
    if (!isStopWord(t, language)) out.push(stem(t, language));
  }
  return out;
}

export interface QueryToken {
  /** the surface token (lowercase, folded) */
  token: string;
  /** one stem per analysed language, deduplicated (usually one) */
  stems: string[];
}

/**
 * Analyses a query with every language the index holds (a short query's language cannot be guessed reliably):
 * a token is dropped when it is a stop word in all of them, and gets one stem per language otherwise.
 */
export function analyzeQuery(text: string, languages: readonly Language[]): QueryToken[] {
  const langs = languages.length ? languages : (['en'] as const);
  const out: QueryToken[] = [];
  for (const token of tokenize(text)) {
    const stems: string[] = [];
    for (const lang of langs) {
      if (isStopWord(token, lang)) continue;
      const s = stem(token, lang);
      if (!stems.includes(s)) stems.push(s);
    }
    // A word that is a stop word in one of several index languages but content in another keeps that stem.
    if (stems.length) out.push({ token, stems });
  }
  return out;
}

/**
 * Cheap document language guess from marker stop words (stop words of one language that are not stop words of
 * the other). Reliable on paragraphs; on a handful of words it falls back to `fallback`.
 */
export function guessLanguage(text: string, fallback: Language = 'en'): Language {
  return guessLanguageOfTokens(tokenize(text), fallback);
}

/** guessLanguage over already tokenized text (the first 2,000 tokens are enough). */
export function guessLanguageOfTokens(tokens: readonly string[], fallback: Language = 'en'): Language {
  let en = 0;
  let id = 0;
  const n = Math.min(tokens.length, 2000);
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (ENGLISH_MARKERS.has(t)) en++;
    else if (INDONESIAN_MARKERS.has(t)) id++;
  }
  if (en + id < 2) return fallback;
  if (id > en * 1.2) return 'id';
  if (en > id * 1.2) return 'en';
  return fallback;
}
