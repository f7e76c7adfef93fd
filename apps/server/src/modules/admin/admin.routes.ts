import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isoDate, pageOf, paginationQuerySchema } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { listOutbox } from './admin.repo.ts';

const outboxSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  kind: z.string(),
  status: z.enum(['stored', 'sent', 'failed']),
  error: z.string().nullable(),
  createdAt: isoDate,
  sentAt: isoDate.nullable(),
});

export const adminRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/admin/outbox',
    {
      config: { access: 'platform_admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every email Kawan sent or stored (the dev outbox when no SMTP server is configured)',
        querystring: paginationQuerySchema.extend({
          to: z.string().max(254).optional().describe('Filter by recipient'),
        }),
        response: { 200: pageOf(outboxSchema) },
      },
    },
    async (req) => {
      const rows = await listOutbox(deps.db, {
        to: req.query.to,
        before: decodeCursor(req.query.cursor),
        limit: req.query.limit,
      });
      const page = toPage(rows, req.query.limit);
      return {
        data: page.data.map((m) => ({
          id: m.id,
          to: m.toAddress,
          subject: m.subject,
          text: m.textBody,
          kind: m.kind,
          status: m.status,
          error: m.error,
          createdAt: m.createdAt.toISOString(),
          sentAt: m.sentAt?.toISOString() ?? null,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
};
