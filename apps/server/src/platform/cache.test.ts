import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTtlCache } from './cache.ts';

describe('TTL cache', () => {
  it('loads a missing key once however many callers miss together', async () => {
    const cache = createTtlCache(1000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return 'value';
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('k', load)));
    assert.ok(results.every((r) => r === 'value'));
    assert.equal(loads, 1);
    assert.equal(await cache.getOrLoad('k', load), 'value');
    assert.equal(loads, 1);
  });

  it('caches "not found" too, and forgets after the TTL', async () => {
    const cache = createTtlCache(50);
    let loads = 0;
    const load = async () => (loads++, undefined);
    await cache.getOrLoad('gone', load);
    await cache.getOrLoad('gone', load);
    assert.equal(loads, 1);
    await new Promise((r) => setTimeout(r, 70));
    await cache.getOrLoad('gone', load);
    assert.equal(loads, 2);
  });

  it('does not keep a value read before an invalidation that happened during the load', async () => {
    const cache = createTtlCache(10_000);
    let value = 'old';
    const slow = cache.getOrLoad('bot:1', async () => {
      const v = value;
      await new Promise((r) => setTimeout(r, 30));
      return v;
    });
    value = 'new';
    cache.invalidate('bot:');
    assert.equal(await slow, 'old');
    assert.equal(await cache.getOrLoad('bot:1', async () => value), 'new');
  });

  it('invalidates by prefix', async () => {
    const cache = createTtlCache(10_000);
    await cache.getOrLoad('role:org_a:u1', async () => 'owner');
    await cache.getOrLoad('role:org_b:u1', async () => 'viewer');
    cache.invalidate('role:org_a:');
    assert.equal(await cache.getOrLoad('role:org_a:u1', async () => 'member'), 'member');
    assert.equal(await cache.getOrLoad('role:org_b:u1', async () => 'admin'), 'viewer');
  });
});
