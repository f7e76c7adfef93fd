import { setTimeout as sleep } from 'node:timers/promises';
import { parseHTML } from 'linkedom';
import { FetchError, fetchPage, type FetchConfig, type FetchedPage } from './fetch-page.ts';
import type { RobotsCache } from './robots.ts';

/**
 * Breadth-first site crawl from a start page: same host only, bounded by depth (link hops from the start page),
 * page count (every page request counts, the start page included; robots.txt requests do not), and total time.
 * robots.txt is obeyed on every hop, `<meta name="robots" content="nofollow">` stops link extraction, and
 * requests are spaced by a politeness delay (or the site's Crawl-delay, capped). What happens to each fetched
 * page is up to `onPage` (the crawl job stores it as a document).
 */

export const POLITENESS_DELAY_MS = 250;
export const MAX_CRAWL_DELAY_MS = 10_000;

/** Extensions that are never pages we ingest: skipped without a request. */
const SKIP_EXT =
  /\.(?:css|js|mjs|map|ico|gif|svg|bmp|tiff?|avif|heic|woff2?|ttf|otf|eot|mp[34]|m4[av]|mov|avi|mkv|webm|ogg|wav|flac|zip|gz|tgz|bz2|xz|7z|rar|tar|exe|msi|dmg|iso|apk|bin|jar|rss|atom|xml)$/i;

/** Fragment dropped, empty query dropped; the URL parser already lower-cased the host and removed default ports. */
export function normalizeUrl(input: URL | string, base?: URL): URL | null {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  if (url.search === '') url.search = ''; // drops a bare "?"
  return url;
}

/** Links of an HTML page, resolved against its URL (or its <base href>), normalised and deduplicated. */
export function extractLinks(html: string, pageUrl: URL): { links: URL[]; nofollow: boolean } {
  const { document } = parseHTML(html);
  const robotsMeta = [...document.querySelectorAll('meta[name]')]
    .filter((m) => /^(robots|kawanbot)$/i.test(m.getAttribute('name') ?? ''))
    .map((m) => (m.getAttribute('content') ?? '').toLowerCase());
  if (robotsMeta.some((c) => /\b(nofollow|none)\b/.test(c))) return { links: [], nofollow: true };
  const baseHref = document.querySelector('base[href]')?.getAttribute('href');
  const base = (baseHref && normalizeUrl(baseHref, pageUrl)) || pageUrl;
  const seen = new Set<string>();
  const links: URL[] = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    const href = a.getAttribute('href')?.trim();
    if (!href || /^(?:javascript|mailto|tel|data):/i.test(href)) continue;
    const url = normalizeUrl(href, base);
    if (!url || seen.has(url.href)) continue;
    seen.add(url.href);
    links.push(url);
  }
  return { links, nofollow: false };
}

export type PageOutcome = 'stored' | 'duplicate' | 'skipped' | 'stop';

export interface CrawlOptions {
  /** The start page, already fetched (and handled) by the caller: depth 0, counted as one page. */
  start: FetchedPage;
  maxPages: number;
  maxDepth: number;
  /** Total time the crawl may take, in ms; an in-flight fetch is aborted when it runs out. */
  budgetMs: number;
  fetch: FetchConfig;
  robots: RobotsCache;
  /** Called for every page fetched after the start page. */
  onPage: (page: FetchedPage, depth: number) => Promise<{ outcome: PageOutcome; reason?: string }>;
  delayMs?: number;
  signal?: AbortSignal;
}

export interface CrawlSummary {
  /** Page requests made, the start page included. */
  fetched: number;
  stored: number;
  duplicates: number;
  skipped: { url: string; reason: string }[];
  /** Why the crawl ended: nothing left to visit, or a limit. */
  stoppedBy: 'done' | 'max_pages' | 'time' | 'stopped';
}

export async function crawlSite(opts: CrawlOptions): Promise<CrawlSummary> {
  const origin = opts.start.url;
  const summary: CrawlSummary = { fetched: 1, stored: 0, duplicates: 0, skipped: [], stoppedBy: 'done' };
  const deadline = AbortSignal.timeout(Math.max(1, opts.budgetMs));
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const maxQueued = Math.max(1000, opts.maxPages * 20);
  const seen = new Set<string>([opts.start.requestedUrl.href, opts.start.url.href]);
  const queue: { url: URL; depth: number }[] = [];
  const skip = (url: URL | string, reason: string) => {
    if (summary.skipped.length < 200) summary.skipped.push({ url: String(url), reason });
  };

  const enqueue = (page: FetchedPage, depth: number) => {
    if (depth >= opts.maxDepth || !page.isHtml) return;
    const { links } = extractLinks(new TextDecoder().decode(page.bytes), page.url);
    for (const link of links) {
      if (link.host !== origin.host || seen.has(link.href)) continue;
      seen.add(link.href);
      if (SKIP_EXT.test(link.pathname)) continue;
      if (seen.size > maxQueued) break;
      queue.push({ url: link, depth: depth + 1 });
    }
  };
  enqueue(opts.start, 0);

  let last = Date.now();
  while (queue.length > 0) {
    if (summary.fetched >= opts.maxPages) {
      summary.stoppedBy = 'max_pages';
      break;
    }
    if (signal.aborted) {
      summary.stoppedBy = deadline.aborted ? 'time' : 'stopped';
      break;
    }
    const { url, depth } = queue.shift()!;
    const rules = await opts.robots.rulesFor(url);
    if (!rules.isAllowed(url)) {
      skip(url, rules.note ?? 'disallowed by robots.txt');
      continue;
    }
    const delay = Math.min(
      MAX_CRAWL_DELAY_MS,
      Math.max(opts.delayMs ?? POLITENESS_DELAY_MS, (rules.crawlDelay ?? 0) * 1000),
    );
    const wait = last + delay - Date.now();
    if (wait > 0) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        continue; // the loop head reports the deadline
      }
    }
    last = Date.now();
    summary.fetched++;
    let page: FetchedPage;
    try {
      page = await fetchPage(url, opts.fetch, { signal, robots: opts.robots });
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      if (err.code !== 'aborted') skip(url, err.message);
      continue;
    } finally {
      last = Date.now();
    }
    if (page.url.host !== origin.host) {
      skip(url, `redirected off the site, to ${page.url.href}`);
      continue;
    }
    if (page.url.href !== url.href) {
      if (seen.has(page.url.href)) {
        skip(url, `redirected to ${page.url.href}, already crawled`);
        continue;
      }
      seen.add(page.url.href);
    }
    const result = await opts.onPage(page, depth);
    if (result.outcome === 'stop') {
      skip(page.url, result.reason ?? 'stopped');
      summary.stoppedBy = 'stopped';
      return summary;
    }
    if (result.outcome === 'stored') summary.stored++;
    else if (result.outcome === 'duplicate') summary.duplicates++;
    else skip(page.url, result.reason ?? 'not stored');
    enqueue(page, depth);
  }
  return summary;
}
