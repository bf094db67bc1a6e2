/**
 * The AdminUserStore port's behaviour (admin accounts and server-side sessions), written once and
 * run against each adapter: SQLite (local mode) and DynamoDB on dynalite (the AWS admin host).
 * Each case opens an empty store, since `list` sees every account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminSession, AdminUserStore } from '../../admin-web/src/users/admin-user-store.js';
import { ConflictError } from '../../cloud/src/errors.js';

export interface AdminUserStoreHarness {
  /** A new, empty store. */
  open(): Promise<AdminUserStore>;
}

const T = 1_800_000_000_000;

function session(idHash: string, username: string, createdAt = T, lastSeenAt = createdAt): AdminSession {
  return { idHash, username, createdAt, lastSeenAt };
}

const hash = (n: number) => n.toString(16).padStart(64, '0');

export function adminUserStoreContract(name: string, harness: AdminUserStoreHarness): void {
  describe(`AdminUserStore contract: ${name}`, () => {
    let store: AdminUserStore | undefined;
    const open = async () => (store = await harness.open());
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('creates an account once and finds it by name; a second create conflicts and changes nothing', async () => {
      const s = await open();
      const made = await s.create({ username: 'ana', passwordHash: 'scrypt$a', mustChangePassword: true }, T);
      expect(made).toEqual({
        username: 'ana',
        passwordHash: 'scrypt$a',
        mustChangePassword: true,
        createdAt: T,
        lastLoginAt: null,
      });
      expect(await s.findByUsername('ana')).toEqual(made);
      await expect(
        s.create({ username: 'ana', passwordHash: 'scrypt$b', mustChangePassword: false }, T + 1),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await s.findByUsername('ana')).toEqual(made);
      expect(await s.findByUsername('bob')).toBeNull();
    });

    it('lists accounts by name and keeps sessions out of the list', async () => {
      const s = await open();
      expect(await s.list()).toEqual([]);
      for (const username of ['zoe', 'ana', 'mo']) {
        await s.create({ username, passwordHash: `h-${username}`, mustChangePassword: false }, T);
      }
      await s.sessions.insert(session(hash(1), 'ana'));
      expect((await s.list()).map((u) => u.username)).toEqual(['ana', 'mo', 'zoe']);
    });

    it('sets a password and records a sign-in; neither creates a missing account', async () => {
      const s = await open();
      await s.create({ username: 'ana', passwordHash: 'old', mustChangePassword: true }, T);
      await s.setPassword('ana', 'new', false);
      await s.recordLogin('ana', T + 5);
      expect(await s.findByUsername('ana')).toMatchObject({
        passwordHash: 'new',
        mustChangePassword: false,
        lastLoginAt: T + 5,
        createdAt: T,
      });
      await s.setPassword('ghost', 'x', false);
      await s.recordLogin('ghost', T);
      expect(await s.findByUsername('ghost')).toBeNull();
      expect(await s.list()).toHaveLength(1);
    });

    it('stores sessions under their hash, touches, and deletes one', async () => {
      const s = await open();
      await s.create({ username: 'ana', passwordHash: 'h', mustChangePassword: false }, T);
      await s.sessions.insert(session(hash(1), 'ana'));
      expect(await s.sessions.find(hash(1))).toEqual(session(hash(1), 'ana'));
      expect(await s.sessions.find(hash(2))).toBeNull();
      await s.sessions.touch(hash(1), T + 60_000);
      expect(await s.sessions.find(hash(1))).toEqual(session(hash(1), 'ana', T, T + 60_000));
      await s.sessions.delete(hash(1));
      expect(await s.sessions.find(hash(1))).toBeNull();
      // Touching a signed-out session does not bring it back.
      await s.sessions.touch(hash(1), T + 120_000);
      expect(await s.sessions.find(hash(1))).toBeNull();
    });

    it("ends every session of one user and no one else's", async () => {
      const s = await open();
      for (const username of ['ana', 'bob']) {
        await s.create({ username, passwordHash: 'h', mustChangePassword: false }, T);
      }
      await s.sessions.insert(session(hash(1), 'ana'));
      await s.sessions.insert(session(hash(2), 'ana'));
      await s.sessions.insert(session(hash(3), 'bob'));
      await s.sessions.deleteForUser('ana');
      expect(await s.sessions.find(hash(1))).toBeNull();
      expect(await s.sessions.find(hash(2))).toBeNull();
      expect(await s.sessions.find(hash(3))).not.toBeNull();
    });

    it('purges sessions idle too long or too old, counting them, and keeps live ones', async () => {
      const s = await open();
      await s.create({ username: 'ana', passwordHash: 'h', mustChangePassword: false }, T);
      await s.sessions.insert(session(hash(1), 'ana', T, T + 10)); // idle since T+10
      await s.sessions.insert(session(hash(2), 'ana', T - 1_000, T + 500)); // created too early
      await s.sessions.insert(session(hash(3), 'ana', T, T + 500)); // live
      expect(await s.sessions.purgeExpired(T + 100, T - 10)).toBe(2);
      expect(await s.sessions.find(hash(1))).toBeNull();
      expect(await s.sessions.find(hash(2))).toBeNull();
      expect(await s.sessions.find(hash(3))).not.toBeNull();
      expect(await s.sessions.purgeExpired(T + 100, T - 10)).toBe(0);
      expect(await s.findByUsername('ana')).not.toBeNull();
    });
  });
}
