import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../platform/errors.ts';
import type { OrgAccess } from '../../../platform/auth/policy.ts';
import type { RequestContext } from '../../../platform/http/access.ts';
import { requireChatbot } from '../../chatbots/chatbots.service.ts';
import { createDocumentFromBytes } from '../documents.service.ts';
import type { DocumentRow } from '../knowledge.repo.ts';
import { crawlJob, initiatorOf, newCrawlId } from './crawl.job.ts';
import { FetchError, fetchConfigOf, fetchPage, robotsFetcher, type FetchedPage } from './fetch-page.ts';
import { RobotsCache } from './robots.ts';

type UrlDeps = Pick<Deps, 'db' | 'cache' | 'config' | 'files' | 'jobs' | 'indexCache'>;

export interface UrlIngestRequest {
  url: string;
  mode: 'page' | 'site';
  maxPages?: number;
  maxDepth?: number;
  tags?: string[];
  title?: string;
}

export interface UrlIngestResult {
  document: DocumentRow;
  duplicate: boolean;
  crawl: { id: string; maxPages: number; maxDepth: number } | null;
}

/** A failed fetch, as the API answers it. Refusals by the SSRF guard and robots.txt are 400 bad_request. */
export function fetchErrorToAppError(err: FetchError): AppError {
  switch (err.code) {
    case 'too_large':
      return new AppError('payload_too_large', err.message);
    case 'unsupported_type':
      return new AppError('unsupported_media_type', err.message);
    default:
      return new AppError('bad_request', err.message);
  }
}

/**
 * Ingests a URL. The page is fetched now (SSRF guard, robots.txt, FETCH_TIMEOUT, FETCH_MAX_BYTES), stored as
 * the document's file and queued for ingestion exactly like an upload (same dedup by content hash). With
 * mode 'site' the page is the start of a crawl that continues in a background job; each page it fetches
 * becomes its own document carrying metadata.crawlId.
 */
export async function ingestUrl(
  deps: UrlDeps,
  ctx: RequestContext,
  access: OrgAccess,
  botId: string,
  req: UrlIngestRequest,
): Promise<UrlIngestResult> {
  await requireChatbot(deps, access.orgId, botId); // 404 before any traffic leaves
  const url = new URL(req.url);
  url.hash = '';
  const cfg = fetchConfigOf(deps.config);
  let page: FetchedPage;
  try {
    page = await fetchPage(url, cfg, { robots: new RobotsCache(robotsFetcher(cfg)) });
  } catch (err) {
    throw err instanceof FetchError ? fetchErrorToAppError(err) : err;
  }

  const crawl =
    req.mode === 'site'
      ? {
          id: newCrawlId(),
          maxPages: req.maxPages ?? deps.config.CRAWL_MAX_PAGES,
          maxDepth: req.maxDepth ?? deps.config.CRAWL_MAX_DEPTH,
        }
      : null;
  const { document, duplicate } = await createDocumentFromBytes(
    deps,
    ctx,
    access.orgId,
    botId,
    { bytes: page.bytes, filename: page.filename, declaredMime: page.mime },
    {
      title: req.title,
      tags: req.tags,
      ...(crawl ? { metadata: { crawlId: crawl.id, crawlDepth: 0 } } : {}),
    },
    { type: 'url', url: page.url.href },
  );
  if (crawl) {
    await deps.jobs.send(
      crawlJob,
      {
        orgId: access.orgId,
        chatbotId: botId,
        crawlId: crawl.id,
        startUrl: page.url.href,
        maxPages: crawl.maxPages,
        maxDepth: crawl.maxDepth,
        tags: req.tags ?? [],
        initiator: initiatorOf(ctx),
      },
      { singletonKey: crawl.id },
    );
  }
  return { document, duplicate, crawl };
}
