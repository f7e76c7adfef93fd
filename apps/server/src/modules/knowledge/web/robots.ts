/**
 * robots.txt (RFC 9309) for KawanBot: user-agent groups, Allow/Disallow with the longest match winning (Allow on
 * a tie), `*` and `$` wildcards, and Crawl-delay (non-standard, honoured up to a cap by the crawler).
 *
 * What a robots.txt response means (RFC 9309 §2.3.1, as Google applies it):
 * - 2xx: parsed (only the first 500 KiB);
 * - 4xx except 429 (404 and friends, also 401/403): there are no rules → everything is allowed;
 * - 429, 5xx, and a robots.txt that cannot be fetched at all (network error, timeout, refused redirect):
 *   the site may be in trouble → everything is disallowed (conservative).
 * Rules are cached per origin (scheme, host, port) for the lifetime of one RobotsCache: one crawl or one request.
 */

export const ROBOTS_AGENT = 'KawanBot';
export const ROBOTS_MAX_BYTES = 500 * 1024;

interface Rule {
  allow: boolean;
  /** Normalised pattern; its length is the rule's specificity. */
  pattern: string;
  regex: RegExp;
}

interface Group {
  agents: string[];
  rules: Rule[];
  crawlDelay?: number;
}

/** Upper-case percent escapes, unreserved characters unescaped, anything non-ASCII escaped as UTF-8. */
function normalizePath(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    out += code > 0x7e || code <= 0x20 ? encodeURIComponent(ch) : ch;
  }
  return out.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

function compile(pattern: string): RegExp {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const source = body
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}${anchored ? '$' : ''}`);
}

/** The product token of a User-agent value: `KawanBot/0.1 (+…)` → `kawanbot`. */
const productToken = (value: string) => value.trim().split(/[\s/]/)[0]!.toLowerCase();

export class RobotsRules {
  private constructor(
    private readonly rules: Rule[],
    /** Seconds between requests the site asked for (Crawl-delay), if any. */
    readonly crawlDelay: number | undefined,
    /** Why everything is allowed or disallowed, when that was not decided by rules. */
    readonly note?: string,
  ) {}

  static allowAll(note?: string): RobotsRules {
    return new RobotsRules([], undefined, note);
  }

  static disallowAll(note: string): RobotsRules {
    return new RobotsRules([{ allow: false, pattern: '/', regex: /^\// }], undefined, note);
  }

  /** Parses robots.txt text and keeps the rules that apply to `agent` (or to `*` when no group names it). */
  static parse(text: string, agent: string = ROBOTS_AGENT): RobotsRules {
    const groups: Group[] = [];
    let current: Group | undefined;
    let inRules = false; // a User-agent line after rules starts a new group
    for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
      const line = rawLine.replace(/#.*$/, '').trim();
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'user-agent') {
        if (!current || inRules) {
          current = { agents: [], rules: [] };
          groups.push(current);
          inRules = false;
        }
        if (value) current.agents.push(value === '*' ? '*' : productToken(value));
      } else if (key === 'allow' || key === 'disallow') {
        if (!current) continue; // rules before any User-agent line belong to nobody
        inRules = true;
        if (!value) continue; // "Disallow:" with no path allows everything: no rule
        const pattern = normalizePath(value.startsWith('/') || value.startsWith('*') ? value : `/${value}`);
        current.rules.push({ allow: key === 'allow', pattern, regex: compile(pattern) });
      } else if (key === 'crawl-delay') {
        if (!current) continue;
        inRules = true;
        const seconds = Number(value);
        if (Number.isFinite(seconds) && seconds >= 0) current.crawlDelay = seconds;
      }
      // Sitemap and unknown keys are ignored.
    }
    const token = productToken(agent);
    let chosen = groups.filter((g) => g.agents.includes(token));
    if (chosen.length === 0) chosen = groups.filter((g) => g.agents.includes('*'));
    const delays = chosen.map((g) => g.crawlDelay).filter((d): d is number => d !== undefined);
    return new RobotsRules(
      chosen.flatMap((g) => g.rules),
      delays.length ? Math.max(...delays) : undefined,
    );
  }

  /** Whether the path (and query) of `url` may be fetched. /robots.txt itself always may. */
  isAllowed(url: URL | string): boolean {
    const target = typeof url === 'string' ? url : `${url.pathname}${url.search}`;
    const path = normalizePath(target || '/');
    if (path === '/robots.txt') return true;
    let best: Rule | undefined;
    for (const rule of this.rules) {
      if (!rule.regex.test(path)) continue;
      if (
        !best ||
        rule.pattern.length > best.pattern.length ||
        (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)
      ) {
        best = rule;
      }
    }
    return best ? best.allow : true;
  }
}

/** What fetching robots.txt gave: an HTTP answer, or null when it could not be fetched at all. */
export type RobotsResponse = { status: number; text: string } | { status: null; error: string };

export function rulesFromResponse(r: RobotsResponse, agent: string = ROBOTS_AGENT): RobotsRules {
  if (r.status === null) return RobotsRules.disallowAll(`robots.txt is unreachable: ${r.error}`);
  if (r.status >= 200 && r.status < 300) return RobotsRules.parse(r.text, agent);
  if (r.status === 429 || r.status >= 500) {
    return RobotsRules.disallowAll(`robots.txt answered HTTP ${r.status}`);
  }
  return RobotsRules.allowAll(`robots.txt answered HTTP ${r.status}`);
}

/** Fetches /robots.txt of an origin; returns `{ status: null }` instead of throwing on network failure. */
export type RobotsFetcher = (robotsUrl: URL) => Promise<RobotsResponse>;

/** robots.txt rules per origin, fetched once each (concurrent callers share the fetch). */
export class RobotsCache {
  private readonly byOrigin = new Map<string, Promise<RobotsRules>>();

  constructor(
    private readonly fetcher: RobotsFetcher,
    private readonly agent: string = ROBOTS_AGENT,
  ) {}

  rulesFor(url: URL): Promise<RobotsRules> {
    let rules = this.byOrigin.get(url.origin);
    if (!rules) {
      rules = this.fetcher(new URL('/robots.txt', url.origin)).then(
        (r) => rulesFromResponse(r, this.agent),
        (err: unknown) => RobotsRules.disallowAll(`robots.txt is unreachable: ${String(err)}`),
      );
      this.byOrigin.set(url.origin, rules);
    }
    return rules;
  }

  async isAllowed(url: URL): Promise<boolean> {
    return (await this.rulesFor(url)).isAllowed(url);
  }
}
