import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isoDate, languageSchema, preferencesSchema, roleSchema, themeSchema } from '@kawan/contracts';
import type { Deps } from '../../deps.ts';
import { contextOf, userIdOf } from '../../platform/http/access.ts';
import type { UserRow } from './auth.repo.ts';
import * as service from './auth.service.ts';
import type { LoginLimiter } from './login-limiter.ts';

const email = z.email().max(254).describe('Email address');
const password = z.string().min(8, 'must be at least 8 characters').max(256);

const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
  isPlatformAdmin: z.boolean(),
  preferences: preferencesSchema,
  createdAt: isoDate,
});

const sessionSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string().describe('Single use: each refresh returns a new one'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().describe('Access token lifetime, seconds'),
});

const meSchema = userSchema.extend({
  organizations: z.array(z.object({ id: z.string(), name: z.string(), slug: z.string(), role: roleSchema })),
});

const presentUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  emailVerified: u.emailVerifiedAt !== null,
  isPlatformAdmin: u.isPlatformAdmin,
  preferences: u.preferences,
  createdAt: u.createdAt.toISOString(),
});

const presentMe = (me: Awaited<ReturnType<typeof service.getMe>>) => ({
  ...presentUser(me.user),
  organizations: me.orgs.map((o) => ({ id: o.org.id, name: o.org.name, slug: o.org.slug, role: o.role })),
});

const accepted = z.object({ ok: z.literal(true) });

export const authRoutes: FastifyPluginAsyncZod<{ deps: Deps; loginLimiter: LoginLimiter }> = async (
  app,
  { deps, loginLimiter },
) => {
  app.post(
    '/auth/register',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Create an account and its first organization (you become its owner)',
        body: z.object({
          email,
          password,
          name: z.string().trim().min(1).max(100),
          orgName: z.string().trim().min(1).max(100).optional(),
          language: languageSchema.optional(),
        }),
        response: {
          201: z.object({
            user: userSchema,
            organization: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
            session: sessionSchema,
          }),
        },
      },
    },
    async (req, reply) => {
      const r = await service.register(deps, contextOf(req), req.body);
      return reply.status(201).send({
        user: presentUser(r.user),
        organization: { id: r.org.id, name: r.org.name, slug: r.org.slug },
        session: r.session,
      });
    },
  );

  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      preHandler: loginLimiter.hook,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (throttled per account and per IP)',
        body: z.object({ email, password: z.string().min(1).max(256) }),
        response: { 200: z.object({ user: userSchema, session: sessionSchema }) },
      },
    },
    async (req) => {
      const r = await service.login(deps, contextOf(req), req.body);
      return { user: presentUser(r.user), session: r.session };
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (reusing an old one signs out the whole login)',
        body: z.object({ refreshToken: z.string().min(10).max(200) }),
        response: { 200: z.object({ session: sessionSchema }) },
      },
    },
    async (req) => ({ session: await service.refresh(deps, contextOf(req), req.body.refreshToken) }),
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke the refresh token and every token of the same login',
        body: z.object({ refreshToken: z.string().min(10).max(200) }),
        response: { 200: accepted },
      },
    },
    async (req) => {
      await service.logout(deps, contextOf(req), req.body.refreshToken);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/forgot-password',
    {
      config: { access: 'public' },
      preHandler: loginLimiter.hook,
      schema: {
        tags: ['auth'],
        summary:
          'Email a single-use password reset link (answers the same whether or not the account exists)',
        body: z.object({ email }),
        response: { 202: accepted },
      },
    },
    async (req, reply) => {
      await service.forgotPassword(deps, contextOf(req), req.body.email);
      return reply.status(202).send({ ok: true as const });
    },
  );

  app.post(
    '/auth/reset-password',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the emailed token; signs out every session',
        body: z.object({ token: z.string().min(10).max(200), password }),
        response: { 200: accepted },
      },
    },
    async (req) => {
      await service.resetPassword(deps, contextOf(req), req.body.token, req.body.password);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/verify-email',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Confirm an email address with the emailed token',
        body: z.object({ token: z.string().min(10).max(200) }),
        response: { 200: accepted },
      },
    },
    async (req) => {
      await service.verifyEmail(deps, contextOf(req), req.body.token);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/verify-email/resend',
    {
      config: { access: 'user' },
      schema: { tags: ['auth'], summary: 'Send a new verification email', response: { 202: accepted } },
    },
    async (req, reply) => {
      await service.resendVerification(deps, userIdOf(req));
      return reply.status(202).send({ ok: true as const });
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary: 'Your profile, preferences and organizations',
        response: { 200: meSchema },
      },
    },
    async (req) => presentMe(await service.getMe(deps, userIdOf(req))),
  );

  app.patch(
    '/auth/me',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary: 'Change your name or preferences (theme, language)',
        body: z
          .object({
            name: z.string().trim().min(1).max(100).optional(),
            preferences: z
              .object({ theme: themeSchema.optional(), language: languageSchema.optional() })
              .strict()
              .optional(),
          })
          .strict(),
        response: { 200: meSchema },
      },
    },
    async (req) => presentMe(await service.updateMe(deps, contextOf(req), userIdOf(req), req.body)),
  );

  app.post(
    '/auth/change-password',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; other sessions are signed out and a new session is returned',
        body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: password }),
        response: { 200: z.object({ session: sessionSchema }) },
      },
    },
    async (req) => ({
      session: await service.changePassword(
        deps,
        contextOf(req),
        userIdOf(req),
        req.body.currentPassword,
        req.body.newPassword,
      ),
    }),
  );
};
