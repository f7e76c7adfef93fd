import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Secrets the operator did not set are generated once and kept in DATA_DIR/secrets.json (mode 0600), so the
 * zero-config start keeps sessions valid across restarts. Several API processes must share explicit values.
 */
export function loadOrCreateSecret(dataDir: string, name: string, given: string | undefined): string {
  if (given) return given;
  const file = path.join(path.resolve(dataDir), 'secrets.json');
  let stored: Record<string, string> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const existing = stored[name];
  if (existing) return existing;
  const value = randomBytes(48).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...stored, [name]: value }, null, 2), { mode: 0o600 });
  return value;
}
