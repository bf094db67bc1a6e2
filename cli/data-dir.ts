/**
 * The data directory holds personal and secret data (password hashes, the access log, sealed
 * images and embeddings, the data key, the CA's private key, door bundles). On every start it is
 * made 0700 and every file in it 0600, whatever modes it had before (a directory created by hand,
 * a backup restored with loose modes, files written by an older version); the process umask is
 * set to 077 so files created afterwards (SQLite's -wal/-shm, admin.db, bundles) are born 0600.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** Owner-only for everything this process creates from now on. */
export function restrictUmask(): void {
  process.umask(0o077);
}

/**
 * Creates the data directory if needed and tightens it and everything under it. Symbolic links are
 * neither followed nor changed (a link planted in the directory must not make us chmod its target).
 * Returns the paths whose mode was changed, relative to the directory.
 */
export function secureDataDir(dataDir: string, logger?: Logger): string[] {
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const fixed: string[] = [];
  const tighten = (file: string, mode: number, st: fs.Stats) => {
    if ((st.mode & 0o777) === mode) return;
    fs.chmodSync(file, mode);
    fixed.push(path.relative(dataDir, file) || '.');
  };
  const walk = (dir: string) => {
    tighten(dir, DATA_DIR_MODE, fs.lstatSync(dir));
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      const st = fs.lstatSync(file);
      if (st.isDirectory()) walk(file);
      else if (st.isFile()) tighten(file, DATA_FILE_MODE, st);
    }
  };
  walk(dataDir);
  if (fixed.length > 0) {
    logger?.warn({ dataDir, fixed: fixed.slice(0, 20), count: fixed.length }, 'tightened data directory permissions');
  }
  return fixed;
}
