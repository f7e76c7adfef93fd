import { randomBytes, createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

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
  document: 'doc',
  chunk: 'chk',
  faq: 'faq',
  catalogueItem: 'itm',
  provider: 'prv',
  guestSession: 'gst',
  conversation: 'cnv',
  message: 'msg',
  feedback: 'fbk',
  llmCall: 'llm',
  snippet: 'snp',
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

// Ids use lower-case base36: a PostgreSQL column with a linguistic collation (en_US…) compares mixed-case text
// case-insensitively first, which would break "id order = creation order"; digits + lower case sort alike in
// every collation.
const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';

function base36(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = B36[n % 36] + out;
    n = Math.floor(n / 36);
  }
  return out;
}

function randomBase36(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && out.length < length) out += B36[byte % 36];
    }
  }
  return out;
}

let lastMs = 0;
let sequence = 0;

/**
 * `bot_` + 9 chars of millisecond time + 3 chars of per-millisecond sequence + 12 random chars (62 bits):
 * unique, and sorted by creation order (within a process also inside one millisecond). The id is therefore
 * the pagination cursor.
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  if (now <= lastMs) {
    now = lastMs;
    sequence++;
  } else {
    lastMs = now;
    sequence = 0;
  }
  return `${idPrefixes[kind]}_${base36(now, 9)}${base36(sequence % 46656, 3)}${randomBase36(12)}`;
}

/** A secret token for links and keys; only its hash is stored. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
