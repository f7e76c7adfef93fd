import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chunkPages, countTokens, DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS, type Chunk } from './chunk.ts';

const sentences = [
  'Kawan answers questions from the documents a shop uploads.',
  'Each answer cites the page it came from, so customers can check it.',
  'Pengiriman dilakukan setiap hari kerja dari gudang di Jakarta.',
  'Returns are accepted within thirty days when the item is unused and in its box.',
  'Pembayaran dapat dilakukan dengan transfer bank atau dompet digital.',
  'Support replies within one business day, including public holidays in Indonesia.',
];

/** Deterministic prose: paragraphs of 3–6 sentences. */
function prose(paragraphs: number, seed = 1): string {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: string[] = [];
  for (let p = 0; p < paragraphs; p++) {
    const n = 3 + Math.floor(rnd() * 4);
    out.push(Array.from({ length: n }, () => sentences[Math.floor(rnd() * sentences.length)]).join(' '));
  }
  return out.join('\n\n');
}

function checkInvariants(pages: { page: number; text: string }[], chunks: Chunk[], maxTokens: number) {
  const byPage = new Map(pages.map((p) => [p.page, p.text]));
  chunks.forEach((c, i) => {
    assert.equal(c.ordinal, i);
    const text = byPage.get(c.page)!;
    assert.equal(text.slice(c.charStart, c.charEnd), c.text, `chunk ${i} text equals its page slice`);
    assert.ok(c.tokenCount <= maxTokens, `chunk ${i} has ${c.tokenCount} > ${maxTokens} tokens`);
    assert.equal(c.tokenCount, countTokens(c.text));
    assert.ok(c.text.trim() === c.text && c.text.length > 0);
    // Never inside a word: the characters just outside the chunk are whitespace (or the page edge).
    assert.ok(c.charStart === 0 || /\s/.test(text[c.charStart - 1]!), `chunk ${i} starts mid-word`);
    assert.ok(c.charEnd === text.length || /\s/.test(text[c.charEnd]!), `chunk ${i} ends mid-word`);
  });
  // Coverage: every non-space character of every page is in some chunk.
  for (const p of pages) {
    const covered = new Uint8Array(p.text.length);
    for (const c of chunks.filter((x) => x.page === p.page)) covered.fill(1, c.charStart, c.charEnd);
    for (let k = 0; k < p.text.length; k++) {
      if (!/\s/.test(p.text[k]!)) assert.equal(covered[k], 1, `page ${p.page} char ${k} not covered`);
    }
  }
}

describe('chunkPages', () => {
  it('defaults to 400 tokens with 15 % overlap', () => {
    assert.equal(DEFAULT_MAX_TOKENS, 400);
    assert.equal(DEFAULT_OVERLAP_TOKENS, 60);
    const pages = [{ page: 1, text: prose(40) }];
    const chunks = chunkPages(pages);
    assert.ok(chunks.length > 3);
    checkInvariants(pages, chunks, 400);
  });

  it('round-trips offsets, respects maxTokens and never splits inside a word, across pages', () => {
    const pages = [
      { page: 1, text: `# Pengiriman\n\n${prose(6, 2)}` },
      { page: 2, text: prose(9, 3) },
      { page: 3, text: `Intro line.\n## Returns policy\n${prose(5, 4)}` },
    ];
    for (const [maxTokens, overlapTokens] of [
      [60, 10],
      [100, 15],
      [250, 0],
    ] as const) {
      const chunks = chunkPages(pages, { maxTokens, overlapTokens });
      checkInvariants(pages, chunks, maxTokens);
      assert.ok(chunks.some((c) => c.page === 3));
    }
  });

  it('overlaps consecutive chunks of a page by at most overlapTokens, at word boundaries', () => {
    const pages = [{ page: 1, text: prose(30, 5) }];
    const chunks = chunkPages(pages, { maxTokens: 120, overlapTokens: 18 });
    checkInvariants(pages, chunks, 120);
    let overlapped = 0;
    for (let i = 1; i < chunks.length; i++) {
      const [a, b] = [chunks[i - 1]!, chunks[i]!];
      assert.ok(b.charStart > a.charStart, 'progress');
      if (b.charStart < a.charEnd) {
        overlapped++;
        const shared = pages[0]!.text.slice(b.charStart, a.charEnd);
        assert.ok(countTokens(shared) <= 18, `overlap of ${countTokens(shared)} tokens`);
        assert.ok(a.text.endsWith(shared) && b.text.startsWith(shared));
      }
    }
    assert.ok(overlapped >= chunks.length / 2, `most chunks overlap (${overlapped}/${chunks.length - 1})`);
  });

  it('starts a chunk at each heading and keeps the nearest heading, across pages', () => {
    const pages = [
      {
        page: 1,
        text: `Preface without heading.\n\n# Shipping\n\n${prose(2, 6)}\n\n## Couriers\n\nJNE and SiCepat.`,
      },
      { page: 2, text: 'Continued on the next page.' },
    ];
    const chunks = chunkPages(pages, { maxTokens: 400 });
    checkInvariants(pages, chunks, 400);
    assert.equal(chunks[0]!.heading, undefined);
    assert.equal(chunks[0]!.text, 'Preface without heading.');
    assert.ok(chunks[1]!.text.startsWith('# Shipping'));
    assert.equal(chunks[1]!.heading, 'Shipping');
    assert.equal(chunks[2]!.text, '## Couriers\n\nJNE and SiCepat.');
    assert.equal(chunks[2]!.heading, 'Couriers');
    assert.equal(chunks[3]!.page, 2);
    assert.equal(chunks[3]!.heading, 'Couriers');
  });

  it('keeps paragraphs whole when they fit', () => {
    const para = (n: number) => `Paragraph ${n}. ${sentences.slice(0, 3).join(' ')}`;
    const text = [1, 2, 3, 4, 5].map(para).join('\n\n');
    const one = countTokens(para(1));
    const chunks = chunkPages([{ page: 1, text }], { maxTokens: one * 2 + 10, overlapTokens: 0 });
    for (const c of chunks) {
      assert.match(c.text, /^Paragraph \d\./);
      assert.match(c.text, /Jakarta\.$/);
    }
  });

  it('cuts over-long sentences between words and only a single giant word inside itself', () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const blob = 'QUJD'.repeat(400);
    const pages = [{ page: 1, text: `${long}\n\n${blob}` }];
    const chunks = chunkPages(pages, { maxTokens: 50, overlapTokens: 5 });
    for (const c of chunks) {
      assert.equal(pages[0]!.text.slice(c.charStart, c.charEnd), c.text);
      assert.ok(c.tokenCount <= 50);
      if (!c.text.includes('QUJD')) assert.match(c.text, /^word\d+( word\d+)*$/);
    }
    const blobChunks = chunks.filter((c) => c.text.includes('QUJD'));
    assert.ok(blobChunks.length > 1);
    // The blob's pieces follow each other without gaps or repeats (a blob has no word boundary to overlap at).
    const joined = blobChunks.map((c) => c.text.replace(/^[\s\S]*\s/, '')).join('');
    assert.ok(joined === blob, 'blob pieces rejoin to the blob');
  });

  it('stays fast on a 300 KB base64 blob (never tokenizes a giant word whole)', () => {
    const blob = Buffer.from(Array.from({ length: 225_000 }, (_, i) => (i * 7919) % 256)).toString('base64');
    const text = `Attachment follows.\n\n${blob}\n\nEnd of attachment.`;
    const started = performance.now();
    const chunks = chunkPages([{ page: 1, text }]);
    const ms = performance.now() - started;
    assert.ok(ms < 5000, `took ${ms} ms`);
    for (const c of chunks) {
      assert.equal(text.slice(c.charStart, c.charEnd), c.text);
      assert.ok(c.tokenCount <= 400);
    }
    assert.equal(chunks.at(-1)!.text.endsWith('End of attachment.'), true);
  });

  it('skips empty pages and handles CRLF-free whitespace-only text', () => {
    assert.deepEqual(
      chunkPages([
        { page: 1, text: '' },
        { page: 2, text: '  \n\n ' },
      ]),
      [],
    );
  });
});
