import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRewrites } from './query-expansion.service.ts';

test('parseRewrites reads JSON, drops copies of the query and empties, caps at three', () => {
  const text =
    'Sure: {"rewrites": ["Loan Cost", "interest rate", "", "fee", "interest rate", "monthly charge"]}';
  assert.deepEqual(parseRewrites(text, 'loan cost'), ['interest rate', 'fee', 'monthly charge']);
});

test('parseRewrites falls back to one rewrite per line when the model ignored the JSON format', () => {
  assert.deepEqual(parseRewrites('1. interest rate\n- monthly fee\n\n* gold loan price', 'cost'), [
    'interest rate',
    'monthly fee',
    'gold loan price',
  ]);
});
