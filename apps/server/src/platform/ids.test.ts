import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newId, randomBase62 } from './ids.ts';
import { decodeCursor, toPage } from './http/pagination.ts';
import { slugify } from './slug.ts';

describe('ids', () => {
  it('are prefixed and sort in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 500 }, () => newId('chatbot', 1_700_000_000_000));
    assert.ok(ids.every((id) => /^bot_[0-9a-z]{24}$/.test(id)));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    const earlier = newId('org', 1_900_000_000_000);
    assert.ok(newId('org', 1_900_000_000_001) > earlier);
    assert.ok(newId('org', 1_800_000_000_000) > earlier, 'a clock step backwards never breaks the order');
  });

  it('sort the same under a linguistic collation (lower-case base36 only)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => newId('org', 1_950_000_000_000 + i * 7919));
    const collated = [...ids].sort((a, b) => a.localeCompare(b, 'en-US'));
    assert.deepEqual(collated, ids);
  });

  it('random base62 has the requested length and alphabet', () => {
    assert.match(randomBase62(40), /^[0-9A-Za-z]{40}$/);
  });
});

describe('pagination', () => {
  it('cuts a page and encodes the last id as the cursor', () => {
    const rows = [{ id: 'bot_3aaaaaaaaaaa' }, { id: 'bot_2aaaaaaaaaaa' }, { id: 'bot_1aaaaaaaaaaa' }];
    const page = toPage(rows, 2);
    assert.equal(page.data.length, 2);
    assert.equal(decodeCursor(page.nextCursor!), 'bot_2aaaaaaaaaaa');
    assert.equal(toPage(rows, 3).nextCursor, null);
  });

  it('rejects a forged cursor', () => {
    assert.throws(
      () => decodeCursor(Buffer.from("x'; drop table users").toString('base64url')),
      /Invalid cursor/,
    );
  });
});

describe('slugify', () => {
  it('makes URL-safe slugs', () => {
    assert.equal(slugify("Ana's Pegadaian — Cabang Depok!"), 'anas-pegadaian-cabang-depok');
    assert.equal(slugify('Café Über'), 'cafe-uber');
    assert.equal(slugify('!!!'), 'item');
  });
});
