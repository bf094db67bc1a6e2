/** Bootstrap of admin accounts: the first admin on first start, and password resets from the CLI. */
import { InvalidInputError } from '../../../lib/errors.js';
import type { AdminUserStore } from './admin-user-store.js';
import { generateOneTimePassword, hashPassword } from './password.js';
import { USERNAME_PATTERN } from './username.js';

export const FIRST_ADMIN_USERNAME = 'admin';

/**
 * Creates `admin` with a one-time password when no admin exists and returns that password, for
 * the caller to print once; returns null when an admin already exists. The first sign-in must
 * choose a new password.
 */
export async function ensureFirstAdmin(store: AdminUserStore, now = Date.now()): Promise<string | null> {
  if ((await store.list()).length > 0) return null;
  const password = generateOneTimePassword();
  await store.create(
    { username: FIRST_ADMIN_USERNAME, passwordHash: await hashPassword(password), mustChangePassword: true },
    now,
  );
  return password;
}

/**
 * For the CLI (`facegate admin reset-password <user>` / `add-user <user>`): sets a fresh one-time
 * password, creating the user if needed, ends their sessions, and returns the password to print once.
 */
export async function issueOneTimePassword(store: AdminUserStore, username: string, now = Date.now()): Promise<string> {
  if (!USERNAME_PATTERN.test(username)) {
    throw new InvalidInputError('username must be 1-64 chars of a-z, 0-9, ., _ and -');
  }
  const password = generateOneTimePassword();
  const passwordHash = await hashPassword(password);
  if (await store.findByUsername(username)) {
    await store.setPassword(username, passwordHash, true);
    await store.sessions.deleteForUser(username);
  } else {
    await store.create({ username, passwordHash, mustChangePassword: true }, now);
  }
  return password;
}
