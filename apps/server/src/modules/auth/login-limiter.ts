import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../platform/errors.ts';

export interface LoginLimiter {
  hook: preHandlerAsyncHookHandler[];
}

/**
 * Throttles credential endpoints twice: per client IP (one attacker, many accounts) and per account
 * (many IPs, one account). Uses @fastify/rate-limit's store: memory, or Redis when REDIS_URL is set, so
 * several API processes share the counts.
 */
export function createLoginLimiter(
  app: FastifyInstance,
  opts: { max: number; windowSeconds: number },
): LoginLimiter {
  const common = {
    max: opts.max,
    timeWindow: opts.windowSeconds * 1000,
    errorResponseBuilder: (_req: unknown, ctx: { after?: string }) =>
      new AppError('rate_limited', `Too many attempts; try again in ${ctx.after ?? 'a while'}`),
  };
  const byIp = app.rateLimit({ ...common, keyGenerator: (req) => `login-ip:${req.ip}` });
  const byAccount = app.rateLimit({
    ...common,
    keyGenerator: (req) =>
      `login-account:${String((req.body as { email?: string } | undefined)?.email ?? '').toLowerCase()}`,
  });
  return { hook: [byIp, byAccount] };
}
