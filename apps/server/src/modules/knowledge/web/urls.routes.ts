import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { prefixedId } from '@kawan/contracts';
import type { Deps } from '../../../deps.ts';
import { contextOf, orgAccessOf } from '../../../platform/http/access.ts';
import { documentMetaSchema, documentSchema, presentDocument } from '../documents.schemas.ts';
import { ingestUrl } from './urls.service.ts';

const botParams = z.object({ orgId: prefixedId('org'), botId: prefixedId('bot') });

const resultSchema = z.object({
  document: documentSchema,
  duplicate: z.boolean().describe('Identical content was already in this chatbot: that document is returned'),
  crawl: z
    .object({
      id: z.string().describe('Each page of the crawl is a document whose metadata.crawlId is this id'),
      maxPages: z.number().int(),
      maxDepth: z.number().int(),
    })
    .nullable()
    .describe('mode "site" only'),
});

export const urlRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const { CRAWL_MAX_PAGES, CRAWL_MAX_DEPTH } = deps.config;
  const body = z
    .object({
      url: z
        .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
        .max(2048)
        .describe('The page to ingest, or the start page of a site crawl'),
      mode: z
        .enum(['page', 'site'])
        .default('page')
        .describe('page: this page only; site: also the pages it links to on the same host'),
      maxPages: z
        .number()
        .int()
        .min(1)
        .max(CRAWL_MAX_PAGES)
        .optional()
        .describe(
          `site: most pages to fetch, the start page included (default and limit ${CRAWL_MAX_PAGES})`,
        ),
      maxDepth: z
        .number()
        .int()
        .min(0)
        .max(CRAWL_MAX_DEPTH)
        .optional()
        .describe(`site: most link hops from the start page (default and limit ${CRAWL_MAX_DEPTH})`),
      tags: documentMetaSchema.shape.tags.describe('Tags of every document created'),
      title: documentMetaSchema.shape.title.describe('Title of the (start) page; default: the page title'),
    })
    .strict()
    .refine((b) => b.mode === 'site' || (b.maxPages === undefined && b.maxDepth === undefined), {
      message: 'maxPages and maxDepth apply to mode "site" only',
      path: ['mode'],
    });

  app.post(
    '/orgs/:orgId/chatbots/:botId/documents/urls',
    {
      config: { access: 'chatbots:write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Ingest a web page, or crawl a site, into documents',
        description:
          'Fetches the URL now and stores it as a document queued for ingestion (like an upload). ' +
          'mode "site" answers 202 and crawls the same host breadth-first in the background, within maxDepth, ' +
          'maxPages and a time budget, obeying robots.txt (agent KawanBot). Private, loopback and link-local ' +
          'targets are refused (400) unless FETCH_ALLOWED_HOSTS admits them; pages over FETCH_MAX_BYTES → 413; ' +
          'content types that cannot be ingested → 415.',
        params: botParams,
        body,
        response: { 201: resultSchema, 200: resultSchema, 202: resultSchema },
      },
    },
    async (req, reply) => {
      const r = await ingestUrl(deps, contextOf(req), orgAccessOf(req), req.params.botId, req.body);
      return reply
        .status(r.crawl ? 202 : r.duplicate ? 200 : 201)
        .send({ document: presentDocument(r.document), duplicate: r.duplicate, crawl: r.crawl });
    },
  );
};
