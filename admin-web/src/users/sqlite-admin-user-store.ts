/** SQLite adapter of AdminUserStore (better-sqlite3), one file per installation, e.g. <dataDir>/admin.db. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError } from '../../../cloud/src/errors.js';
import type { AdminSession, AdminUser, AdminUserStore, SessionStore } from './admin-user-store.js';

interface UserRow {
  username: string;
  password_hash: string;
  must_change_password: number;
  created_at: number;
  last_login_at: number | null;
}

interface SessionRow {
  id_hash: string;
  username: string;
  created_at: number;
  last_seen_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS admin_users (
  username TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_login_at INTEGER
);
CREATE TABLE IF NOT EXISTS admin_sessions (
  id_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL REFERENCES admin_users(username) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS admin_sessions_by_user ON admin_sessions(username);
`;

function toUser(row: UserRow): AdminUser {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function toSession(row: SessionRow): AdminSession {
  return { idHash: row.id_hash, username: row.username, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
}

class SqliteSessionStore implements SessionStore {
  constructor(private readonly db: Database.Database) {}

  async insert(s: AdminSession): Promise<void> {
    this.db
      .prepare('INSERT INTO admin_sessions (id_hash, username, created_at, last_seen_at) VALUES (?, ?, ?, ?)')
      .run(s.idHash, s.username, s.createdAt, s.lastSeenAt);
  }

  async find(idHash: string): Promise<AdminSession | null> {
    const row = this.db.prepare('SELECT * FROM admin_sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    return row ? toSession(row) : null;
  }

  async touch(idHash: string, at: number): Promise<void> {
    this.db.prepare('UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?').run(at, idHash);
  }

  async delete(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteForUser(username: string): Promise<void> {
    this.db.prepare('DELETE FROM admin_sessions WHERE username = ?').run(username);
  }

  async purgeExpired(idleBefore: number, createdBefore: number): Promise<number> {
    return this.db
      .prepare('DELETE FROM admin_sessions WHERE last_seen_at < ? OR created_at < ?')
      .run(idleBefore, createdBefore).changes;
  }
}

export class SqliteAdminUserStore implements AdminUserStore {
  readonly sessions: SessionStore;

  private constructor(private readonly db: Database.Database) {
    this.sessions = new SqliteSessionStore(db);
  }

  /** Opens (creating if needed) the database file; the directory is created owner-only. */
  static open(file: string): SqliteAdminUserStore {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    return new SqliteAdminUserStore(db);
  }

  async create(
    user: { username: string; passwordHash: string; mustChangePassword: boolean },
    at: number,
  ): Promise<AdminUser> {
    try {
      this.db
        .prepare(
          'INSERT INTO admin_users (username, password_hash, must_change_password, created_at, last_login_at) VALUES (?, ?, ?, ?, NULL)',
        )
        .run(user.username, user.passwordHash, user.mustChangePassword ? 1 : 0, at);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`admin user ${JSON.stringify(user.username)} already exists`);
      }
      throw err;
    }
    return { ...user, createdAt: at, lastLoginAt: null };
  }

  async findByUsername(username: string): Promise<AdminUser | null> {
    const row = this.db.prepare('SELECT * FROM admin_users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async setPassword(username: string, passwordHash: string, mustChangePassword: boolean): Promise<void> {
    this.db
      .prepare('UPDATE admin_users SET password_hash = ?, must_change_password = ? WHERE username = ?')
      .run(passwordHash, mustChangePassword ? 1 : 0, username);
  }

  async list(): Promise<AdminUser[]> {
    return (this.db.prepare('SELECT * FROM admin_users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  async recordLogin(username: string, at: number): Promise<void> {
    this.db.prepare('UPDATE admin_users SET last_login_at = ? WHERE username = ?').run(at, username);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
