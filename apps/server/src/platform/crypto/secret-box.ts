import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import { loadOrCreateSecret } from '../secrets.ts';

/**
 * Encrypts short secrets kept in the database (model provider API keys) under the master key, so a database
 * dump or backup alone does not reveal them. AES-256-GCM with a random 96-bit IV per value; the format is
 * versioned so the scheme can change without guessing what an old row holds:
 *
 *   v1:<iv>:<tag>:<ciphertext>        (each part base64url)
 *
 * `context` is bound as additional authenticated data (e.g. the org and provider id), so a ciphertext copied
 * into another row does not decrypt there. Any change to a stored value makes `open` throw.
 */
export interface SecretBox {
  seal(plaintext: string, context?: string): string;
  open(sealed: string, context?: string): string;
}

export class SecretBoxError extends Error {}

const VERSION = 'v1';

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The master key must be 32 bytes');
  return {
    seal(plaintext, context = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv, tag, ct]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join(':');
    },
    open(sealed, context = '') {
      const parts = sealed.split(':');
      if (parts.length !== 4 || parts[0] !== VERSION) {
        throw new SecretBoxError(`Not a sealed secret (expected ${VERSION}:<iv>:<tag>:<ciphertext>)`);
      }
      const [iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
      if (iv!.length !== 12 || tag!.length !== 16) throw new SecretBoxError('Malformed sealed secret');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv!);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag!);
        return Buffer.concat([decipher.update(ct!), decipher.final()]).toString('utf8');
      } catch {
        // GCM does not say why: a changed value, another context, or another master key.
        throw new SecretBoxError(
          'The secret cannot be decrypted: it was altered or sealed under another master key',
        );
      }
    },
  };
}

/** MASTER_KEY as configured: 64 hex digits or base64/base64url of exactly 32 bytes. */
export function parseMasterKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('MASTER_KEY must be 32 bytes (64 hex digits or base64)');
  return key;
}

/**
 * The master key: MASTER_KEY when set; otherwise a secret generated once into DATA_DIR/secrets.json (like
 * JWT_SECRET) and stretched to 32 bytes with HKDF, which also keeps it independent of any other secret there.
 */
export function loadMasterKey(config: Pick<Config, 'DATA_DIR' | 'MASTER_KEY'>): Buffer {
  if (config.MASTER_KEY) return parseMasterKey(config.MASTER_KEY);
  const stored = loadOrCreateSecret(config.DATA_DIR, 'masterKey', undefined);
  return Buffer.from(hkdfSync('sha256', stored, 'kawan', 'kawan master key v1', 32));
}

const boxes = new WeakMap<object, SecretBox>();

/**
 * The secret box for a runtime's configuration, made once per config object (reading secrets.json at most
 * once). Services call this instead of carrying the key around.
 */
export function secretBoxFor(config: Pick<Config, 'DATA_DIR' | 'MASTER_KEY'>): SecretBox {
  let box = boxes.get(config);
  if (!box) {
    box = createSecretBox(loadMasterKey(config));
    boxes.set(config, box);
  }
  return box;
}

/** What the API shows instead of a key: enough to recognise it, never enough to use it. */
export function keyHint(secret: string): string {
  if (secret.length >= 16) return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
  if (secret.length >= 8) return `…${secret.slice(-2)}`;
  return '…';
}
