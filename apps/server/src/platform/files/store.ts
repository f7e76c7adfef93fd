import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Original files of documents, under DATA_DIR/files (a shared volume when several processes run).
 * Writes go to a temporary name and are renamed into place, so a reader never sees half a file and a crash
 * leaves at most an orphan temp file.
 */
export interface FileStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer>;
  stream(key: string): fs.ReadStream;
  remove(prefix: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9_./-]+$/;

export function createFileStore(root: string): FileStore {
  const base = path.resolve(root);
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`unsafe file key ${key}`);
    return path.join(base, key);
  };
  return {
    async put(key, bytes) {
      const target = resolve(key);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, target);
    },
    get: (key) => fs.promises.readFile(resolve(key)),
    stream: (key) => fs.createReadStream(resolve(key)),
    async remove(prefix) {
      await fs.promises.rm(resolve(prefix), { recursive: true, force: true });
    },
  };
}
