/**
 * Server-side sessions: a random 256-bit id goes to the browser in an httpOnly SameSite=Strict
 * cookie; only its SHA-256 is stored. Sessions end after an idle period or an absolute lifetime,
 * are replaced on sign-in (no fixation) and deleted on sign-out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AdminSession, SessionStore } from './admin-user-store.js';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 };

/** Touching the store on every request is wasteful; a minute's precision is plenty for idle expiry. */
const TOUCH_EVERY_MS = 60_000;

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class SessionManager {
  constructor(
    private readonly store: SessionStore,
    readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session; `previousId` (the cookie the browser came with) is destroyed first. */
  async start(username: string, previousId?: string): Promise<{ id: string; session: AdminSession }> {
    if (previousId) await this.destroy(previousId);
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: AdminSession = { idHash: hashSessionId(id), username, createdAt: at, lastSeenAt: at };
    await this.store.insert(session);
    return { id, session };
  }

  /** The live session for a cookie value, or null (unknown, malformed, idle or too old). */
  async resolve(id: string | undefined): Promise<AdminSession | null> {
    if (!id || !SESSION_ID_PATTERN.test(id)) return null;
    const idHash = hashSessionId(id);
    const session = await this.store.find(idHash);
    if (!session) return null;
    const at = this.now();
    if (at - session.lastSeenAt > this.policy.idleMs || at - session.createdAt > this.policy.absoluteMs) {
      await this.store.delete(idHash);
      return null;
    }
    if (at - session.lastSeenAt > TOUCH_EVERY_MS) {
      await this.store.touch(idHash, at);
      session.lastSeenAt = at;
    }
    return session;
  }

  async destroy(id: string): Promise<void> {
    if (SESSION_ID_PATTERN.test(id)) await this.store.delete(hashSessionId(id));
  }

  async purgeExpired(): Promise<number> {
    const at = this.now();
    return this.store.purgeExpired(at - this.policy.idleMs, at - this.policy.absoluteMs);
  }
}
