/**
 * The door's own state machine, pure: door contact, request-to-exit button and relay grants in,
 * door events and local unlocks out. No timers and no I/O here — the caller feeds a `tick` at
 * `nextCheckAt`, so every rule is testable with plain numbers.
 *
 * Rules (the usual ones of access control panels):
 * - An opening while an unlock is granted (relay pulse, plus a short grace for a slow hand) is a
 *   normal `door_opened`; any other opening is `door_forced_open`.
 * - A door open longer than `heldOpenMs` gives one `door_held_open` per opening.
 * - The exit button grants and asks for a local unlock (it works offline: no back end involved),
 *   so walking out is never reported as forced.
 */
import type { DoorEventType, UnlockSource } from '../../../protocol/index.js';

export interface DoorMonitorSettings {
  /** How long the door may stand open before `door_held_open`. */
  heldOpenMs: number;
  /** An opening this long after a grant ended still counts as granted (the latch releases late). */
  grantGraceMs: number;
  /** How long the exit button unlocks the door. */
  exitPulseMs: number;
}

export type ContactReading = 'open' | 'closed';

export interface DoorMonitorState {
  contact: ContactReading | 'unknown';
  /** When the current opening began, or null when closed/unknown. */
  openedAt: number | null;
  /** Whether the current opening was forced. */
  forced: boolean;
  /** Whether held-open was already reported for the current opening. */
  heldReported: boolean;
  /** Openings up to this time (epoch ms) are granted. */
  grantedUntil: number;
}

export type DoorInput =
  /** The contact's first reading at start: no event (nothing happened), but an open door starts the held-open clock. */
  | { kind: 'contact_initial'; state: ContactReading; at: number }
  | { kind: 'contact'; state: ContactReading; at: number }
  /** The relay was energised until `until` (a face, a remote unlock or the exit button). */
  | { kind: 'unlocked'; until: number; at: number }
  /** The relay was released early (offline, stop, error): the grant ends now. */
  | { kind: 'locked'; at: number }
  | { kind: 'exit_pressed'; at: number }
  | { kind: 'tick'; at: number };

export type DoorOutput =
  | { kind: 'event'; type: DoorEventType; detail?: string; source?: UnlockSource }
  | { kind: 'unlock'; source: 'exit_button'; pulseMs: number };

export interface DoorStep {
  state: DoorMonitorState;
  outputs: DoorOutput[];
  /** When the caller must feed a `tick` (epoch ms), or null when nothing is pending. */
  nextCheckAt: number | null;
}

export const initialDoorState: DoorMonitorState = {
  contact: 'unknown',
  openedAt: null,
  forced: false,
  heldReported: false,
  grantedUntil: Number.NEGATIVE_INFINITY,
};

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function nextCheck(settings: DoorMonitorSettings, state: DoorMonitorState): number | null {
  if (state.contact !== 'open' || state.openedAt === null || state.heldReported) return null;
  return state.openedAt + settings.heldOpenMs;
}

export function stepDoor(settings: DoorMonitorSettings, state: DoorMonitorState, input: DoorInput): DoorStep {
  const outputs: DoorOutput[] = [];
  let next: DoorMonitorState = { ...state };

  switch (input.kind) {
    case 'contact_initial':
      next = {
        ...next,
        contact: input.state,
        openedAt: input.state === 'open' ? input.at : null,
        forced: false,
        heldReported: false,
      };
      break;

    case 'contact':
      if (input.state === state.contact) break;
      if (input.state === 'open') {
        const forced = input.at > state.grantedUntil;
        next = { ...next, contact: 'open', openedAt: input.at, forced, heldReported: false };
        outputs.push(
          forced
            ? { kind: 'event', type: 'door_forced_open', detail: 'opened with no granted unlock' }
            : { kind: 'event', type: 'door_opened' },
        );
      } else {
        const openFor = state.openedAt === null ? null : input.at - state.openedAt;
        const parts = [
          ...(openFor === null ? [] : [`open for ${seconds(openFor)}`]),
          ...(state.forced ? ['after a forced opening'] : []),
          ...(state.heldReported ? ['after being held open'] : []),
        ];
        next = { ...next, contact: 'closed', openedAt: null, forced: false, heldReported: false };
        outputs.push({ kind: 'event', type: 'door_closed', ...(parts.length ? { detail: parts.join(', ') } : {}) });
      }
      break;

    case 'unlocked':
      next.grantedUntil = Math.max(state.grantedUntil, input.until + settings.grantGraceMs);
      break;

    case 'locked':
      next.grantedUntil = Math.min(state.grantedUntil, input.at + settings.grantGraceMs);
      break;

    case 'exit_pressed':
      next.grantedUntil = Math.max(state.grantedUntil, input.at + settings.exitPulseMs + settings.grantGraceMs);
      outputs.push({ kind: 'event', type: 'exit_button', source: 'exit_button' });
      outputs.push({ kind: 'unlock', source: 'exit_button', pulseMs: settings.exitPulseMs });
      break;

    case 'tick':
      break;
  }

  // Held open is checked on every input, so a late tick (a busy loop) still reports it once.
  if (next.contact === 'open' && next.openedAt !== null && !next.heldReported) {
    const openFor = input.at - next.openedAt;
    if (openFor >= settings.heldOpenMs) {
      next.heldReported = true;
      outputs.push({
        kind: 'event',
        type: 'door_held_open',
        detail: `open for ${seconds(openFor)} (limit ${seconds(settings.heldOpenMs)})${next.forced ? ', forced' : ''}`,
      });
    }
  }

  return { state: next, outputs, nextCheckAt: nextCheck(settings, next) };
}
