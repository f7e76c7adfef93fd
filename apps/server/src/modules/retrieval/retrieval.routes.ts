import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { searchChatbot } from './retrieval.service.ts';
import { expandQueryForChatbot } from './query-expansion.service.ts';

const botParams = z.object({ orgId: prefixedId('org'), botId: prefixedId('bot') });

const sourceSchema = z
  .enum(['document', 'faq', 'business', 'catalogue'])
  .describe("A document chunk, an FAQ entry, the org's business profile or a catalogue item");

const hitSchema = z.object({
  rank: z.number().int(),
  source: sourceSchema,
  chunkId: z
    .string()
    .describe(
      'Id of the matched piece: the chunk of a document; the FAQ or catalogue item id; business:<orgId>',
    ),
  documentId: z.string().nullable().describe('Document hits only'),
  faqId: z.string().nullable().describe('FAQ hits only'),
  itemId: z.string().nullable().describe('Catalogue hits only'),
  documentTitle: z
    .string()
    .describe('Title of the source: the document, the FAQ question, the business or the catalogue item name'),
  page: z.number().int().nullable(),
  ordinal: z.number().int(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
  heading: z.string().nullable(),
  text: z.string(),
  highlight: z.string().describe('The text, HTML-escaped, with matched words in <mark>'),
  score: z.number(),
  scores: z
    .object({ bm25: z.number().optional(), vector: z.number().optional(), fused: z.number() })
    .describe('Score breakdown: BM25F (after feedback), cosine similarity, and the fused score'),
});

export const retrievalRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/orgs/:orgId/chatbots/:botId/search',
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary: "Search a chatbot's knowledge (keyword = BM25F, semantic = embeddings, hybrid = both fused)",
        params: botParams,
        body: z
          .object({
            query: z.string().trim().min(1).max(2000),
            mode: z.enum(['hybrid', 'keyword', 'semantic']).default('hybrid'),
            topK: z.number().int().min(1).max(100).default(10),
            expand: z.boolean().default(true).describe('Offline query expansion (pseudo-relevance feedback)'),
            documentIds: z.array(prefixedId('doc')).max(100).optional(),
            tags: z
              .array(z.string().max(50))
              .max(20)
              .optional()
              .describe('Only documents carrying all these tags'),
            metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
            sources: z
              .array(sourceSchema)
              .min(1)
              .max(4)
              .optional()
              .describe('Only these kinds of knowledge (default: all)'),
          })
          .strict(),
        response: {
          200: z.object({
            mode: z.enum(['hybrid', 'keyword', 'semantic']),
            hits: z.array(hitSchema),
            query: z.object({
              terms: z.array(z.string()),
              expansion: z.array(
                z.object({ term: z.string(), weight: z.number(), source: z.enum(['feedback', 'neighbour']) }),
              ),
              feedbackWeight: z.number(),
            }),
          }),
        },
      },
    },
    async (req) => {
      const r = await searchChatbot(deps, req.params.orgId, req.params.botId, req.body);
      return { mode: req.body.mode, ...r };
    },
  );

  app.post(
    '/orgs/:orgId/chatbots/:botId/query-expansion',
    {
      config: { access: 'chatbots:read' },
      schema: {
        tags: ['knowledge'],
        summary:
          "Expand a query: offline pseudo-relevance feedback terms over the chatbot's knowledge, and LLM rewrites when a model is configured",
        params: botParams,
        body: z
          .object({
            query: z.string().trim().min(1).max(2000),
            method: z
              .enum(['auto', 'feedback', 'llm'])
              .default('auto')
              .describe(
                'feedback = offline (RM3); llm = model rewrites (409 without a model); auto = both when possible',
              ),
          })
          .strict(),
        response: {
          200: z.object({
            query: z.string(),
            method: z.enum(['auto', 'feedback', 'llm']),
            applied: z.array(z.enum(['feedback', 'llm'])).describe('The methods that ran'),
            terms: z.array(z.string()).describe("The query's index terms (stems)"),
            expansion: z
              .array(
                z.object({
                  term: z.string(),
                  word: z.string().describe('A readable form of the term'),
                  weight: z.number().describe('Share of the final weighted query'),
                  source: z.enum(['feedback', 'neighbour']),
                }),
              )
              .describe('Added terms, strongest first'),
            feedbackWeight: z
              .number()
              .describe('Share of the query given to feedback (0: damped or not run)'),
            expandedQuery: z.string().describe('The query followed by its strongest expansion words'),
            rewrites: z.array(z.string()).describe('LLM rewrites (multi-query); empty without a model'),
          }),
        },
      },
    },
    async (req) => expandQueryForChatbot(deps, req.params.orgId, req.params.botId, req.body),
  );
};
