/**
 * Where a one-time password goes when no one is at a terminal to read it: a file in the data
 * directory, readable by the FaceGate user only, removed at the account's first sign-in. The
 * service log then carries the file's path, never the password.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OneTimePasswordDrop } from './one-time-password-drop.js';
import { USERNAME_PATTERN } from './username.js';

export class OneTimePasswordFiles implements OneTimePasswordDrop {
  constructor(private readonly dir: string) {}

  pathFor(username: string): string {
    // Usernames are [a-z0-9._-] (checked again here: this becomes a file name).
    if (!USERNAME_PATTERN.test(username)) throw new Error(`not a username: ${JSON.stringify(username)}`);
    return path.join(this.dir, `one-time-password-${username}.txt`);
  }

  /** Writes the password (mode 0600, never through a file or link already there); returns the path. */
  write(username: string, password: string): string {
    const file = this.pathFor(username);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return file;
  }

  async put(username: string, password: string): Promise<string> {
    return this.write(username, password);
  }

  /** Removes the file if there is one; true when it existed. */
  async remove(username: string): Promise<boolean> {
    try {
      fs.unlinkSync(this.pathFor(username));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
