import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createSecretBox,
  keyHint,
  loadMasterKey,
  parseMasterKey,
  secretBoxFor,
  SecretBoxError,
} from './secret-box.ts';

const box = createSecretBox(randomBytes(32));
const secret = 'gsk_live_5Jx8QwErTyUiOp1234567890';

/** Flips one bit of one base64url part of a sealed value. */
function flip(sealed: string, part: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('secret box (AES-256-GCM)', () => {
  it('round-trips, in the versioned format, without the plaintext in it', () => {
    const sealed = box.seal(secret, 'org_a/prv_1');
    assert.match(sealed, /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(secret));
    assert.ok(!sealed.includes(Buffer.from(secret).toString('base64url')));
    assert.equal(box.open(sealed, 'org_a/prv_1'), secret);
    assert.equal(box.open(box.seal('', 'x'), 'x'), '');
    assert.equal(box.open(box.seal('kunci rahasia ✓', 'x'), 'x'), 'kunci rahasia ✓');
  });

  it('uses a fresh IV for every value', () => {
    const a = box.seal(secret);
    const b = box.seal(secret);
    assert.notEqual(a, b);
    assert.notEqual(a.split(':')[1], b.split(':')[1]);
  });

  it('refuses a tampered IV, tag or ciphertext', () => {
    const sealed = box.seal(secret, 'ctx');
    for (const part of [1, 2, 3]) {
      assert.throws(() => box.open(flip(sealed, part), 'ctx'), SecretBoxError, `part ${part}`);
    }
    const truncated = sealed.slice(0, -2);
    assert.throws(() => box.open(truncated, 'ctx'), SecretBoxError);
  });

  it('refuses another context, another key, and unknown formats', () => {
    const sealed = box.seal(secret, 'org_a/prv_1');
    assert.throws(() => box.open(sealed, 'org_b/prv_1'), SecretBoxError);
    assert.throws(() => createSecretBox(randomBytes(32)).open(sealed, 'org_a/prv_1'), SecretBoxError);
    assert.throws(() => box.open(sealed.replace(/^v1:/, 'v2:'), 'org_a/prv_1'), /Not a sealed secret/);
    assert.throws(() => box.open(secret), /Not a sealed secret/);
    assert.throws(() => createSecretBox(randomBytes(16)), /32 bytes/);
  });

  it('parses MASTER_KEY as hex or base64 of exactly 32 bytes', () => {
    const key = randomBytes(32);
    assert.deepEqual(parseMasterKey(key.toString('hex')), key);
    assert.deepEqual(parseMasterKey(key.toString('base64')), key);
    assert.deepEqual(parseMasterKey(key.toString('base64url')), key);
    assert.throws(() => parseMasterKey(randomBytes(16).toString('hex')), /32 bytes/);
    assert.throws(() => parseMasterKey(randomBytes(31).toString('base64')), /32 bytes/);
  });

  it('without MASTER_KEY, generates a key once into DATA_DIR/secrets.json and keeps it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kawan-secret-box-'));
    try {
      const first = loadMasterKey({ DATA_DIR: dir, MASTER_KEY: undefined });
      assert.equal(first.length, 32);
      const stored = JSON.parse(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
      assert.ok(typeof stored.masterKey === 'string' && stored.masterKey.length >= 43);
      assert.deepEqual(loadMasterKey({ DATA_DIR: dir, MASTER_KEY: undefined }), first);

      // A value sealed by one process opens in the next one on the same data dir.
      const sealed = secretBoxFor({ DATA_DIR: dir, MASTER_KEY: undefined }).seal(secret, 'c');
      assert.equal(secretBoxFor({ DATA_DIR: dir, MASTER_KEY: undefined }).open(sealed, 'c'), secret);

      const explicit = randomBytes(32);
      assert.deepEqual(loadMasterKey({ DATA_DIR: dir, MASTER_KEY: explicit.toString('hex') }), explicit);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hints at a key without revealing it', () => {
    const hint = keyHint(secret);
    assert.equal(hint, 'gsk_…7890');
    assert.ok(!hint.includes('5Jx8'));
    assert.equal(keyHint('abcdefghij'), '…ij');
    assert.equal(keyHint('abc'), '…');
  });
});
