import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitSentences } from './sentences.ts';

const split = (text: string, max?: number) =>
  splitSentences(text, 'en', max).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('splits ordinary prose and keeps offsets exact', () => {
    const text = '  Our branches open at 08:00. They close at 15:00!  Do they open on Sunday? No.';
    const spans = splitSentences(text, 'en');
    assert.deepEqual(
      spans.map((s) => text.slice(s.start, s.end)),
      ['Our branches open at 08:00.', 'They close at 15:00!', 'Do they open on Sunday?', 'No.'],
    );
    assert.equal(spans[0]!.start, 2);
  });

  it('keeps abbreviations and decimal numbers inside their sentence', () => {
    assert.deepEqual(split('Dr. Smith charges 1.2% per month. Ask e.g. a clerk.'), [
      'Dr. Smith charges 1.2% per month.',
      'Ask e.g. a clerk.',
    ]);
  });

  it('splits lowercase text at a stop preceded by a space (tokenised corpora)', () => {
    assert.deepEqual(split('flow past a flat plate . the boundary layer thickens . results agree.'), [
      'flow past a flat plate .',
      'the boundary layer thickens .',
      'results agree.',
    ]);
  });

  it('joins a line wrapped inside a sentence but not separate lines', () => {
    assert.deepEqual(split('The loan period is 120\ndays and can be extended.\nBring your ID card'), [
      'The loan period is 120\ndays and can be extended.',
      'Bring your ID card',
    ]);
  });

  it('cuts an over-long sentence at spaces, every piece within the limit', () => {
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const pieces = split(text, 100);
    assert.ok(pieces.length > 1);
    for (const p of pieces) assert.ok(p.length <= 100, p);
    assert.equal(pieces.join(' '), text);
  });

  it('splits Indonesian text', () => {
    const text = 'Cabang buka pukul 08.00 sampai 15.00. Pada hari Minggu cabang tutup.';
    assert.deepEqual(
      splitSentences(text, 'id').map((s) => text.slice(s.start, s.end)),
      ['Cabang buka pukul 08.00 sampai 15.00.', 'Pada hari Minggu cabang tutup.'],
    );
  });
});
