/**
 * Port for the admin site's accounts and server-side sessions. The SQLite adapter backs both
 * locally and on the EC2 host; the site only ever talks to this interface.
 */

export interface AdminUser {
  username: string;
  /** scrypt$N$r$p$salt$hash (see password.ts); never leaves the server, never logged. */
  passwordHash: string;
  /** Set for accounts created with a one-time password: the first sign-in must choose a new one. */
  mustChangePassword: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface AdminSession {
  /** SHA-256 of the cookie value: a stolen database does not yield live session ids. */
  idHash: string;
  username: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  /** Stores a new session under the hash of its id. */
  insert(session: AdminSession): Promise<void>;
  find(idHash: string): Promise<AdminSession | null>;
  touch(idHash: string, at: number): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** Ends every session of a user (password change, deactivation). */
  deleteForUser(username: string): Promise<void>;
  /** Drops sessions last seen before `idleBefore` or created before `createdBefore`. */
  purgeExpired(idleBefore: number, createdBefore: number): Promise<number>;
}

export interface AdminUserStore {
  /** Throws ConflictError when the username is taken. */
  create(user: { username: string; passwordHash: string; mustChangePassword: boolean }, at: number): Promise<AdminUser>;
  findByUsername(username: string): Promise<AdminUser | null>;
  setPassword(username: string, passwordHash: string, mustChangePassword: boolean): Promise<void>;
  list(): Promise<AdminUser[]>;
  recordLogin(username: string, at: number): Promise<void>;
  readonly sessions: SessionStore;
  close(): Promise<void>;
}
