// Synthetic English text for the ingestion and search benches: words of the embedder's own vocabulary drawn from a
// Zipf law and grouped in topics (as bench/retrieval/scale.ts does), with stop words and sentence ends, so the
// tokenizer, chunker, BM25 postings and sentence vectors all see something shaped like prose. Deterministic.
import { loadWordVectors } from '../../apps/server/src/modules/retrieval/embedder.ts';

/** mulberry32: a small seeded PRNG, so every run generates the same text. */
export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STOP = ['the', 'of', 'and', 'to', 'in', 'a', 'is', 'for', 'that', 'with', 'on', 'as', 'by', 'it'];

export interface Corpus {
  rand: () => number;
  topics: string[][];
  /** A sentence of `n` words (capitalised, ending with a full stop) mixing a topic's pool and the general law. */
  sentence(topic: number, n: number): string;
  /** A query of 2–6 content words, mostly from one topic (what someone looking for that topic would type). */
  query(): string;
}

export function makeCorpus(seed: number, topicCount: number): Corpus {
  const rand = prng(seed);
  const vocab = loadWordVectors().words.filter((w) => /^[a-z]{3,}$/.test(w));
  // Zipf over ranks via the inverse of the harmonic CDF approximation.
  const zipf = () =>
    vocab[Math.min(vocab.length - 1, Math.floor(Math.exp(rand() * Math.log(vocab.length)) - 1))]!;
  const topics = Array.from({ length: topicCount }, () =>
    Array.from({ length: 300 }, () => vocab[150 + Math.floor(rand() * 15_000)]!),
  );
  const word = (topic: number) => {
    const r = rand();
    if (r < 0.3) return STOP[Math.floor(rand() * STOP.length)]!;
    if (r < 0.55) return topics[topic]![Math.floor(rand() * 300)]!;
    return zipf();
  };
  return {
    rand,
    topics,
    sentence(topic, n) {
      const words = Array.from({ length: n }, () => word(topic));
      words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
      return `${words.join(' ')}.`;
    },
    query() {
      const topic = topics[Math.floor(rand() * topics.length)]!;
      const n = 2 + Math.floor(rand() * 5);
      return Array.from({ length: n }, () => (rand() < 0.7 ? topic[Math.floor(rand() * 300)]! : zipf())).join(
        ' ',
      );
    },
  };
}

/** Fills lines of at most `width` characters from sentences of the corpus (for PDF pages). */
export function pageLines(c: Corpus, topic: number, lines: number, width = 88): string[] {
  const out: string[] = [];
  let line = '';
  while (out.length < lines) {
    for (const w of c.sentence(topic, 8 + Math.floor(c.rand() * 14)).split(' ')) {
      if (line && line.length + 1 + w.length > width) {
        out.push(line);
        line = '';
        if (out.length === lines) break;
      }
      line = line ? `${line} ${w}` : w;
    }
  }
  return out;
}
