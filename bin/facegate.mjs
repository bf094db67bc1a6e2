#!/usr/bin/env node
// The `facegate` command. Runs the compiled CLI (dist/, `npm run build`) when it is current;
// otherwise, or with FACEGATE_FROM_SOURCE=1, loads tsx and runs the TypeScript, so a source edited
// since the last build is what runs.
import { compiledIsFresh } from './compiled.mjs';

if (process.env.FACEGATE_FROM_SOURCE !== '1' && compiledIsFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
