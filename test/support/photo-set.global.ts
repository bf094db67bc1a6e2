/**
 * Vitest global setup: decides once, for the whole run, what a missing photo set means.
 * In CI (CI=true) the recognition tests must not quietly skip, so a missing ../shared/faces
 * fails the run before any test starts. Locally the photo tests skip, and the reason is
 * printed once at the end of the run instead of in the middle of the output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEV_DIR = path.resolve(REPO_ROOT, '../shared/faces/dev');

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/** Throws in CI when the photo set is missing; otherwise returns the note to print at the end, if any. */
export function checkPhotoSet(devDir: string, env: NodeJS.ProcessEnv): string | undefined {
  if (fs.existsSync(devDir)) return undefined;
  if (isCi(env)) {
    throw new Error(
      `CI=${env.CI}: the face photo set is missing at ${devDir}, so the recognition tests cannot run. ` +
        'CI must not pass with them skipped; provide ../shared/faces or run without CI set.',
    );
  }
  return `face photos not found at ${devDir}: the photo tests were skipped.`;
}

export default function setup(): (() => void) | undefined {
  const note = checkPhotoSet(DEV_DIR, process.env);
  return note === undefined ? undefined : () => console.warn(`\n${note}`);
}
