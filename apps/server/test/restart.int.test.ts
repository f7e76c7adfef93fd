import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request, tmpDir } from './harness.ts';

// The real binary, as `npm start` runs it: embedded database in DATA_DIR, no other configuration.
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const main = path.join(repoRoot, 'apps/server/src/main.ts');
// node --import tsx (not the tsx wrapper): one process, so signals reach the server itself.
const nodeArgs = ['--import', 'tsx', main];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // No DATABASE_URL, REDIS_URL, SMTP_URL or JWT_SECRET: the zero-config path.
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...extra };
}

async function startKawan(
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; readyMs: number; url: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, 'serve'], {
    env: cleanEnv({ DATA_DIR: dataDir, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kawan exited early (${child.exitCode}): ${output}`);
    if (Date.now() - started > 60_000)
      throw new Error(`kawan did not answer /healthz within 60 s: ${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { child, readyMs: Date.now() - started, url };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

describe('the kawan process on its embedded database', () => {
  const dataDir = tmpDir('restart-');
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) await stop(c, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts from nothing, keeps data across a clean stop and a kill -9', async (t) => {
    const port = await freePort();
    const first = await startKawan(dataDir, port);
    children.push(first.child);
    t.diagnostic(`first start (initdb + migrations) answered /healthz after ${first.readyMs} ms`);
    const ready = await request(first.url, 'GET', '/readyz');
    assert.deepEqual(ready.body, { status: 'ready', database: 'pglite' });

    const creds = { email: 'persist@example.com', password: 'persist-pass-1' };
    const reg = await request(first.url, 'POST', '/api/v1/auth/register', {
      body: { ...creds, name: 'Persist' },
    });
    assert.equal(reg.status, 201);
    const bot = await request(first.url, 'POST', `/api/v1/orgs/${reg.body.organization.id}/chatbots`, {
      token: reg.body.session.accessToken,
      body: { name: 'Survivor' },
    });
    assert.equal(bot.status, 201);

    await stop(first.child, 'SIGTERM');
    const second = await startKawan(dataDir, port);
    children.push(second.child);
    t.diagnostic(`restart answered /healthz after ${second.readyMs} ms`);
    const login = await request(second.url, 'POST', '/api/v1/auth/login', { body: creds });
    assert.equal(login.status, 200, 'the account survived a restart');
    // The generated JWT secret is kept in DATA_DIR, so sessions survive restarts too.
    const me = await request(second.url, 'GET', '/api/v1/auth/me', { token: reg.body.session.accessToken });
    assert.equal(me.status, 200);
    const pub = await request(second.url, 'GET', `/api/v1/public/chatbots/${bot.body.chatbot.id}`, {
      token: bot.body.secret,
    });
    assert.equal(pub.body.name, 'Survivor');

    await stop(second.child, 'SIGKILL'); // leaves a stale lock and socket behind
    const third = await startKawan(dataDir, port);
    children.push(third.child);
    const again = await request(third.url, 'POST', '/api/v1/auth/login', { body: creds });
    assert.equal(again.status, 200, 'the account survived kill -9');
    await stop(third.child, 'SIGTERM');
  });

  it('refuses a second process on the same data directory', async () => {
    const port = await freePort();
    const one = await startKawan(dataDir, port);
    children.push(one.child);
    const res = spawnSync(process.execPath, [...nodeArgs, 'migrate'], {
      env: cleanEnv({ DATA_DIR: dataDir }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /in use by process/);
    await stop(one.child, 'SIGTERM');
  });

  it('create-admin makes a platform administrator from the command line', async () => {
    const res = spawnSync(
      process.execPath,
      [...nodeArgs, 'create-admin', '--email', 'ops@example.com', '--password', 'ops-password-1'],
      {
        env: cleanEnv({ DATA_DIR: dataDir }),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Created platform administrator ops@example.com/);
    const port = await freePort();
    const k = await startKawan(dataDir, port);
    children.push(k.child);
    const login = await request(k.url, 'POST', '/api/v1/auth/login', {
      body: { email: 'ops@example.com', password: 'ops-password-1' },
    });
    assert.equal(login.body.user.isPlatformAdmin, true);
    const outbox = await request(k.url, 'GET', '/api/v1/admin/outbox', {
      token: login.body.session.accessToken,
    });
    assert.equal(outbox.status, 200);
    assert.ok(
      outbox.body.data.some((m: { to: string }) => m.to === 'persist@example.com'),
      'the verification email is in the outbox',
    );
    await stop(k.child, 'SIGTERM');
  });
});
