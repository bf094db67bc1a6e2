// Where the compiled JavaScript lives and whether it is current. Shared by bin/facegate.mjs (run
// from dist/ when it is fresh) and scripts/build.mjs (build into it). Plain JS: it runs before
// anything is compiled.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(ROOT, 'dist');
/** Folders whose TypeScript is compiled (tests, benchmarks and the CDK app stay on tsx/vitest). */
export const SOURCE_DIRS = ['cli', 'lib', 'protocol', 'agent/src', 'cloud/src', 'admin-web/src'];
/** Files read at run time beside the code, copied as they are. */
export const STATIC_DIRS = ['admin-web/public'];
/** Written last by a build; its time is the build's time. */
export const BUILD_STAMP = 'BUILT';

/** Every file under the given folders (relative to the repository), recursively. */
export function sourceFiles(dirs) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  for (const dir of dirs) walk(path.join(ROOT, dir));
  return out;
}

/**
 * True when dist/ holds a build newer than every source, static file and package.json. A stale or
 * missing build makes bin/facegate.mjs run the TypeScript instead, so an edited source is never
 * shadowed by old output. Costs a few milliseconds of stat calls.
 */
export function compiledIsFresh() {
  let builtAt;
  try {
    builtAt = fs.statSync(path.join(DIST_DIR, BUILD_STAMP)).mtimeMs;
  } catch {
    return false;
  }
  const inputs = [...sourceFiles([...SOURCE_DIRS, ...STATIC_DIRS]), path.join(ROOT, 'package.json')];
  return inputs.every((f) => fs.statSync(f).mtimeMs <= builtAt);
}
