/**
 * The access decision for a face at a door, as a pure function: who (if anyone) was recognised,
 * which door, and when. Checks run from the door outwards to the person, so the reason given is
 * the first thing an admin would have to change.
 */
import type { DenyReason } from '../../../protocol/index.js';
import type { Door, Person } from './types.js';

export type AccessDecision = { result: 'granted' } | { result: 'denied'; reason: DenyReason };

export function decideAccess(person: Person | null, door: Door, now: number): AccessDecision {
  if (!door.enabled) return deny('door_disabled');
  if (person === null) return deny('unknown');
  if (person.status !== 'active') return deny('inactive');
  // validFrom/validUntil are inclusive instants.
  if (person.validFrom !== null && now < person.validFrom) return deny('not_yet_valid');
  if (person.validUntil !== null && now > person.validUntil) return deny('expired');
  if (person.allowedDoors !== null && !person.allowedDoors.includes(door.doorId)) return deny('door_not_allowed');
  return { result: 'granted' };
}

function deny(reason: DenyReason): AccessDecision {
  return { result: 'denied', reason };
}
