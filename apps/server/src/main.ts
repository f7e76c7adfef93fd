#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, renderConfigTable } from './config.ts';
import { createRuntime } from './boot.ts';
import { buildApp } from './app.ts';
import { createAdmin } from './modules/admin/create-admin.ts';
import { evalRetrieval } from './modules/retrieval/eval.ts';

const usage = `kawan <command>

  serve [--role=all|api|worker]
                        start Kawan: HTTP on HOST:PORT (default http://localhost:2026) and/or background jobs
  migrate               apply database migrations and exit
  create-admin          --email E --password P [--name N]: create or promote a platform administrator
  eval retrieval <collection-dir> --run <out.trec> [--mode hybrid|keyword|semantic] [--no-expand]
                        load a test collection (corpus.jsonl, queries.jsonl) into a throwaway embedded
                        database, run every query through the API's search, write a TREC run (top 100)
  models list           GGUF model files in MODELS_DIR (default DATA_DIR/models), with sizes
  models pull <url|path> [--name <file.gguf>]
                        download (with progress) or copy a GGUF model into MODELS_DIR
  config-table          print the configuration table (markdown) for README
  openapi               print the OpenAPI document (the dashboard's typed client is generated from it)
`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      run: { type: 'string' },
      mode: { type: 'string' },
      'no-expand': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help || command === 'help') return void process.stdout.write(usage);
  if (command === 'config-table') return void process.stdout.write(`${renderConfigTable()}\n`);

  if (command === 'eval') {
    const [, what, dir] = positionals;
    const mode = values.mode ?? 'hybrid';
    if (what !== 'retrieval' || !dir || !values.run || !['hybrid', 'keyword', 'semantic'].includes(mode)) {
      throw new Error(
        `usage: kawan eval retrieval <collection-dir> --run <out.trec> [--mode hybrid|keyword|semantic]`,
      );
    }
    const r = await evalRetrieval({
      collectionDir: dir,
      runFile: values.run,
      mode: mode as 'hybrid' | 'keyword' | 'semantic',
      expand: !values['no-expand'],
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stderr.write(
      `${r.documents} documents, ${r.queries} queries, ${(r.ms / 1000).toFixed(1)} s → ${values.run}\n`,
    );
    return;
  }

  const config = loadConfig(undefined, { JOB_ROLE: values.role });
  if (command === 'models') {
    const { runModelsCommand } = await import('./platform/llm/models-cli.ts');
    const opts = { name: values.name, out: process.stdout, err: process.stderr };
    return runModelsCommand(config, positionals.slice(1), opts);
  }
  if (command === 'openapi') {
    // A throwaway embedded database: building the app needs a runtime, but nothing is served or stored.
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kawan-openapi-'));
    const rt = await createRuntime(
      { ...config, DATA_DIR: dir, DATABASE_URL: undefined, REDIS_URL: undefined, LOG_LEVEL: 'error' },
      { migrate: false },
    );
    try {
      const app = await buildApp(rt);
      await app.ready();
      process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
      await app.close();
    } finally {
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  if (command === 'migrate') {
    const rt = await createRuntime(config);
    rt.log.info({ database: rt.database.kind }, 'migrations applied');
    return rt.close();
  }
  if (command === 'create-admin') {
    if (!values.email || !values.password) throw new Error('create-admin needs --email and --password');
    const rt = await createRuntime(config);
    try {
      const r = await createAdmin(rt, { email: values.email, password: values.password, name: values.name });
      process.stdout.write(
        `${r.created ? 'Created' : 'Promoted'} platform administrator ${r.email} (${r.id})\n`,
      );
    } finally {
      await rt.close();
    }
    return;
  }
  if (command !== 'serve') throw new Error(`Unknown command "${command}"\n\n${usage}`);

  const role = config.JOB_ROLE;
  const rt = await createRuntime(config);
  const app = role === 'worker' ? null : await buildApp(rt);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'shutting down');
    await app?.close();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await rt.jobs.start({ work: role !== 'api' });
  if (app) await app.listen({ host: config.HOST, port: config.PORT });
  rt.log.info(
    {
      role,
      url: app ? config.publicUrl : undefined,
      database: rt.database.kind,
      docs: app ? `${config.publicUrl}/docs` : undefined,
    },
    role === 'worker' ? 'Kawan worker is running' : 'Kawan is ready',
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
