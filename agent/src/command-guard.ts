/**
 * Decides whether a command payload from the link may be acted on. An unlock needs a fresh, valid
 * command for this door that was never seen before — and nothing else opens the door. Every
 * rejection carries a machine-readable reason so the agent can log it and report it as an event.
 */
import {
  DoorCommand,
  MAX_CLOCK_SKEW_MS,
  parseMessage,
  type DenyCommand,
  type UnlockCommand,
} from '../../protocol/index.js';

export type RejectReason =
  'malformed' | 'other_door' | 'expired' | 'future_dated' | 'replayed' | 'bad_window' | 'before_start' | 'overloaded';

export type GuardResult =
  | { ok: true; command: UnlockCommand; pulseMs: number }
  | { ok: true; command: DenyCommand }
  | { ok: false; reason: RejectReason; detail: string; decisionId?: string };

export interface CommandGuardOptions {
  doorId: string;
  /** Pulses longer than this are shortened to it. */
  maxPulseMs: number;
  clock?: () => number;
  /** Bounds memory if a flood of distinct ids arrives; beyond it new commands are refused (fail secure). */
  maxRememberedIds?: number;
}

export class CommandGuard {
  private readonly doorId: string;
  private readonly maxPulseMs: number;
  private readonly clock: () => number;
  private readonly maxRemembered: number;
  /** decisionId → the instant it can be forgotten (its expiry plus skew). */
  private readonly seen = new Map<string, number>();
  /** Commands issued before this instant are refused (see acceptOnlyIssuedSince). */
  private notBefore = 0;

  constructor(options: CommandGuardOptions) {
    this.doorId = options.doorId;
    this.maxPulseMs = options.maxPulseMs;
    this.clock = options.clock ?? Date.now;
    this.maxRemembered = options.maxRememberedIds ?? 10_000;
  }

  /**
   * The ids seen before a restart are gone with the old process, so a command from then (e.g.
   * redelivered by the broker's persistent session) could run twice. No command issued before
   * this agent started can answer one of its frames: refuse them all.
   */
  acceptOnlyIssuedSince(instant: number): void {
    this.notBefore = instant;
  }

  check(payload: Uint8Array | string): GuardResult {
    const parsed = parseMessage(DoorCommand, payload);
    if (!parsed.ok) return { ok: false, reason: 'malformed', detail: parsed.error };
    const command = parsed.value;
    const decisionId = command.decisionId;
    if (command.doorId !== this.doorId) {
      return { ok: false, reason: 'other_door', detail: `command is for door ${command.doorId}`, decisionId };
    }
    const now = this.clock();
    this.forgetExpired(now);
    if (command.expiresAt < command.issuedAt) {
      return { ok: false, reason: 'bad_window', detail: 'expiresAt is before issuedAt', decisionId };
    }
    if (command.expiresAt < now) {
      return { ok: false, reason: 'expired', detail: `expired ${now - command.expiresAt} ms ago`, decisionId };
    }
    if (command.issuedAt > now + MAX_CLOCK_SKEW_MS) {
      return {
        ok: false,
        reason: 'future_dated',
        detail: `issued ${command.issuedAt - now} ms in the future`,
        decisionId,
      };
    }
    // A command valid for longer than the skew window could be replayed after we forget its id.
    if (command.expiresAt - command.issuedAt > MAX_CLOCK_SKEW_MS * 2) {
      return { ok: false, reason: 'bad_window', detail: 'validity window is implausibly long', decisionId };
    }
    if (command.issuedAt < this.notBefore) {
      return {
        ok: false,
        reason: 'before_start',
        detail: `issued ${this.notBefore - command.issuedAt} ms before the agent started`,
        decisionId,
      };
    }
    if (this.seen.has(decisionId)) {
      return { ok: false, reason: 'replayed', detail: 'decisionId already seen', decisionId };
    }
    if (this.seen.size >= this.maxRemembered) {
      // Forgetting a live id would let it be replayed, so refuse instead: the door stays locked.
      return { ok: false, reason: 'overloaded', detail: 'too many live commands to remember', decisionId };
    }
    this.remember(decisionId, command.expiresAt);
    if (command.type === 'deny') return { ok: true, command };
    return { ok: true, command, pulseMs: Math.min(command.pulseMs, this.maxPulseMs) };
  }

  private remember(decisionId: string, expiresAt: number): void {
    // Kept past expiry by the skew so a replay is caught even if our clock later jumps back.
    this.seen.set(decisionId, expiresAt + MAX_CLOCK_SKEW_MS);
  }

  private forgetExpired(now: number): void {
    for (const [id, forgetAt] of this.seen) {
      if (forgetAt < now) this.seen.delete(id);
    }
  }
}
