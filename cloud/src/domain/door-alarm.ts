/**
 * A door's alarm, moved by what the door reports: forced open raises it; held open raises it unless
 * the door is already forced (the worse of the two, and still true); closed clears it. An admin's
 * acknowledgement clears it too (doors service). Plain function: the telemetry handler stores it.
 */
import type { DoorEventType } from '../../../protocol/index.js';
import type { Door } from './types.js';

export type AlarmState = Pick<Door, 'alarm' | 'alarmSince'>;

/** The alarm after an event that happened at `at`, or null when the event leaves it as it is. */
export function alarmAfterEvent(current: AlarmState, type: DoorEventType, at: number): AlarmState | null {
  switch (type) {
    case 'door_forced_open':
      return { alarm: 'forced_open', alarmSince: at };
    case 'door_held_open':
      return current.alarm === null ? { alarm: 'held_open', alarmSince: at } : null;
    case 'door_closed':
      // Unconditional: `current` may be read before an earlier event of this door was stored.
      return { alarm: null, alarmSince: null };
    default:
      return null;
  }
}

/** How an alarm reads for people ("forced open"). */
export function alarmText(alarm: NonNullable<Door['alarm']>): string {
  return alarm === 'forced_open' ? 'forced open' : 'held open';
}
