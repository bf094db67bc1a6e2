/** Domain records shared by the handlers, the adapters and the admin site. Times are epoch ms. */
import type { DenyReason, LockState } from '../../../protocol/index.js';
import type { DoorWiring } from './door-wiring.js';

export type PersonStatus = 'active' | 'inactive';

export interface Person {
  personId: string;
  name: string;
  status: PersonStatus;
  /** Access is valid from/until these instants (inclusive); null = unbounded. */
  validFrom: number | null;
  validUntil: number | null;
  /** Doors this person may open; null = every door. */
  allowedDoors: string[] | null;
  createdAt: number;
  updatedAt: number;
}

/** One enrolled face: the engine's face id, its person, and the encrypted photo it came from. */
export interface EnrolledFace {
  faceId: string;
  personId: string;
  photoKey: string;
  createdAt: number;
}

/** A door standing open when it should not: opened with no unlock granted, or open too long. */
export type DoorAlarm = 'forced_open' | 'held_open';

export interface Door {
  doorId: string;
  name: string;
  enabled: boolean;
  /** How long the relay stays energised on an unlock. */
  pulseMs: number;
  online: boolean;
  lock: LockState;
  lastSeenAt: number | null;
  agentVersion: string | null;
  /** Raised by the door's forced/held-open events; cleared when it reports closed or an admin acknowledges. */
  alarm: DoorAlarm | null;
  /** When the alarm was raised (null without one). */
  alarmSince: number | null;
  /** How the Pi at this door is wired; every bundle made for the door carries it. */
  wiring: DoorWiring;
  createdAt: number;
}

export type AccessResult = 'granted' | 'denied';

/** Every decision and every admin action that touches access leaves one of these. */
export type AuditEventKind =
  | 'access' // a face at a door was decided
  | 'remote_unlock' // an admin opened a door
  | 'person_created'
  | 'person_updated'
  | 'person_erased'
  | 'door_created'
  | 'door_changed' // an admin disabled, enabled, revoked, renewed, re-provisioned or deleted a door
  | 'door_event'; // something the door itself reported (command rejected, door forced…)

export interface AuditEvent {
  eventId: string;
  at: number;
  kind: AuditEventKind;
  doorId: string | null;
  personId: string | null;
  /** Copied at the time so the log reads well after renames; cleared on erasure. */
  personName: string | null;
  result: AccessResult | null;
  reason: DenyReason | 'match' | 'remote' | null;
  /** Similarity of the best match, 0..1, when a face was searched. */
  score: number | null;
  snapshotKey: string | null;
  decisionId: string | null;
  /** Who did it for admin actions (an admin username), null for the system. */
  actor: string | null;
  detail: string | null;
}

export interface EventFilter {
  doorId?: string;
  personId?: string;
  result?: AccessResult;
  kind?: AuditEventKind;
  from?: number;
  to?: number;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}
