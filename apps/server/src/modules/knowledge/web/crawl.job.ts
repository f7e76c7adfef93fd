import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { documents } from '../../../platform/db/schema.ts';
import { AppError } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/access.ts';
import type { JobSpec } from '../../../platform/jobs/jobs.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { createDocumentFromBytes } from '../documents.service.ts';
import { crawlSite, type PageOutcome } from './crawl.ts';
import { FetchError, fetchConfigOf, fetchPage, robotsFetcher, type FetchedPage } from './fetch-page.ts';
import { RobotsCache } from './robots.ts';

/** The longest a crawl may run, whatever maxPages × FETCH_TIMEOUT says; the job expires a while later. */
export const CRAWL_MAX_SECONDS = 3 * 3600;

export const newCrawlId = () => `crawl_${randomBytes(12).toString('hex')}`;

/** Who started the crawl: the pages it stores are created (and audited) in their name. */
const initiatorSchema = z.object({
  actorType: z.enum(['user', 'api_key', 'anonymous']),
  actorId: z.string().nullable(),
  ip: z.string(),
  userAgent: z.string().nullable(),
  requestId: z.string(),
});

export const crawlJob = {
  name: 'knowledge.crawl',
  payload: z.object({
    orgId: z.string(),
    chatbotId: z.string(),
    crawlId: z.string(),
    /** The start page's URL after redirects; its document was created by the request. */
    startUrl: z.string(),
    maxPages: z.number().int().min(1),
    maxDepth: z.number().int().min(0),
    tags: z.array(z.string()),
    initiator: initiatorSchema,
  }),
  retryLimit: 2,
  retryDelaySeconds: 30,
  expireInSeconds: CRAWL_MAX_SECONDS + 3600,
} satisfies JobSpec<z.ZodType>;

export type CrawlJobData = z.infer<typeof crawlJob.payload>;

type CrawlDeps = Pick<Deps, 'db' | 'cache' | 'config' | 'files' | 'jobs' | 'indexCache' | 'log'>;

export function initiatorOf(ctx: RequestContext): CrawlJobData['initiator'] {
  return {
    actorType: ctx.actor?.type === 'user' || ctx.actor?.type === 'api_key' ? ctx.actor.type : 'anonymous',
    actorId:
      ctx.actor?.type === 'user' ? ctx.actor.userId : ctx.actor?.type === 'api_key' ? ctx.actor.keyId : null,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
  };
}

function contextOf(data: CrawlJobData): RequestContext {
  const i = data.initiator;
  return {
    actor:
      i.actorType === 'user' && i.actorId
        ? { type: 'user', userId: i.actorId }
        : i.actorType === 'api_key' && i.actorId
          ? { type: 'api_key', keyId: i.actorId, orgId: data.orgId, chatbotId: null, scopes: [] }
          : null,
    ip: i.ip,
    userAgent: i.userAgent,
    requestId: i.requestId,
  };
}

/** A page this crawl already stored (a retried job resumes instead of storing it twice). */
async function alreadyStored(deps: Pick<Deps, 'db'>, data: CrawlJobData, url: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ id: documents.id })
    .from(documents)
    .where(
      and(
        eq(documents.orgId, data.orgId),
        eq(documents.chatbotId, data.chatbotId),
        eq(documents.sourceUrl, url),
        sql`${documents.metadata}->>'crawlId' = ${data.crawlId}`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Runs one site crawl: every page becomes its own document (metadata.crawlId, metadata.crawlDepth), queued for
 * ingestion like an upload. Idempotent enough for pg-boss retries: pages already stored by this crawl, or with
 * identical content, are not stored again. Ends with a `crawl.finish` audit entry summarising the crawl.
 */
export async function runCrawl(deps: CrawlDeps, data: CrawlJobData): Promise<void> {
  const ctx = contextOf(data);
  const cfg = fetchConfigOf(deps.config);
  const robots = new RobotsCache(robotsFetcher(cfg));
  const startUrl = new URL(data.startUrl);
  const budgetMs = Math.min(data.maxPages * cfg.timeoutMs, CRAWL_MAX_SECONDS * 1000);
  const finish = async (summary: Record<string, unknown>) => {
    await recordAudit(deps.db, ctx, {
      orgId: data.orgId,
      action: 'crawl.finish',
      target: { type: 'crawl', id: data.crawlId },
      metadata: { chatbotId: data.chatbotId, startUrl: data.startUrl, ...summary },
    });
    deps.log.info({ crawlId: data.crawlId, ...summary }, 'crawl finished');
  };

  // The start page is stored already; it is fetched again only for its links.
  let start: FetchedPage;
  try {
    start = await fetchPage(startUrl, cfg, { robots });
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    await finish({
      fetched: 1,
      stored: 0,
      duplicates: 0,
      stoppedBy: 'start_page_failed',
      error: err.message,
    });
    return;
  }

  const onPage = async (
    page: FetchedPage,
    depth: number,
  ): Promise<{ outcome: PageOutcome; reason?: string }> => {
    if (await alreadyStored(deps, data, page.url.href)) return { outcome: 'duplicate' };
    try {
      const r = await createDocumentFromBytes(
        deps,
        ctx,
        data.orgId,
        data.chatbotId,
        { bytes: page.bytes, filename: page.filename, declaredMime: page.mime },
        { tags: data.tags, metadata: { crawlId: data.crawlId, crawlDepth: depth } },
        { type: 'url', url: page.url.href },
      );
      return { outcome: r.duplicate ? 'duplicate' : 'stored' };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // The chatbot is full or gone: nothing more can be stored. A page we cannot parse is only skipped.
      if (err.code === 'limit_reached' || err.code === 'not_found')
        return { outcome: 'stop', reason: err.message };
      return { outcome: 'skipped', reason: err.message };
    }
  };

  const summary = await crawlSite({
    start,
    maxPages: data.maxPages,
    maxDepth: data.maxDepth,
    budgetMs,
    fetch: cfg,
    robots,
    onPage,
  });
  await finish({
    fetched: summary.fetched,
    stored: summary.stored,
    duplicates: summary.duplicates,
    stoppedBy: summary.stoppedBy,
    skipped: summary.skipped.slice(0, 50),
  });
}
