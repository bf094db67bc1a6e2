/**
 * The local data key: 32 random bytes in `<dataDir>/keys/data.key`, created once with mode 0600
 * (directory 0700). Losing it makes photos, snapshots and embeddings unreadable — back it up
 * separately from the data directory.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../../lib/errors.js';

export function loadOrCreateDataKey(dataDir: string): Buffer {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'data.key');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const key = fs.readFileSync(file);
    if (key.length !== 32) throw new ConfigError(`${file} must hold exactly 32 bytes, found ${key.length}`);
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(file, 0o600); // tighten a key copied in with loose permissions
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  // 'wx' fails if another process created it first; then use theirs.
  try {
    fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file);
    throw err;
  }
}
