/**
 * Issue 7 item 7: a data directory that already exists with loose modes (0755, files 0644, as a
 * hand-made directory or a restored backup leaves it) is tightened by the real CLI on start: the
 * directory and its subdirectories 0700, every file (databases with -wal/-shm, keys, images, CA)
 * 0600, including files created by this run. A symbolic link inside is not followed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../face/faces-dataset.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin/facegate.mjs');

function modes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      const st = fs.lstatSync(f);
      if (st.isSymbolicLink()) continue;
      out[path.relative(dir, f)] = st.mode & 0o777;
      if (st.isDirectory()) walk(f);
    }
  };
  walk(dir);
  return out;
}

describe('data directory permissions', () => {
  let root: string;
  let dataDir: string;
  const outside = () => path.join(root, 'outside.txt');

  beforeAll(() => {
    root = makeTempDir('data-dir-modes');
    dataDir = path.join(root, 'data');
    fs.mkdirSync(path.join(dataDir, 'images', 'people'), { recursive: true });
    fs.mkdirSync(path.join(dataDir, 'doors'), { recursive: true });
    for (const d of [dataDir, path.join(dataDir, 'images'), path.join(dataDir, 'images', 'people')]) {
      fs.chmodSync(d, 0o755);
    }
    fs.chmodSync(path.join(dataDir, 'doors'), 0o755);
    // Empty files are valid empty SQLite databases.
    for (const f of ['admin.db', 'faces.db', 'facegate.db', 'images/people/old.bin', 'doors/front.json']) {
      fs.writeFileSync(path.join(dataDir, f), '');
      fs.chmodSync(path.join(dataDir, f), 0o644);
    }
    fs.writeFileSync(outside(), 'not ours');
    fs.chmodSync(outside(), 0o644);
    fs.symlinkSync(outside(), path.join(dataDir, 'link-to-outside'));
  });
  afterAll(() => removeDir(root));

  it('tightens what existed and creates new files 0600', async () => {
    expect(fs.statSync(path.join(dataDir, 'admin.db')).mode & 0o777).toBe(0o644);
    const env = { ...process.env, FACEGATE_DATA_DIR: dataDir, FACEGATE_LOG_LEVEL: 'error' };
    await run(process.execPath, [BIN, 'admin', 'create', 'alice'], { env, timeout: 120_000 });
    await run(process.execPath, [BIN, 'events'], { env, timeout: 120_000 });

    const found = modes(dataDir);
    // Files the run created itself: keys, the CA, SQLite's side files.
    expect(Object.keys(found)).toEqual(expect.arrayContaining(['keys/data.key', 'ca/ca.key', 'ca/ca.crt']));
    for (const [file, mode] of Object.entries(found)) {
      const isDir = fs.statSync(path.join(dataDir, file)).isDirectory();
      expect(mode.toString(8), file).toBe(isDir ? '700' : '600');
    }
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(outside()).mode & 0o777).toBe(0o644);
  });
});
