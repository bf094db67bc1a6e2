#!/usr/bin/env node
// `npm run build`: compiles the TypeScript the processes run (CLI, local server, admin site, door
// agent, Lambdas) to JavaScript in dist/, one .js per .ts in the same folders, so relative imports
// and paths keep working. esbuild strips types file by file (the same transform tsx does at run
// time, ~100x faster than tsc's emit); type checking stays with `npm run typecheck`.
// `--if-stale` builds only when a source is newer than the last build (used by `npm start`).
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import {
  BUILD_STAMP,
  DIST_DIR,
  ROOT,
  SOURCE_DIRS,
  STATIC_DIRS,
  compiledIsFresh,
  sourceFiles,
} from '../bin/compiled.mjs';

if (process.argv.includes('--if-stale') && compiledIsFresh()) process.exit(0);

const started = performance.now();
const entryPoints = sourceFiles(SOURCE_DIRS).filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f));
// Built beside dist/ and swapped in, so a running process never sees half a build.
const partial = `${DIST_DIR}.partial-${process.pid}`;
fs.rmSync(partial, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: partial,
  outbase: ROOT,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  bundle: false,
  logLevel: 'warning',
});
for (const dir of STATIC_DIRS) fs.cpSync(path.join(ROOT, dir), path.join(partial, dir), { recursive: true });
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
// The agent reports this version (agent/src/version.ts reads ../../package.json); "type" keeps dist/ ESM.
fs.writeFileSync(
  path.join(partial, 'package.json'),
  JSON.stringify({ private: true, type: 'module', version }, null, 2),
);
fs.writeFileSync(path.join(partial, BUILD_STAMP), `${new Date().toISOString()}\n`);
fs.rmSync(DIST_DIR, { recursive: true, force: true });
fs.renameSync(partial, DIST_DIR);
const ms = Math.round(performance.now() - started);
console.log(
  `build: ${entryPoints.length} files compiled to ${path.relative(process.cwd(), DIST_DIR) || '.'}/ in ${ms} ms`,
);
