/** Admin accounts and sessions on real SQLite: scrypt hashes, one-time passwords, expiry, rotation. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteAdminUserStore } from '../../admin-web/src/users/sqlite-admin-user-store.js';
import { hashPassword, verifyPassword } from '../../admin-web/src/users/password.js';
import { ensureFirstAdmin, issueOneTimePassword } from '../../admin-web/src/users/first-admin.js';
import { hashSessionId, SessionManager } from '../../admin-web/src/users/sessions.js';

describe('admin users and sessions', () => {
  let dir: string;
  let store: SqliteAdminUserStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-admin-'));
    store = SqliteAdminUserStore.open(path.join(dir, 'admin.db'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hashes with scrypt N=2^15, r=8, p=1 and a 16-byte salt, and verifies', async () => {
    const hash = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt] = hash.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('creates the first admin once, with a one-time password that must be changed', async () => {
    const otp = await ensureFirstAdmin(store);
    expect(otp).toMatch(/^[A-Za-z0-9]{20}$/);
    const admin = await store.findByUsername('admin');
    expect(admin?.mustChangePassword).toBe(true);
    expect(await verifyPassword(otp!, admin!.passwordHash)).toBe(true);
    expect(await ensureFirstAdmin(store)).toBeNull();
    // The database file keeps no plain password.
    await store.close();
    expect(fs.readFileSync(path.join(dir, 'admin.db')).includes(Buffer.from(otp!))).toBe(false);
    store = SqliteAdminUserStore.open(path.join(dir, 'admin.db'));
    expect((await store.list()).map((u) => u.username)).toEqual(['admin']);
  });

  it("issues one-time passwords for the CLI, ending the user's sessions", async () => {
    const first = await issueOneTimePassword(store, 'bob');
    const sessions = new SessionManager(store.sessions);
    const { id } = await sessions.start('bob');
    const second = await issueOneTimePassword(store, 'bob');
    expect(second).not.toBe(first);
    expect(await verifyPassword(second, (await store.findByUsername('bob'))!.passwordHash)).toBe(true);
    expect(await sessions.resolve(id)).toBeNull();
    await expect(issueOneTimePassword(store, '../root')).rejects.toThrow(/username/);
    await expect(store.create({ username: 'bob', passwordHash: 'x', mustChangePassword: false }, 1)).rejects.toThrow(
      /already exists/,
    );
  });

  it('stores only hashes of session ids and expires sessions when idle or too old', async () => {
    await store.create(
      { username: 'carol', passwordHash: await hashPassword('carol carol carol'), mustChangePassword: false },
      0,
    );
    let now = 1_000_000;
    const sessions = new SessionManager(store.sessions, { idleMs: 60_000 * 30, absoluteMs: 3600_000 * 12 }, () => now);
    const { id } = await sessions.start('carol');
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    expect(await store.sessions.find(id)).toBeNull();
    expect(await store.sessions.find(hashSessionId(id))).not.toBeNull();
    now += 29 * 60_000;
    expect(await sessions.resolve(id)).not.toBeNull();
    now += 29 * 60_000; // still within idle time of the last use
    expect(await sessions.resolve(id)).not.toBeNull();
    now += 31 * 60_000; // idle too long
    expect(await sessions.resolve(id)).toBeNull();

    now = 1_000_000;
    const b = await sessions.start('carol');
    for (let t = 0; t < 12 * 60; t += 20) {
      now = 1_000_000 + t * 60_000;
      expect(await sessions.resolve(b.id)).not.toBeNull();
    }
    now = 1_000_000 + 12 * 3600_000 + 1; // absolute lifetime over, even though active
    expect(await sessions.resolve(b.id)).toBeNull();
  });

  it('rotates on sign-in and ignores malformed ids', async () => {
    await store.create({ username: 'dan', passwordHash: 'x', mustChangePassword: false }, 0);
    const sessions = new SessionManager(store.sessions);
    const a = await sessions.start('dan');
    const b = await sessions.start('dan', a.id);
    expect(await sessions.resolve(a.id)).toBeNull();
    expect((await sessions.resolve(b.id))?.username).toBe('dan');
    expect(await sessions.resolve("' OR 1=1 --")).toBeNull();
    expect(await sessions.resolve(undefined)).toBeNull();
    await sessions.destroy(b.id);
    expect(await sessions.resolve(b.id)).toBeNull();
  });
});
