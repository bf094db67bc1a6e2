/**
 * ImageStore on the local disk: each object is one file `<root>/<key>.sealed`, AES-256-GCM sealed
 * with the data key and bound to its key (associated data), so a photo's bytes never sit on disk
 * in plain text and a file renamed to another key fails to open. Writes are atomic (temp file in
 * the same directory, fsync, rename): a crash leaves the old object or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FacegateError } from '../../../../../lib/errors.js';
import { assertImageKey, assertImagePrefix, type ImageStore } from '../../../ports/image-store.js';
import { open, seal } from '../aead.js';
import { packObject, unpackObject } from './sealed-object.js';

const SUFFIX = '.sealed';
const TMP_MARKER = '.tmp-';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export class EncryptedFileStore implements ImageStore {
  private readonly root: string;

  constructor(
    rootDir: string,
    private readonly dataKey: Buffer,
  ) {
    if (dataKey.length !== 32) throw new FacegateError('config', 'the data key must be 32 bytes');
    this.root = path.resolve(rootDir);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const file = this.fileFor(key);
    const sealed = seal(this.dataKey, packObject(contentType, bytes), key);
    await this.ensureDir(path.dirname(file));
    const tmp = `${file}${TMP_MARKER}${randomBytes(6).toString('hex')}`;
    try {
      const handle = await fs.open(tmp, 'wx', FILE_MODE);
      try {
        await handle.writeFile(sealed);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw new FacegateError('image_store', `could not write ${key}`, { cause: err });
    }
  }

  async get(key: string): Promise<{ bytes: Buffer; contentType: string } | null> {
    const file = this.fileFor(key);
    let sealed: Buffer;
    try {
      sealed = await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new FacegateError('image_store', `could not read ${key}`, { cause: err });
    }
    return unpackObject(open(this.dataKey, sealed, key));
  }

  async delete(key: string): Promise<void> {
    const file = this.fileFor(key);
    await fs.rm(file, { force: true });
    await this.removeEmptyParents(path.dirname(file));
  }

  async list(prefix: string): Promise<string[]> {
    assertImagePrefix(prefix);
    // Walk only the deepest directory the prefix names fully, then filter by the full prefix.
    const lastSlash = prefix.lastIndexOf('/');
    const baseDir = this.inside(path.join(this.root, prefix.slice(0, lastSlash)));
    const keys: string[] = [];
    await this.walk(baseDir, keys);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  private async walk(dir: string, into: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await this.walk(full, into);
      } else if (entry.isFile() && entry.name.endsWith(SUFFIX)) {
        const key = path.relative(this.root, full).split(path.sep).join('/').slice(0, -SUFFIX.length);
        if (isKey(key)) into.push(key);
      }
    }
  }

  /** Removes directories left empty by a delete, up to (not including) the root. */
  private async removeEmptyParents(dir: string): Promise<void> {
    let current = dir;
    while (current !== this.root && current.startsWith(this.root + path.sep)) {
      try {
        await fs.rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = path.dirname(current);
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: DIR_MODE });
    // mkdir's mode applies only to directories it creates, and is masked by the umask: set each.
    const relative = path.relative(this.root, dir).split(path.sep).filter(Boolean);
    let current = this.root;
    for (const part of relative) {
      current = path.join(current, part);
      try {
        await fs.mkdir(current, { mode: DIR_MODE });
        await fs.chmod(current, DIR_MODE);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  private fileFor(key: string): string {
    assertImageKey(key);
    return this.inside(path.join(this.root, `${key}${SUFFIX}`));
  }

  /** Defence in depth behind the key pattern: the resolved path must stay under the root. */
  private inside(resolved: string): string {
    const full = path.resolve(resolved);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) {
      throw new Error(`invalid image key: resolves outside the store`);
    }
    return full;
  }
}

function isKey(key: string): boolean {
  try {
    assertImageKey(key);
    return true;
  } catch {
    return false;
  }
}
