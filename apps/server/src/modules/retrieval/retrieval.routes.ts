import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { searchChatbot } from './retrieval.service.ts';

const botParams = z.object({ orgId: prefixedId('org'), botId: prefixedId('bot') });

const hitSchema = z.object({
  rank: z.number().int(),
  chunkId: z.string(),
  documentId: z.string(),
  documentTitle: z.string(),
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
};
