import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../../config.ts';
import { DOCX_MIME, decodeText, sniffDocument } from '../parsing/sniff.ts';
import { ROBOTS_MAX_BYTES, type RobotsCache, type RobotsResponse } from './robots.ts';
import {
  parseAllowlist,
  pinnedLookup,
  resolveTarget,
  UrlNotAllowedError,
  type Allowlist,
  type LookupAll,
  type ResolvedTarget,
} from './ssrf.ts';

/**
 * One HTTP GET for URL ingestion: SSRF-checked on every hop (redirects are followed by hand, at most 5), bounded
 * in time (FETCH_TIMEOUT for the whole exchange, body included) and size (FETCH_MAX_BYTES, counted while
 * streaming — after decompression — so an endless or lying response is cut off), and limited to the content
 * types ingestion can parse. Connections go to the checked addresses only (see ssrf.ts).
 */

export const MAX_REDIRECTS = 5;

export interface FetchConfig {
  allowlist: Allowlist;
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  /** DNS resolution (tests may replace it). */
  lookup?: LookupAll;
}

const allowlists = new Map<string, Allowlist>();

export function fetchConfigOf(
  config: Pick<Config, 'FETCH_ALLOWED_HOSTS' | 'FETCH_TIMEOUT' | 'FETCH_MAX_BYTES' | 'publicUrl'>,
): FetchConfig {
  let allowlist = allowlists.get(config.FETCH_ALLOWED_HOSTS);
  if (!allowlist) {
    allowlist = parseAllowlist(config.FETCH_ALLOWED_HOSTS);
    allowlists.set(config.FETCH_ALLOWED_HOSTS, allowlist);
  }
  return {
    allowlist,
    timeoutMs: config.FETCH_TIMEOUT * 1000,
    maxBytes: config.FETCH_MAX_BYTES,
    userAgent: `KawanBot/0.1 (+${config.publicUrl})`,
  };
}

export type FetchErrorCode =
  | 'not_allowed'
  | 'robots'
  | 'timeout'
  | 'aborted'
  | 'too_large'
  | 'unsupported_type'
  | 'http_status'
  | 'too_many_redirects'
  | 'network';

export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

/** Content types ingestion parses, and the file extension that makes the sniffer read them right. */
const EXT_BY_MIME: Record<string, string> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/json': 'json',
  'application/pdf': 'pdf',
  [DOCX_MIME]: 'docx',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};
/** Servers that do not know the type say one of these; the bytes then decide (as for an upload). */
const UNTYPED = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);
const TEXT_MIMES = new Set(
  Object.keys(EXT_BY_MIME).filter((m) => m.startsWith('text/') || m.endsWith('json')),
);
const EXT_BY_KIND: Record<string, string> = {
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  csv: 'csv',
  json: 'json',
  markdown: 'md',
  text: 'txt',
};
const KNOWN_EXTS = new Set([...Object.values(EXT_BY_MIME), 'htm', 'jpeg', 'markdown', 'text']);

const ACCEPT =
  'text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8,' +
  'application/json;q=0.8,text/csv;q=0.8,*/*;q=0.1';

export interface FetchedPage {
  requestedUrl: URL;
  /** Where the content came from, after redirects. */
  url: URL;
  status: number;
  /** Media type as declared by the server (essence, lower case), '' when none. */
  mime: string;
  /** The body; text in a declared legacy charset is re-encoded as UTF-8. */
  bytes: Uint8Array;
  /** A file name derived from the URL with the extension of the content, e.g. `pricing.html`. */
  filename: string;
  isHtml: boolean;
}

export interface FetchOptions {
  /** Aborts the fetch from outside (e.g. the crawl's deadline); reported as 'aborted'. */
  signal?: AbortSignal;
  /** robots.txt of every hop (redirect targets included) must allow the URL. */
  robots?: RobotsCache;
}

/** GETs a page for ingestion. Throws FetchError with a message fit for the API caller. */
export async function fetchPage(url: URL, cfg: FetchConfig, opts: FetchOptions = {}): Promise<FetchedPage> {
  return withDeadline(url, cfg, opts.signal, async (signal) => {
    const { url: finalUrl, res } = await open(url, cfg, signal, ACCEPT, opts.robots);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      res.destroy();
      throw new FetchError('http_status', `${finalUrl.href} answered HTTP ${status}`, finalUrl.href);
    }
    const [mime, charset] = contentType(res.headers['content-type']);
    if (!(mime in EXT_BY_MIME) && !UNTYPED.has(mime)) {
      res.destroy();
      throw new FetchError(
        'unsupported_type',
        `${finalUrl.href} is ${mime}, which cannot be ingested (HTML, plain text, Markdown, CSV, JSON, PDF, DOCX, PNG, JPEG, WebP can)`,
        finalUrl.href,
      );
    }
    let bytes = await readBody(res, finalUrl, cfg.maxBytes, signal, true);
    // Unlabelled text that is not UTF-8 is read as Windows-1252, as browsers do.
    if (TEXT_MIMES.has(mime)) bytes = toUtf8(bytes, charset ?? metaCharset(bytes, mime) ?? 'windows-1252');
    const filename = fileNameFor(finalUrl, mime, bytes);
    return {
      requestedUrl: url,
      url: finalUrl,
      status,
      mime,
      bytes,
      filename,
      isHtml: filename.endsWith('.html'),
    };
  });
}

/** A RobotsCache fetcher: GET /robots.txt with the same guard, timeout and redirects; never throws. */
export function robotsFetcher(cfg: FetchConfig, signal?: AbortSignal) {
  return async (robotsUrl: URL): Promise<RobotsResponse> => {
    try {
      return await withDeadline(robotsUrl, cfg, signal, async (sig) => {
        const { res } = await open(robotsUrl, cfg, sig, 'text/plain,*/*;q=0.5');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.destroy();
          return { status, text: '' };
        }
        // Google reads the first 500 KiB and ignores the rest; so do we.
        const bytes = await readBody(res, robotsUrl, Math.min(ROBOTS_MAX_BYTES, cfg.maxBytes), sig, false);
        return { status, text: new TextDecoder().decode(bytes) };
      });
    } catch (err) {
      return { status: null, error: err instanceof Error ? err.message : String(err) };
    }
  };
}

async function withDeadline<T>(
  url: URL,
  cfg: FetchConfig,
  outer: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(cfg.timeoutMs);
  const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
  try {
    return await run(signal);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (err instanceof UrlNotAllowedError) throw new FetchError('not_allowed', err.message, url.href);
    if (timeout.aborted) {
      throw new FetchError(
        'timeout',
        `${url.href} did not answer within ${cfg.timeoutMs / 1000} s (FETCH_TIMEOUT)`,
        url.href,
      );
    }
    if (outer?.aborted) throw new FetchError('aborted', `Fetching ${url.href} was stopped`, url.href);
    const code = (err as { code?: string }).code;
    throw new FetchError(
      'network',
      `${url.href} could not be fetched (${code ?? (err instanceof Error ? err.message : String(err))})`,
      url.href,
    );
  }
}

/** Follows redirects by hand: every hop is checked by the SSRF guard (and robots.txt) before connecting. */
async function open(
  start: URL,
  cfg: FetchConfig,
  signal: AbortSignal,
  accept: string,
  robots?: RobotsCache,
): Promise<{ url: URL; res: http.IncomingMessage }> {
  let url = start;
  for (let hop = 0; ; hop++) {
    // The guard first: robots.txt of a refused target must not be fetched either.
    const target = await abortable(resolveTarget(url, cfg.allowlist, cfg.lookup), signal);
    const rules = robots ? await robots.rulesFor(url) : undefined;
    if (rules && !rules.isAllowed(url)) {
      throw new FetchError(
        'robots',
        `robots.txt of ${url.origin} does not allow KawanBot to fetch ${url.href}${rules.note ? ` (${rules.note})` : ''}`,
        url.href,
      );
    }
    const res = await request(url, target, cfg, signal, accept);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(status) || !location) return { url, res };
    res.destroy();
    if (hop >= MAX_REDIRECTS) {
      throw new FetchError(
        'too_many_redirects',
        `${start.href} redirects more than ${MAX_REDIRECTS} times`,
        start.href,
      );
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new FetchError('network', `${url.href} redirects to an invalid URL`, url.href);
    }
    next.hash = '';
    url = next;
  }
}

function request(
  url: URL,
  target: ResolvedTarget,
  cfg: FetchConfig,
  signal: AbortSignal,
  accept: string,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      method: 'GET',
      host: target.hostname,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: {
        host: url.host,
        'user-agent': cfg.userAgent,
        accept,
        'accept-encoding': 'gzip, br', // deflate is ambiguous (zlib or raw); still decoded if sent
      },
      agent: false, // a fresh connection each time: nothing is reused across checked targets
      signal,
      // Names are connected through the addresses that were checked (no second DNS answer); literals as is.
      ...(target.isIpLiteral ? {} : { lookup: pinnedLookup(target) }),
    };
    const req = (url.protocol === 'https:' ? https : http).request(options, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Streams the body, decompressing, and stops at `maxBytes` (error, or truncation when `strict` is false). */
async function readBody(
  res: http.IncomingMessage,
  url: URL,
  maxBytes: number,
  signal: AbortSignal,
  strict: boolean,
): Promise<Uint8Array> {
  const encoding = String(res.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const tooLarge = () =>
    new FetchError(
      'too_large',
      `${url.href} is larger than ${formatBytes(maxBytes)} (FETCH_MAX_BYTES)`,
      url.href,
    );
  const declared = Number(res.headers['content-length']);
  if (strict && (encoding === 'identity' || encoding === '') && declared > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  let decoder: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip();
  else if (encoding === 'deflate') decoder = zlib.createInflate();
  else if (encoding === 'br') decoder = zlib.createBrotliDecompress();
  else if (encoding !== 'identity' && encoding !== '') {
    res.destroy();
    throw new FetchError('unsupported_type', `${url.href} uses content-encoding ${encoding}`, url.href);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let over = false;
  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) {
        over = true;
        if (!strict) chunks.push(chunk.subarray(0, chunk.length - (total - maxBytes)));
        break; // the pipeline then tears the response (and decoder) down
      }
      chunks.push(chunk);
    }
  };
  try {
    if (decoder) await pipeline(res, decoder, sink, { signal });
    else await pipeline(res, sink, { signal });
  } catch (err) {
    // Stopping early makes the pipeline report a premature close or abort; the cap is the real reason.
    if (!over) throw err;
  } finally {
    res.destroy();
  }
  if (over && strict) throw tooLarge();
  return Buffer.concat(chunks);
}

function contentType(header: string | undefined): [mime: string, charset: string | undefined] {
  const [essence, ...params] = (header ?? '').split(';');
  const charset = params
    .map((p) => p.trim().match(/^charset\s*=\s*"?([^";\s]+)"?$/i)?.[1])
    .find((c) => c !== undefined);
  return [essence!.trim().toLowerCase(), charset?.toLowerCase()];
}

/** `<meta charset=…>` / `<meta http-equiv content="…; charset=…">` in the head of an HTML document. */
function metaCharset(bytes: Uint8Array, mime: string): string | undefined {
  if (mime !== 'text/html' && mime !== 'application/xhtml+xml') return undefined;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  return head.match(/<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)/i)?.[1]?.toLowerCase();
}

/**
 * Ingestion reads UTF-8 (or UTF-16 with a BOM). Text in a declared legacy charset (ISO-8859-1, Windows-1252,
 * Shift_JIS…) is transcoded; bytes that already are valid UTF-8 are kept as they are, whatever the label says.
 */
function toUtf8(bytes: Uint8Array, charset: string | undefined): Uint8Array {
  if (!charset || /^utf-?8$/.test(charset) || decodeText(bytes) !== null) return bytes;
  try {
    return new TextEncoder().encode(new TextDecoder(charset).decode(bytes));
  } catch {
    return bytes; // an unknown label: leave the bytes to the parser, which reports them
  }
}

/** `https://x.test/docs/Getting%20Started?v=2` served as HTML → `Getting-Started.html`. */
export function fileNameFor(url: URL, mime: string, bytes: Uint8Array): string {
  let segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
  try {
    segment = decodeURIComponent(segment);
  } catch {
    // keep it encoded
  }
  const dot = segment.lastIndexOf('.');
  const urlExt = dot > 0 ? segment.slice(dot + 1).toLowerCase() : '';
  const sanitize = (s: string) =>
    s
      .replace(/[^\p{L}\p{N}._-]+/gu, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 100);
  const stem = sanitize(dot > 0 ? segment.slice(0, dot) : segment) || sanitize(url.hostname) || 'page';
  let ext = EXT_BY_MIME[mime];
  if (!ext && KNOWN_EXTS.has(urlExt)) ext = urlExt === 'htm' ? 'html' : urlExt;
  if (!ext) {
    const sniffed = sniffDocument(bytes, 'page');
    ext = sniffed
      ? sniffed.kind === 'image'
        ? EXT_BY_MIME[sniffed.mime]!
        : EXT_BY_KIND[sniffed.kind]!
      : 'bin';
  }
  return `${stem}.${ext}`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
