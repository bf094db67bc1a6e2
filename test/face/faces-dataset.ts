/**
 * Access to the shared evaluation photos (../shared/faces next to the repository). Tests that
 * need them skip with a clear message when the folder is absent; photos are never copied here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FACES_DIR = path.resolve(REPO_ROOT, '../shared/faces');
export const DEV_DIR = path.join(FACES_DIR, 'dev');
export const HAVE_FACES = fs.existsSync(DEV_DIR);
export const SKIP_REASON = `face photos not found at ${DEV_DIR}; face tests skipped`;

export function photo(person: string, n: number): Buffer {
  return fs.readFileSync(path.join(DEV_DIR, person, `${n}.jpg`));
}
