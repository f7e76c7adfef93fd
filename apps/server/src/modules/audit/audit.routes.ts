import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isoDate, pageOf, paginationQuerySchema, prefixedId } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { listAuditLogs, type AuditRow } from './audit.repo.ts';

const auditLogSchema = z.object({
  id: z.string(),
  orgId: z.string().nullable(),
  actorType: z.enum(['user', 'api_key', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
});

const filterSchema = paginationQuerySchema.extend({
  action: z.string().max(100).optional().describe('Exact action, e.g. chatbot.create'),
  actorId: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

const present = (r: AuditRow) => ({ ...r, createdAt: r.createdAt.toISOString() });

export const auditRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const query = async (orgId: string | null, q: z.infer<typeof filterSchema>) => {
    const rows = await listAuditLogs(deps.db, orgId, {
      ...q,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      before: decodeCursor(q.cursor),
    });
    const page = toPage(rows, q.limit);
    return { data: page.data.map(present), nextCursor: page.nextCursor };
  };

  app.get(
    '/orgs/:orgId/audit-logs',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "List the organization's audit trail (newest first)",
        params: z.object({ orgId: prefixedId('org') }),
        querystring: filterSchema,
        response: { 200: pageOf(auditLogSchema) },
      },
    },
    async (req) => query(req.params.orgId, req.query),
  );

  app.get(
    '/admin/audit-logs',
    {
      config: { access: 'platform_admin' },
      schema: {
        tags: ['admin'],
        summary: 'Audit trail across all organizations',
        querystring: filterSchema.extend({ orgId: prefixedId('org').optional() }),
        response: { 200: pageOf(auditLogSchema) },
      },
    },
    async (req) => query(req.query.orgId ?? null, req.query),
  );
};
