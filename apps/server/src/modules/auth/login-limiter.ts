import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../platform/errors.ts';

export interface LoginLimiter {
  hook: preHandlerAsyncHookHandler;
}

/**
 * Throttles credential endpoints twice: per client IP (one attacker, many accounts) and per account
 * (many IPs, one account). Uses @fastify/rate-limit's store: memory, or Redis when REDIS_URL is set, so
 * several API processes share the counts. Both counters are checked explicitly with createRateLimit():
 * hooks made by app.rateLimit() share a per-request "already limited" flag, so a second one (or the global
 * API limit) would silently skip the per-account count.
 */
export function createLoginLimiter(
  app: FastifyInstance,
  opts: { max: number; windowSeconds: number },
): LoginLimiter {
  const common = { max: opts.max, timeWindow: opts.windowSeconds * 1000 };
  const checks = [
    app.createRateLimit({ ...common, keyGenerator: (req) => `login-ip:${req.ip}` }),
    app.createRateLimit({
      ...common,
      keyGenerator: (req) =>
        `login-account:${String((req.body as { email?: string } | undefined)?.email ?? '').toLowerCase()}`,
    }),
  ];
  return {
    async hook(req, reply) {
      for (const check of checks) {
        const r = await check(req);
        if (!r.isAllowed && r.isExceeded) {
          reply.header('retry-after', String(r.ttlInSeconds));
          throw new AppError('rate_limited', `Too many attempts; try again in ${r.ttlInSeconds} s`);
        }
      }
    },
  };
}
