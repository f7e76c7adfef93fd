import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { makeTinyGguf } from '../../../../../scripts/make-tiny-gguf.ts';
import { listModelFiles, pullModel, runModelsCommand, type PullProgress } from './models-cli.ts';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: s, text: () => text };
}

describe('kawan models list|pull', () => {
  let dir: string;
  let source: string;
  let server: http.Server;
  let base: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kawan-models-'));
    source = makeTinyGguf(path.join(dir, 'src', 'tiny.gguf'), { seed: 3 });
    fs.writeFileSync(path.join(dir, 'src', 'page.gguf'), '<html>not found</html>');
    // a loopback file server: the URL path of the model file, and one that cuts the body short
    server = http.createServer((req, res) => {
      const body = fs.readFileSync(source);
      if (req.url === '/models/tiny%20remote.gguf') {
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } else if (req.url === '/short.gguf') {
        res.writeHead(200, { 'content-length': body.length + 100 });
        res.write(body, () => res.destroy());
      } else res.writeHead(404).end('missing');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lists nothing for a models dir that does not exist yet', async () => {
    assert.deepEqual(await listModelFiles(path.join(dir, 'none')), []);
  });

  test('pulls a local path: copied byte for byte, with progress, then listed with its size', async () => {
    const models = path.join(dir, 'm1');
    const progress: PullProgress[] = [];
    const f = await pullModel(source, models, { onProgress: (p) => progress.push(p) });
    assert.equal(f.name, 'tiny.gguf');
    assert.deepEqual(fs.readFileSync(f.path), fs.readFileSync(source));
    assert.deepEqual(progress.at(-1), { bytes: fs.statSync(source).size, total: fs.statSync(source).size });
    fs.writeFileSync(path.join(models, 'notes.txt'), 'not a model');
    assert.deepEqual(await listModelFiles(models), [
      { name: 'tiny.gguf', bytes: fs.statSync(source).size, path: path.join(models, 'tiny.gguf') },
    ]);
  });

  test('refuses a file that is not GGUF and leaves nothing behind', async () => {
    const models = path.join(dir, 'm2');
    await assert.rejects(pullModel(path.join(dir, 'src', 'page.gguf'), models), /not a GGUF model file/);
    assert.deepEqual(fs.readdirSync(models), []);
    await assert.rejects(pullModel(source, models, { name: 'x.bin' }), /must end in \.gguf/);
  });

  test('downloads a URL into the models dir; HTTP errors and cut-off bodies fail cleanly', async () => {
    const models = path.join(dir, 'm3');
    const f = await pullModel(`${base}/models/tiny%20remote.gguf`, models);
    assert.equal(f.name, 'tiny remote.gguf');
    assert.deepEqual(fs.readFileSync(f.path), fs.readFileSync(source));
    await assert.rejects(pullModel(`${base}/gone.gguf`, models), /HTTP 404/);
    await assert.rejects(pullModel(`${base}/short.gguf`, models));
    assert.deepEqual(fs.readdirSync(models), ['tiny remote.gguf']);
  });

  test('the CLI command: pull then list, under MODELS_DIR', async () => {
    const config = { MODELS_DIR: path.join(dir, 'cli'), DATA_DIR: dir };
    const out = sink();
    const err = sink();
    await runModelsCommand(config, ['pull', source], {
      name: 'renamed.gguf',
      out: out.stream,
      err: err.stream,
    });
    const size = `${(fs.statSync(source).size / 1024).toFixed(1)} KB`;
    assert.ok(out.text().includes(`renamed.gguf (${size})`), out.text());
    const listed = sink();
    await runModelsCommand(config, ['list'], { out: listed.stream, err: err.stream });
    assert.match(listed.text(), new RegExp(`^renamed\\.gguf\\s+${size.replace('.', '\\.')}\n$`));
    await assert.rejects(runModelsCommand(config, ['pull'], { out: out.stream, err: err.stream }), /usage/);
  });
});
