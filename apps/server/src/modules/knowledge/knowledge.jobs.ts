import type { Deps } from '../../deps.ts';
import { ingestDocument, ingestJob } from './ingest.job.ts';
import { crawlJob, runCrawl } from './web/crawl.job.ts';
import { reembedJob, runReembed } from './reembed.job.ts';

/** Attaches the knowledge area's job handlers (every role defines them; only workers run them). */
export function registerKnowledgeJobs(deps: Deps): void {
  deps.jobs.define(ingestJob, (data) => ingestDocument(deps, data));
  deps.jobs.define(crawlJob, (data) => runCrawl(deps, data));
  deps.jobs.define(reembedJob, (data) => runReembed(deps, data));
}
