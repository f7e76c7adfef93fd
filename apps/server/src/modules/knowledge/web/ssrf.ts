import dns from 'node:dns';
import net from 'node:net';

/**
 * SSRF guard for URL ingestion. A URL may only be fetched when every address its host resolves to is a public
 * unicast address, unless FETCH_ALLOWED_HOSTS admits the host name or the address (exact IPs and CIDRs).
 *
 * Checking is not enough on its own: a name can resolve to a public address for the check and to 127.0.0.1 a
 * moment later (DNS rebinding). The fetcher therefore connects through `pinnedLookup(target)`, which hands the
 * socket the very addresses that were checked and never asks DNS again. IP literals are checked as they are
 * and never resolved. Redirects are new URLs and go through the whole check again.
 */

export type AddressClass =
  'public' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'cgnat' | 'multicast' | 'reserved';

const DESCRIPTION: Record<Exclude<AddressClass, 'public'>, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private-network address',
  'link-local': 'a link-local address (this includes cloud metadata endpoints)',
  cgnat: 'a carrier-grade NAT (shared) address',
  multicast: 'a multicast or broadcast address',
  reserved: 'a reserved or documentation address',
};

/** A parsed address: 4 bytes (IPv4) or 16 bytes (IPv6). */
type Bytes = Uint8Array;

function parseIPv4(ip: string): Bytes | null {
  if (!net.isIPv4(ip)) return null;
  return Uint8Array.from(ip.split('.').map(Number));
}

/** IPv6 text (with an optional dotted-quad tail and zone id) → 16 bytes; null when not valid IPv6. */
function parseIPv6(input: string): Bytes | null {
  const ip = input.replace(/%.*$/, '');
  if (!net.isIPv6(ip)) return null;
  let head = ip;
  const tail: number[] = [];
  const lastColon = ip.lastIndexOf(':');
  if (ip.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(ip.slice(lastColon + 1));
    if (!v4) return null;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    head = ip.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const words = (s: string | undefined) =>
    (s ? s.split(':').filter(Boolean) : []).map((w) => parseInt(w, 16));
  const l = words(left);
  const r = words(right);
  const missing = 8 - tail.length - l.length - r.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return null;
  const all = [...l, ...Array<number>(right === undefined ? 0 : missing).fill(0), ...r, ...tail];
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

export function parseIp(ip: string): Bytes | null {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  return parseIPv4(bare) ?? parseIPv6(bare);
}

interface Cidr {
  bytes: Bytes;
  bits: number;
}

function inCidr(addr: Bytes, cidr: Cidr): boolean {
  if (addr.length !== cidr.bytes.length) return false;
  let bits = cidr.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i]! & mask) !== (cidr.bytes[i]! & mask)) return false;
  }
  return true;
}

export function parseCidr(text: string): Cidr | null {
  const [ip, len, extra] = text.trim().split('/');
  if (extra !== undefined || !ip) return null;
  const bytes = parseIp(ip);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (len === undefined) return { bytes, bits: max };
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return null;
  return { bytes, bits: Number(len) };
}

const cidr = (text: string) => parseCidr(text)!;

const V4_RANGES: [Cidr, AddressClass][] = [
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'cgnat'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'],
  [cidr('192.0.2.0/24'), 'reserved'],
  [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'reserved'],
  [cidr('198.51.100.0/24'), 'reserved'],
  [cidr('203.0.113.0/24'), 'reserved'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'], // includes 255.255.255.255
];

const V4_MAPPED = cidr('::ffff:0:0/96');

/** IPv6 ranges that carry an IPv4 address in their last 32 bits (or, for 6to4, bits 16–47). */
const V6_EMBEDDING: [Cidr, (b: Bytes) => Bytes][] = [
  [V4_MAPPED, (b) => b.slice(12)], // IPv4-mapped
  [cidr('::ffff:0:0:0/96'), (b) => b.slice(12)], // IPv4-translated (SIIT)
  [cidr('64:ff9b::/96'), (b) => b.slice(12)], // NAT64
  [cidr('::/96'), (b) => b.slice(12)], // IPv4-compatible (deprecated); :: and ::1 are handled first
  [cidr('2002::/16'), (b) => b.slice(2, 6)], // 6to4
];

const V6_RANGES: [Cidr, AddressClass][] = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('64:ff9b:1::/48'), 'private'], // local-use NAT64
  [cidr('100::/64'), 'reserved'], // discard-only
  [cidr('2001::/32'), 'reserved'], // Teredo: the embedded IPv4 is obfuscated, refuse outright
  [cidr('2001:db8::/32'), 'reserved'], // documentation
  [cidr('fc00::/7'), 'private'], // unique local
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'private'], // site-local (deprecated)
  [cidr('ff00::/8'), 'multicast'],
];

/** What kind of address this is; anything that is not valid IP text counts as 'reserved' (refused). */
export function classifyIp(ip: string): AddressClass {
  const bytes = parseIp(ip);
  return bytes ? classifyBytes(bytes) : 'reserved';
}

function classifyBytes(b: Bytes): AddressClass {
  if (b.length === 4) return V4_RANGES.find(([range]) => inCidr(b, range))?.[1] ?? 'public';
  const fixed = V6_RANGES.slice(0, 2).find(([range]) => inCidr(b, range));
  if (fixed) return fixed[1];
  const embedding = V6_EMBEDDING.find(([range]) => inCidr(b, range));
  if (embedding) return classifyBytes(embedding[1](b));
  return V6_RANGES.find(([range]) => inCidr(b, range))?.[1] ?? 'public';
}

/** FETCH_ALLOWED_HOSTS, parsed: host names (exact, or `*.example.com` / `.example.com` for subdomains) and IP/CIDRs. */
export interface Allowlist {
  hosts: Set<string>;
  suffixes: string[];
  cidrs: Cidr[];
}

const normalizeHost = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');

export function parseAllowlist(spec: string): Allowlist {
  const list: Allowlist = { hosts: new Set(), suffixes: [], cidrs: [] };
  for (const raw of spec.split(',')) {
    const entry = normalizeHost(raw);
    if (!entry) continue;
    const range = parseCidr(entry);
    if (range) list.cidrs.push(range);
    else if (entry.startsWith('*.')) list.suffixes.push(entry.slice(1));
    else if (entry.startsWith('.')) list.suffixes.push(entry);
    else list.hosts.add(entry);
  }
  return list;
}

function hostAllowed(list: Allowlist, hostname: string): boolean {
  const h = normalizeHost(hostname);
  return list.hosts.has(h) || list.suffixes.some((s) => h.endsWith(s));
}

function addressAllowed(list: Allowlist, ip: string): boolean {
  const bytes = parseIp(ip);
  if (!bytes) return false;
  // An IPv4-mapped IPv6 address is the IPv4 address: 10.0.0.0/8 in the list also admits ::ffff:10.0.0.1.
  const v4 = inCidr(bytes, V4_MAPPED) ? bytes.slice(12) : null;
  return list.cidrs.some((c) => inCidr(bytes, c) || (v4 !== null && inCidr(v4, c)));
}

/** Refusal of a URL by the guard; the message says why and how an operator can allow it. */
export class UrlNotAllowedError extends Error {
  constructor(
    message: string,
    readonly reason: 'scheme' | 'credentials' | 'address' | 'dns',
  ) {
    super(message);
    this.name = 'UrlNotAllowedError';
  }
}

export interface ResolvedTarget {
  /** The URL's host without brackets (what TLS verifies and the Host header names). */
  hostname: string;
  /** The checked addresses; the connection goes to one of these and nowhere else. */
  addresses: { address: string; family: 4 | 6 }[];
  isIpLiteral: boolean;
}

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Only http and https, and no credentials in the URL (they would end up stored as the document's source). */
export function checkUrlShape(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlNotAllowedError(
      `Only http:// and https:// URLs can be fetched, not ${url.protocol}//`,
      'scheme',
    );
  }
  if (url.username || url.password) {
    throw new UrlNotAllowedError('URLs with a user name or password are not accepted', 'credentials');
  }
}

/**
 * Resolves the URL's host and checks every address. Throws UrlNotAllowedError when the scheme is not
 * http(s), when the name does not resolve, or when any address is non-public and not admitted by the list.
 */
export async function resolveTarget(
  url: URL,
  allow: Allowlist,
  lookup: LookupAll = systemLookup,
): Promise<ResolvedTarget> {
  checkUrlShape(url);
  const hostname = normalizeHost(url.hostname);
  const isIpLiteral = net.isIP(hostname) !== 0;
  let addresses: { address: string; family: 4 | 6 }[];
  if (isIpLiteral) {
    addresses = [{ address: hostname, family: net.isIP(hostname) as 4 | 6 }];
  } else {
    let found: { address: string; family: number }[];
    try {
      found = await lookup(hostname);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new UrlNotAllowedError(`The host ${hostname} could not be resolved (${code})`, 'dns');
    }
    if (found.length === 0) throw new UrlNotAllowedError(`The host ${hostname} has no address`, 'dns');
    addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  }
  if (hostAllowed(allow, hostname)) return { hostname, addresses, isIpLiteral };
  for (const { address } of addresses) {
    const kind = classifyIp(address);
    if (kind !== 'public' && !addressAllowed(allow, address)) {
      const via = isIpLiteral ? '' : ` (${hostname} resolves to ${address})`;
      throw new UrlNotAllowedError(
        `URL not allowed: ${isIpLiteral ? address : hostname} is ${DESCRIPTION[kind]}${via}. Private, loopback and link-local targets are refused unless FETCH_ALLOWED_HOSTS admits them`,
        'address',
      );
    }
  }
  return { hostname, addresses, isIpLiteral };
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/http/https that answers with the already checked addresses only (DNS rebinding cannot
 * swap them). Honours `family` and `all` (Node's happy-eyeballs asks for all addresses).
 */
export function pinnedLookup(target: ResolvedTarget) {
  return (_hostname: string, options: dns.LookupOptions | number, callback: LookupCallback) => {
    const opts = typeof options === 'number' ? { family: options } : (options ?? {});
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : opts.family;
    const usable = target.addresses.filter((a) => !family || a.family === family);
    if (usable.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`No checked IPv${family} address for ${target.hostname}`);
      err.code = 'ENOTFOUND';
      process.nextTick(() => callback(err, ''));
      return;
    }
    if (opts.all) process.nextTick(() => callback(null, usable));
    else process.nextTick(() => callback(null, usable[0]!.address, usable[0]!.family));
  };
}
