import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.ts';
import { modelsDir } from './local-gguf.ts';

/**
 * `kawan models list|pull`: GGUF files for the local model, kept in MODELS_DIR (default DATA_DIR/models).
 * A pull writes `<name>.part` and renames it only once the whole file arrived and starts like a GGUF file, so a
 * broken download or an HTML error page never shows up as a model.
 */

export interface ModelFile {
  name: string;
  bytes: number;
  path: string;
}

export interface PullProgress {
  bytes: number;
  /** null when the server did not say */
  total: number | null;
}

export async function listModelFiles(dir: string): Promise<ModelFile[]> {
  const entries = await fs.promises
    .readdir(dir, { withFileTypes: true })
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
  const files = entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.gguf'));
  const out = await Promise.all(
    files.map(async (e) => {
      const p = path.join(dir, e.name);
      return { name: e.name, bytes: (await fs.promises.stat(p)).size, path: p };
    }),
  );
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Copies a local file, or downloads an http(s) URL, into `dir`; returns the saved file. */
export async function pullModel(
  source: string,
  dir: string,
  opts: { name?: string; onProgress?: (p: PullProgress) => void; signal?: AbortSignal } = {},
): Promise<ModelFile> {
  const isUrl = /^https?:\/\//i.test(source);
  const localPath = source.startsWith('file:') ? fileURLToPath(source) : isUrl ? null : path.resolve(source);
  const name = opts.name ?? decodeURIComponent(path.basename(localPath ?? new URL(source).pathname));
  if (!name || name !== path.basename(name) || !name.toLowerCase().endsWith('.gguf')) {
    throw new Error(`The model file name must end in .gguf (got "${name}"); choose one with --name`);
  }
  await fs.promises.mkdir(dir, { recursive: true });
  const target = path.join(dir, name);
  if (localPath && path.resolve(localPath) === path.resolve(target)) return statFile(target);

  const part = `${target}.part`;
  let bytes = 0;
  const count = async function* (chunks: AsyncIterable<Uint8Array>, total: number | null) {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      opts.onProgress?.({ bytes, total });
      yield chunk;
    }
  };
  try {
    if (localPath) {
      const total = (await fs.promises.stat(localPath)).size;
      await pipeline(fs.createReadStream(localPath), (s) => count(s, total), fs.createWriteStream(part), {
        signal: opts.signal,
      });
    } else {
      const res = await fetch(source, { signal: opts.signal, redirect: 'follow' });
      if (!res.ok || !res.body) throw new Error(`Download failed: HTTP ${res.status} ${res.statusText}`);
      const length = Number(res.headers.get('content-length'));
      const total = Number.isFinite(length) && length > 0 ? length : null;
      await pipeline(
        Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>),
        (s) => count(s, total),
        fs.createWriteStream(part),
        { signal: opts.signal },
      );
      if (total !== null && bytes !== total)
        throw new Error(`Download incomplete: ${bytes} of ${total} bytes`);
    }
    await assertGguf(part, source);
    await fs.promises.rename(part, target);
  } catch (err) {
    await fs.promises.rm(part, { force: true });
    throw err;
  }
  return statFile(target);
}

async function assertGguf(file: string, source: string) {
  const fh = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead < 4 || buffer.toString('latin1') !== 'GGUF')
      throw new Error(`${source} is not a GGUF model file`);
  } finally {
    await fh.close();
  }
}

async function statFile(p: string): Promise<ModelFile> {
  return { name: path.basename(p), bytes: (await fs.promises.stat(p)).size, path: p };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export const modelsUsage = `usage: kawan models list
       kawan models pull <url | path> [--name <file.gguf>]`;

/** The `kawan models …` command. */
export async function runModelsCommand(
  config: Pick<Config, 'MODELS_DIR' | 'DATA_DIR'>,
  args: string[],
  opts: { name?: string; out: NodeJS.WritableStream; err: NodeJS.WritableStream; signal?: AbortSignal },
): Promise<void> {
  const dir = modelsDir(config);
  const [sub, source] = args;
  if (sub === 'list') {
    const files = await listModelFiles(dir);
    if (files.length === 0)
      opts.err.write(`No GGUF models in ${dir} (add one with: kawan models pull <url|path>)\n`);
    const width = Math.max(0, ...files.map((f) => f.name.length));
    for (const f of files) opts.out.write(`${f.name.padEnd(width)}  ${formatBytes(f.bytes).padStart(9)}\n`);
    return;
  }
  if (sub === 'pull' && source) {
    let shown = 0;
    const f = await pullModel(source, dir, {
      name: opts.name,
      signal: opts.signal,
      onProgress: ({ bytes, total }) => {
        if (bytes - shown < 4 * 1024 * 1024 && bytes !== total) return;
        shown = bytes;
        const pct = total ? ` (${Math.floor((bytes / total) * 100)}%)` : '';
        opts.err.write(`\r${formatBytes(bytes)}${total ? ` / ${formatBytes(total)}` : ''}${pct}   `);
      },
    });
    opts.err.write('\n');
    opts.out.write(`${f.path} (${formatBytes(f.bytes)})\nUse it with LOCAL_MODEL_PATH=${f.name}\n`);
    return;
  }
  throw new Error(modelsUsage);
}
