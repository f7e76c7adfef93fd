/**
 * The baseline of bench/http: a bare Fastify 5 "hello" with the logger off, nothing else. Run as its own
 * process by run.ts (`node --import tsx bench/http/bare-server.ts`, PORT/HOST from the environment).
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
