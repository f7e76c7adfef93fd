import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

// The dashboard's typed client (src/api/schema.d.ts) is generated from the server's OpenAPI document. If an
// API change is not regenerated, the UI would compile against a stale contract: this test catches that.
describe('dashboard API types', () => {
  it('src/api/schema.d.ts matches what `npm run gen:api` produces from the current server', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kawan-api-'));
    const r = spawnSync(process.execPath, ['scripts/gen-api.mjs', out], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const fresh = fs.readFileSync(path.join(out, 'schema.d.ts'), 'utf8');
    const committed = fs.readFileSync(path.join(root, 'apps/dashboard/src/api/schema.d.ts'), 'utf8');
    fs.rmSync(out, { recursive: true, force: true });
    assert.ok(fresh.includes('"/api/v1/orgs/{orgId}/chatbots"'), 'generated types cover the API');
    assert.ok(fresh === committed, 'apps/dashboard/src/api/schema.d.ts is stale: run `npm run gen:api`');
  });
});
