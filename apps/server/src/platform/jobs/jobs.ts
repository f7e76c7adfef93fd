import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { z } from 'zod';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Background jobs on pg-boss, in the same database as everything else (PGlite or PostgreSQL). pg-boss talks
 * through the app's own pool (its `db` adapter), which in embedded mode is the single PGlite connection.
 * Jobs are declared as data: a name, a zod payload, retry/expiry options and an idempotent handler — a job may
 * run again after a crash, so handlers must converge to the same result.
 */
/** What a job is (shared by senders and workers); the handler is attached where the worker is built. */
export interface JobSpec<S extends z.ZodType> {
  name: string;
  payload: S;
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
}

type Handler<S extends z.ZodType> = (data: z.output<S>, job: { id: string }) => Promise<void>;
type JobDefinition<S extends z.ZodType> = JobSpec<S> & { handler: Handler<S> };

export interface Jobs {
  define<S extends z.ZodType>(spec: JobSpec<S>, handler: Handler<S>): void;
  send<S extends z.ZodType>(
    spec: JobSpec<S>,
    data: z.input<S>,
    opts?: { singletonKey?: string },
  ): Promise<string | null>;
  /** Starts pg-boss; with `work`, also polls and runs the defined jobs. */
  start(opts: { work: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export function createJobs(deps: {
  pool: pg.Pool;
  log: FastifyBaseLogger;
  embedded: boolean;
  pollingIntervalSeconds?: number;
}): Jobs {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => deps.pool.query(text, values) },
    schema: 'pgboss',
    // Maintenance (expiry of stuck jobs, archiving) runs in every process; pg-boss serialises it itself.
    maintenanceIntervalSeconds: 30,
  });
  boss.on('error', (err) => deps.log.error({ err }, 'job queue error'));
  const defs = new Map<string, JobDefinition<z.ZodType>>();
  let started = false;

  const queueOptions = (def: JobSpec<z.ZodType>) => ({
    retryLimit: def.retryLimit ?? 3,
    retryDelay: def.retryDelaySeconds ?? 5,
    retryBackoff: true,
    expireInSeconds: def.expireInSeconds ?? 15 * 60,
  });

  return {
    define(spec, handler) {
      defs.set(spec.name, { ...spec, handler } as unknown as JobDefinition<z.ZodType>);
    },
    async send(spec, data, opts) {
      const payload = spec.payload.parse(data) as object;
      return boss.send(spec.name, payload, {
        ...queueOptions(spec as unknown as JobSpec<z.ZodType>),
        ...(opts?.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      });
    },
    async start({ work }) {
      await boss.start();
      started = true;
      for (const def of defs.values()) {
        if (!(await boss.getQueue(def.name)))
          await boss.createQueue(def.name, { name: def.name, ...queueOptions(def) });
      }
      if (!work) return;
      if (deps.embedded) {
        // One process owns the embedded database (pid lock), so a job still 'active' at start was cut off by a
        // crash or kill -9: hand it back now instead of waiting for its expiry.
        const { rowCount } = await deps.pool.query(
          `update pgboss.job set state = 'retry', start_after = now() where state = 'active'`,
        );
        if (rowCount) deps.log.warn({ jobs: rowCount }, 'resumed jobs interrupted by the previous run');
      }
      for (const def of defs.values()) {
        await boss.work<object>(
          def.name,
          { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 1 },
          async (jobs) => {
            for (const job of jobs) {
              const data = def.payload.parse(job.data);
              try {
                await def.handler(data, { id: job.id });
              } catch (err) {
                deps.log.warn({ err, job: def.name, jobId: job.id }, 'job failed; pg-boss retries it');
                throw err;
              }
            }
          },
        );
      }
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      started = false;
    },
  };
}
