#!/usr/bin/env node
// Runs a TypeScript entry point through tsx's loader, so the repository needs no build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.mjs ENTRY.ts [args…]');
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(root, entry), ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
