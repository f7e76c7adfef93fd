// Runs every *.test.ts under apps/ and packages/ with node's test runner (via tsx).
// Node 20's --test does not expand globs, so the files are listed here. Extra args pass through
// (e.g. `npm test -- apps/server/test/auth.int.test.ts` runs one file).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = ['apps', 'packages'];
const skip = new Set(['node_modules', 'dist', '.tmp', 'data']);

function collect(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.length
  ? args
  : roots
      .filter((r) => fs.existsSync(r))
      .flatMap((r) => collect(r, []))
      .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Browser tests drive the built dashboard and widget: build them first when their sources changed.
if (files.some((f) => /apps[\\/](dashboard|widget)[\\/]/.test(f))) {
  const built = spawnSync(process.execPath, ['scripts/build-ui.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    '--test-timeout=180000',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
