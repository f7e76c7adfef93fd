import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeQuery, guessLanguage, isStopWord, stem, tokenize } from './text.ts';

describe('tokenize', () => {
  it('lowercases, splits hyphens, keeps numbers and decimals, drops possessive s', () => {
    assert.deepEqual(tokenize("The DDC's high-speed flow at Mach 2.5 (1,000 m/s)"), [
      'the',
      'ddc',
      'high',
      'speed',
      'flow',
      'at',
      'mach',
      '2.5',
      '1,000',
      'm',
      's',
    ]);
  });

  it('is Unicode-aware: folds diacritics and typographic apostrophes, keeps non-Latin letters', () => {
    assert.deepEqual(tokenize('Café don’t naïve Ünïcode'), ['cafe', "don't", 'naive', 'unicode']);
    assert.deepEqual(tokenize('Москва 東京 2024'), ['москва', '東京', '2024']);
  });

  it('returns nothing for punctuation or empty text', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize(' ... !!! — '), []);
  });
});

describe('stop words and stemming', () => {
  it('knows English and Indonesian stop words separately', () => {
    assert.ok(isStopWord('the', 'en'));
    assert.ok(!isStopWord('the', 'id'));
    assert.ok(isStopWord('yang', 'id'));
    assert.ok(!isStopWord('yang', 'en'));
    assert.ok(!isStopWord('aircraft', 'en'));
  });

  it('stems English with Porter2', () => {
    assert.equal(stem('running', 'en'), 'run');
    assert.equal(stem('libraries', 'en'), 'librari');
    assert.equal(stem('library', 'en'), 'librari');
    assert.equal(stem('generously', 'en'), 'generous');
    assert.equal(stem('aerodynamics', 'en'), 'aerodynam');
  });

  it('stems Indonesian with Sastrawi', () => {
    assert.equal(stem('membanggakan', 'id'), 'bangga');
    assert.equal(stem('pertumbuhan', 'id'), 'tumbuh');
    assert.equal(stem('perekonomian', 'id'), 'ekonomi');
    assert.equal(stem('bukunya', 'id'), 'buku');
    assert.equal(stem('dimakan', 'id'), 'makan');
  });

  it('leaves numbers and very short tokens alone', () => {
    assert.equal(stem('2.5', 'en'), '2.5');
    assert.equal(stem('747s', 'en'), '747s');
    assert.equal(stem('is', 'id'), 'is');
  });

  it('analyses a text into stemmed content terms', () => {
    assert.deepEqual(analyze('The wings of the aircraft were tested', 'en'), ['wing', 'aircraft', 'test']);
    assert.deepEqual(analyze('Harga produk ini sangat terjangkau untuk pelanggan kami', 'id'), [
      'harga',
      'produk',
      'jangkau',
      'langgan',
    ]);
  });

  it('analyses queries with every index language', () => {
    const both = analyzeQuery('pengiriman barang cepat', ['en', 'id']);
    assert.deepEqual(
      both.map((t) => t.token),
      ['pengiriman', 'barang', 'cepat'],
    );
    assert.ok(both[0]!.stems.includes('kirim'), 'Indonesian stem present');
    assert.deepEqual(analyzeQuery('what is the', ['en']), []);
    // "apa" is only an Indonesian stop word: with both languages it survives as an English token.
    assert.deepEqual(
      analyzeQuery('apa', ['en', 'id']).map((t) => t.stems),
      [['apa']],
    );
  });
});

describe('guessLanguage', () => {
  it('tells English from Indonesian paragraphs by marker stop words', () => {
    assert.equal(
      guessLanguage('The order will be shipped to the customer within two days of the payment.'),
      'en',
    );
    assert.equal(
      guessLanguage('Pesanan akan dikirim ke pelanggan dalam dua hari setelah pembayaran diterima.'),
      'id',
    );
  });

  it('falls back on text too short to judge', () => {
    assert.equal(guessLanguage('emas 24 karat'), 'en');
    assert.equal(guessLanguage('emas 24 karat', 'id'), 'id');
  });
});
