/**
 * Summarises V8 .cpuprofile files (as written by `node --cpu-prof`): where the sampled time went, by
 * package / source area and by function (self time).
 *
 *   node --import tsx bench/lib/cpuprofile-summary.ts <file-or-dir> [--top 25] [--inclusive REGEX]…
 *
 * --inclusive: total time of samples with a frame whose "function url:line" matches REGEX anywhere on the
 * stack (e.g. --inclusive jwtVerify --inclusive 'serializerCompiler|core.js:116').
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A coarse "where is this code" label: an npm package, a repo area, node internals or a V8 pseudo-node. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/V8)';
  if (url.startsWith('node:')) return 'node:internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const m =
    /\/(apps\/[^/]+\/src\/(?:modules\/[^/]+|platform\/[^/]+|[^/]+)|packages\/[^/]+|bench\/[^/]+)/.exec(url);
  return m?.[1] ?? url;
}

export function summarise(file: string, top = 25, inclusive: string[] = []): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(apps|packages|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  // Inclusive time: walk each sampled node up to the root once per pattern.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName} ${n.callFrame.url}:${n.callFrame.lineNumber + 1}`;
  const incl = inclusive.map((src) => {
    const re = new RegExp(src);
    let us = 0;
    for (const [id, t] of self) {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const n = byId.get(cur);
        if (n && re.test(label(n))) {
          us += t;
          break;
        }
      }
    }
    return [src, us] as const;
  });
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`);
  const idle = (byArea.get('(idle)') ?? 0) + (byArea.get('(program)') ?? 0);
  return [
    `${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${pct(total - idle).trim()} busy (not idle/program)`,
    ' by area (self time):',
    ...rows(byArea),
    ' by function (self time):',
    ...rows(byFn),
    ...(incl.length
      ? [' inclusive (anywhere on the stack):', ...incl.map(([k, us]) => `  ${pct(us)} ${ms(us)}  /${k}/`)]
      : []),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, inclusive: { type: 'string', multiple: true } },
  });
  const files = positionals.flatMap((p) =>
    fs.statSync(p).isDirectory()
      ? fs
          .readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => path.join(p, f))
      : [p],
  );
  if (!files.length) throw new Error('usage: cpuprofile-summary.ts <file.cpuprofile | dir>…');
  for (const f of files) {
    process.stdout.write(`${summarise(f, Number(values.top ?? 25), values.inclusive ?? [])}\n\n`);
  }
}
