// Builds the dashboard (apps/dashboard) and the widget (apps/widget) with Vite when their sources are newer
// than the last build. `npm start` and `npm test` call it; `--force` rebuilds regardless.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const force = process.argv.includes('--force');
const apps = [
  { dir: 'apps/dashboard', output: 'dist/index.html' },
  { dir: 'apps/widget', output: 'dist/widget.js' },
];

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p))
    if (e !== 'node_modules' && e !== 'dist') m = Math.max(m, newest(path.join(p, e)));
  return m;
}

for (const app of apps) {
  const dir = path.join(root, app.dir);
  if (!fs.existsSync(path.join(dir, 'vite.config.ts'))) continue;
  const out = path.join(dir, app.output);
  const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json']
    .map((f) => path.join(dir, f))
    .filter((f) => fs.existsSync(f));
  const stale = force || !fs.existsSync(out) || Math.max(...inputs.map(newest)) > fs.statSync(out).mtimeMs;
  if (!stale) continue;
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) {
    console.error(`build-ui: ${app.dir} failed`);
    process.exit(r.status ?? 1);
  }
  console.error(`build-ui: built ${app.dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
