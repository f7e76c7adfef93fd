// Builds the dashboard (apps/dashboard) and the widget (apps/widget) with Vite when their sources are newer
// than the last build. `npm start` and `npm test` call it; `--force` rebuilds regardless.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const force = process.argv.includes('--force');
// KAWAN_UI_OUT=<dir> builds into <dir>/dashboard and <dir>/widget instead of each app's dist/ (serve it
// with UI_DIR=<dir>); the browser tests use it so parallel runs do not rebuild each other's files.
const outRoot = process.env.KAWAN_UI_OUT ? path.resolve(process.env.KAWAN_UI_OUT) : null;
const apps = [
  { dir: 'apps/dashboard', name: 'dashboard', file: 'index.html' },
  { dir: 'apps/widget', name: 'widget', file: 'widget.js' },
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
  const out = outRoot ? path.join(outRoot, app.name, app.file) : path.join(dir, 'dist', app.file);
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
      env: { ...process.env, ...(outRoot ? { KAWAN_UI_OUT: outRoot } : {}) },
    },
  );
  if (r.status !== 0) {
    console.error(`build-ui: ${app.dir} failed`);
    process.exit(r.status ?? 1);
  }
  console.error(`build-ui: built ${app.dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
