import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, type TestServer } from './harness.ts';

// README's curl walk-through must work exactly as written: this runs the bash block from README.md.
const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
const block = /<!-- walkthrough:start -->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(
  readme,
)?.[1];

describe('README walk-through', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer('pglite');
  });
  after(async () => s?.close());

  it('runs as written and shows each step', async (t) => {
    assert.ok(block, 'README.md has a walk-through block between the markers');
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block], {
      env: { ...process.env, KAWAN: s.url },
      timeout: 60_000,
    });
    for (const line of stdout.trim().split('\n').slice(-6)) t.diagnostic(line.slice(0, 300));
    assert.match(stdout, /\{"orgId":"org_\w+","role":"member"\}/);
    assert.match(stdout, /"name":"Layanan Gadai"/);
    assert.match(stdout, /old key: 200, new key: 200/);
    assert.match(stdout, /old key after the grace period: 401/);
    assert.match(stdout, /revoked key: 401/);
    assert.match(stdout, /"quote":"The monthly interest rate for gold pawn loans is 1\.25 percent\."/);
    assert.match(stdout, /^false$/m, 'the unrelated question is not answered from the documents');
    assert.match(stdout, /^x-demo-remaining: 9/im);
    assert.match(stdout, /Loans run for 120 days/);
    const actions = stdout.trim().split('\n').join(' ');
    for (const a of [
      'chatbot_key.revoke',
      'chatbot_key.rotate',
      'chatbot.create',
      'invitation.accept',
      'invitation.create',
      'org.create',
    ]) {
      assert.ok(actions.includes(a), `audit output lists ${a}: ${actions}`);
    }
  });
});
