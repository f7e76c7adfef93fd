/**
 * `node --import tsx bench/lib/with-pg-probe.ts <entry.ts> [args…]`: installs the pg query probe, then runs
 * <entry.ts> as if it had been started directly (a second `--import` of a .ts file is not reliably routed
 * through tsx on Node 20, hence this wrapper).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import './pg-probe.ts';

const entry = process.argv[2];
if (!entry) throw new Error('usage: with-pg-probe.ts <entry.ts> [args…]');
process.argv.splice(1, 1); // argv[1] = entry, argv[2…] = its arguments
await import(pathToFileURL(path.resolve(entry)).href);
