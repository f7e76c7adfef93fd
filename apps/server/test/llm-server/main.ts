import { parseArgs } from 'node:util';
import { startLlmTestServer } from './server.ts';

/**
 * The LLM test server as its own process, for benchmarks (bench/stream) and manual tries with curl:
 *
 *   node --import tsx apps/server/test/llm-server/main.ts --port 0 --ttft 300 --itl 15 --tokens 150
 *
 * Prints its base URL (…/v1) as the first line of stdout, then runs until SIGINT/SIGTERM; on exit it prints
 * its counters as one JSON line.
 */
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    ttft: { type: 'string', default: '0' },
    itl: { type: 'string', default: '0' },
    tokens: { type: 'string' },
    reply: { type: 'string' },
    echo: { type: 'boolean', default: false },
    'api-key': { type: 'string' },
    dims: { type: 'string' },
    model: { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'options: --host --port --ttft <ms> --itl <ms> --tokens <n> --reply <text> --echo --api-key <key> ' +
      '--dims <n> --model <id> (repeatable)',
  );
  process.exit(0);
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const server = await startLlmTestServer({
  host: values.host,
  port: num(values.port),
  ttftMs: num(values.ttft),
  itlMs: num(values.itl),
  tokens: num(values.tokens),
  reply: values.echo ? 'echo' : values.reply,
  apiKey: values['api-key'] ?? null,
  embeddingDims: num(values.dims),
  models: values.model?.map((id) => ({ id })),
  // Nobody can read records from another process; counters are printed on exit.
  record: false,
});
console.log(server.url);

const stop = async () => {
  await server.close();
  console.log(JSON.stringify(server.counters));
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
