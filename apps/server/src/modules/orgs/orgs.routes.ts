import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isoDate, pageOf, paginationQuerySchema, prefixedId, roleSchema } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { contextOf, orgAccessOf, userIdOf } from '../../platform/http/access.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import * as orgs from './orgs.service.ts';
import * as members from './members.service.ts';
import * as repo from './orgs.repo.ts';

const orgParams = z.object({ orgId: prefixedId('org') });
const slugSchema = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case letters, digits and single dashes');

const orgSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  contactEmail: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const myOrgSchema = orgSchema.extend({ role: roleSchema });
const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  joinedAt: isoDate,
});
const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  expiresAt: isoDate,
  createdAt: isoDate,
});

const presentOrg = (o: repo.OrgRow) => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  contactEmail: o.contactEmail,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});
const presentInvitation = (i: repo.InvitationRow) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  expiresAt: i.expiresAt.toISOString(),
  createdAt: i.createdAt.toISOString(),
});

export const orgRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/orgs',
    {
      config: { access: 'user' },
      schema: {
        tags: ['orgs'],
        summary: 'Organizations you belong to, with your role',
        response: { 200: z.object({ data: z.array(myOrgSchema) }) },
      },
    },
    async (req) => {
      const rows = await repo.listOrgsOfUser(deps.db, userIdOf(req));
      return { data: rows.map((r) => ({ ...presentOrg(r.org), role: r.role })) };
    },
  );

  app.post(
    '/orgs',
    {
      config: { access: 'user' },
      schema: {
        tags: ['orgs'],
        summary: 'Create an organization (you become its owner)',
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            slug: slugSchema.optional(),
            contactEmail: z.email().max(254).optional(),
          })
          .strict(),
        response: { 201: myOrgSchema },
      },
    },
    async (req, reply) => {
      const org = await orgs.createOrg(deps, contextOf(req), userIdOf(req), req.body);
      return reply.status(201).send({ ...presentOrg(org), role: 'owner' as const });
    },
  );

  app.get(
    '/orgs/:orgId',
    {
      config: { access: 'org:read' },
      schema: {
        tags: ['orgs'],
        summary: 'Get an organization',
        params: orgParams,
        response: { 200: orgSchema },
      },
    },
    async (req) => presentOrg(await orgs.getOrg(deps, orgAccessOf(req))),
  );

  app.patch(
    '/orgs/:orgId',
    {
      config: { access: 'org:update' },
      schema: {
        tags: ['orgs'],
        summary: 'Rename an organization or change its slug or contact email',
        params: orgParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            slug: slugSchema,
            contactEmail: z.email().max(254).nullable(),
          })
          .partial()
          .strict()
          .refine((v) => Object.keys(v).length > 0, 'send at least one field to change'),
        response: { 200: orgSchema },
      },
    },
    async (req) => presentOrg(await orgs.updateOrg(deps, contextOf(req), orgAccessOf(req), req.body)),
  );

  app.delete(
    '/orgs/:orgId',
    {
      config: { access: 'org:delete' },
      schema: {
        tags: ['orgs'],
        summary: 'Delete an organization and everything in it (owners only)',
        params: orgParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await orgs.deleteOrg(deps, contextOf(req), orgAccessOf(req));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/orgs/:orgId/members',
    {
      config: { access: 'members:read' },
      schema: {
        tags: ['members'],
        summary: 'List members',
        params: orgParams,
        querystring: paginationQuerySchema,
        response: { 200: pageOf(memberSchema) },
      },
    },
    async (req) => {
      const after = decodeCursor(req.query.cursor);
      const rows = await repo.listMembers(deps.db, req.params.orgId, after, req.query.limit);
      const page = toPage(
        rows.map((r) => ({ ...r, id: r.userId, joinedAt: r.joinedAt.toISOString() })),
        req.query.limit,
      );
      return { data: page.data.map(({ id: _id, ...m }) => m), nextCursor: page.nextCursor };
    },
  );

  app.patch(
    '/orgs/:orgId/members/:userId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        params: orgParams.extend({ userId: prefixedId('usr') }),
        body: z.object({ role: roleSchema }).strict(),
        response: { 200: z.object({ userId: z.string(), role: roleSchema }) },
      },
    },
    async (req) => {
      await members.changeRole(deps, contextOf(req), orgAccessOf(req), req.params.userId, req.body.role);
      return { userId: req.params.userId, role: req.body.role };
    },
  );

  app.delete(
    '/orgs/:orgId/members/:userId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: 'Remove a member',
        params: orgParams.extend({ userId: prefixedId('usr') }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await members.removeMember(deps, contextOf(req), orgAccessOf(req), req.params.userId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/orgs/:orgId/leave',
    {
      config: { access: 'org:leave' },
      schema: {
        tags: ['members'],
        summary: 'Leave the organization (the last owner cannot)',
        params: orgParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await members.leaveOrg(deps, contextOf(req), orgAccessOf(req));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/orgs/:orgId/invitations',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: 'Pending invitations',
        params: orgParams,
        querystring: paginationQuerySchema,
        response: { 200: pageOf(invitationSchema) },
      },
    },
    async (req) => {
      const rows = await repo.listPendingInvitations(
        deps.db,
        req.params.orgId,
        decodeCursor(req.query.cursor),
        req.query.limit,
      );
      const page = toPage(rows, req.query.limit);
      return { data: page.data.map(presentInvitation), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/orgs/:orgId/invitations',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: 'Invite someone by email; they accept with the emailed token',
        params: orgParams,
        body: z.object({ email: z.email().max(254), role: roleSchema.default('member') }).strict(),
        response: {
          201: z.object({
            invitation: invitationSchema,
            token: z.string().describe('Shown once; also sent by email'),
            inviteUrl: z.string(),
          }),
        },
      },
    },
    async (req, reply) => {
      const r = await members.inviteMember(deps, contextOf(req), orgAccessOf(req), req.body);
      return reply
        .status(201)
        .send({ invitation: presentInvitation(r.invitation), token: r.token, inviteUrl: r.inviteUrl });
    },
  );

  app.delete(
    '/orgs/:orgId/invitations/:inviteId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: 'Revoke a pending invitation',
        params: orgParams.extend({ inviteId: prefixedId('inv') }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await members.revokeInvitation(deps, contextOf(req), orgAccessOf(req), req.params.inviteId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invitations/accept',
    {
      config: { access: 'user' },
      schema: {
        tags: ['members'],
        summary: 'Accept an invitation sent to your email address',
        body: z.object({ token: z.string().min(10).max(200) }).strict(),
        response: { 200: z.object({ orgId: z.string(), role: roleSchema }) },
      },
    },
    async (req) => members.acceptInvitation(deps, contextOf(req), userIdOf(req), req.body.token),
  );
};
