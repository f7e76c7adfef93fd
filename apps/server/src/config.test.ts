import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, renderConfigTable } from './config.ts';

describe('config', () => {
  it('starts with zero configuration on the embedded database at port 2026', () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 2026);
    assert.equal(c.embedded, true);
    assert.equal(c.publicUrl, 'http://localhost:2026');
    assert.equal(c.DATA_DIR, './data');
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'not a url', JWT_SECRET: 'short', LOG_LEVEL: 'loud' });
      assert.fail('expected ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const vars = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(vars, ['DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL', 'PORT']);
    }
  });

  it('treats empty strings as unset and parses booleans', () => {
    const c = loadConfig({ DATABASE_URL: '', TRUST_PROXY: 'true', PUBLIC_URL: 'https://kawan.example.com/' });
    assert.equal(c.embedded, true);
    assert.equal(c.TRUST_PROXY, true);
    assert.equal(c.publicUrl, 'https://kawan.example.com');
  });

  it("README's configuration table is the one generated from this schema", () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    // Compare cell by cell, so Prettier's column padding in README does not matter.
    const rows = (md: string) =>
      md
        .split('\n')
        .filter((l) => l.trim().startsWith('|') && !/^\|[\s|:-]+\|$/.test(l.trim()))
        .map((l) =>
          l
            .split('|')
            .map((c) => c.trim())
            .join('|'),
        );
    const section = /<!-- config:start -->([\s\S]*?)<!-- config:end -->/.exec(readme)?.[1] ?? '';
    assert.deepEqual(
      rows(section),
      rows(renderConfigTable()),
      'README.md is out of date: paste the output of `npm run docs:config` into its Configuration section',
    );
  });
});
