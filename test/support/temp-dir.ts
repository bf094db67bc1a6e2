/** Temporary directories for tests, removed afterwards. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function makeTempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `facegate-${label}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
