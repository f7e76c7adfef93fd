import { randomBytes, createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'; // ASCII order: sorts like the number

export const idPrefixes = {
  user: 'usr',
  org: 'org',
  membership: 'mem',
  invitation: 'inv',
  refreshToken: 'rtk',
  authToken: 'atk',
  chatbot: 'bot',
  apiKey: 'key',
  audit: 'aud',
  email: 'eml',
} as const;
export type IdKind = keyof typeof idPrefixes;

/** Random base62 string (rejection sampling keeps it unbiased). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = ALPHABET[ms % 62] + out;
    ms = Math.floor(ms / 62);
  }
  return out;
}

let lastMs = 0;
let sequence = 0;

/**
 * `bot_` + 8 chars of millisecond time + 3 chars of per-millisecond sequence + 11 random chars: unique, and
 * sortable by creation order within a process (ids made in the same millisecond keep their order).
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  if (now <= lastMs) {
    now = lastMs;
    sequence++;
  } else {
    lastMs = now;
    sequence = 0;
  }
  const seq =
    ALPHABET[Math.floor(sequence / 3844) % 62]! +
    ALPHABET[Math.floor(sequence / 62) % 62]! +
    ALPHABET[sequence % 62]!;
  return `${idPrefixes[kind]}_${encodeTime(now)}${seq}${randomBase62(11)}`;
}

/** A secret token for links and keys; only its hash is stored. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
