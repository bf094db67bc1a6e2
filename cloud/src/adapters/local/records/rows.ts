/** Row ⇄ domain mapping for the SQLite records tables (snake_case columns, 0/1 booleans, JSON arrays). */
import type { AccessResult, AuditEvent, AuditEventKind, Door, EnrolledFace, Person } from '../../../domain/types.js';
import { DEFAULT_DOOR_WIRING, DoorWiringSchema, type DoorWiring } from '../../../domain/door-wiring.js';
import { FacegateError } from '../../../errors.js';

export interface PersonRow {
  person_id: string;
  name: string;
  name_fold: string;
  status: string;
  valid_from: number | null;
  valid_until: number | null;
  allowed_doors: string | null;
  created_at: number;
  updated_at: number;
}

export interface FaceRow {
  face_id: string;
  person_id: string;
  photo_key: string;
  created_at: number;
}

export interface DoorRow {
  door_id: string;
  name: string;
  enabled: number;
  pulse_ms: number;
  online: number;
  lock: string;
  last_seen_at: number | null;
  agent_version: string | null;
  alarm: string | null;
  alarm_since: number | null;
  wiring: string | null;
  created_at: number;
}

export interface EventRow {
  event_id: string;
  at: number;
  kind: string;
  door_id: string | null;
  person_id: string | null;
  person_name: string | null;
  result: string | null;
  reason: string | null;
  score: number | null;
  snapshot_key: string | null;
  decision_id: string | null;
  actor: string | null;
  detail: string | null;
}

/** Search and ordering fold; the same fold is applied to search text. */
export function foldName(name: string): string {
  return name.toLowerCase();
}

export function personToRow(p: Person): PersonRow {
  return {
    person_id: p.personId,
    name: p.name,
    name_fold: foldName(p.name),
    status: p.status,
    valid_from: p.validFrom,
    valid_until: p.validUntil,
    allowed_doors: p.allowedDoors === null ? null : JSON.stringify(p.allowedDoors),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function rowToPerson(r: PersonRow): Person {
  return {
    personId: r.person_id,
    name: r.name,
    status: r.status === 'inactive' ? 'inactive' : 'active',
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    allowedDoors: r.allowed_doors === null ? null : (JSON.parse(r.allowed_doors) as string[]),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function rowToFace(r: FaceRow): EnrolledFace {
  return { faceId: r.face_id, personId: r.person_id, photoKey: r.photo_key, createdAt: r.created_at };
}

export function doorToRow(d: Door): DoorRow {
  return {
    door_id: d.doorId,
    name: d.name,
    enabled: d.enabled ? 1 : 0,
    pulse_ms: d.pulseMs,
    online: d.online ? 1 : 0,
    lock: d.lock,
    last_seen_at: d.lastSeenAt,
    agent_version: d.agentVersion,
    alarm: d.alarm,
    alarm_since: d.alarmSince,
    wiring: JSON.stringify(d.wiring),
    created_at: d.createdAt,
  };
}

export function rowToDoor(r: DoorRow): Door {
  return {
    doorId: r.door_id,
    name: r.name,
    enabled: r.enabled === 1,
    pulseMs: r.pulse_ms,
    online: r.online === 1,
    lock: r.lock === 'locked' || r.lock === 'unlocked' ? r.lock : 'unknown',
    lastSeenAt: r.last_seen_at,
    agentVersion: r.agent_version,
    alarm: r.alarm === 'forced_open' || r.alarm === 'held_open' ? r.alarm : null,
    alarmSince: r.alarm_since,
    wiring: r.wiring === null ? { ...DEFAULT_DOOR_WIRING } : storedWiring(r.wiring, r.door_id),
    createdAt: r.created_at,
  };
}

export function eventToRow(e: AuditEvent): EventRow {
  return {
    event_id: e.eventId,
    at: e.at,
    kind: e.kind,
    door_id: e.doorId,
    person_id: e.personId,
    person_name: e.personName,
    result: e.result,
    reason: e.reason,
    score: e.score,
    snapshot_key: e.snapshotKey,
    decision_id: e.decisionId,
    actor: e.actor,
    detail: e.detail,
  };
}

export function rowToEvent(r: EventRow): AuditEvent {
  return {
    eventId: r.event_id,
    at: r.at,
    kind: r.kind as AuditEventKind,
    doorId: r.door_id,
    personId: r.person_id,
    personName: r.person_name,
    result: r.result as AccessResult | null,
    reason: r.reason as AuditEvent['reason'],
    score: r.score,
    snapshotKey: r.snapshot_key,
    decisionId: r.decision_id,
    actor: r.actor,
    detail: r.detail,
  };
}

/** A stored wiring that no longer parses is a damaged database, not a reason to guess pins. */
function storedWiring(json: string, doorId: string): DoorWiring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new FacegateError('corrupt_record', `door ${doorId}: stored wiring is not JSON`, { cause });
  }
  const result = DoorWiringSchema.safeParse(parsed);
  if (!result.success)
    throw new FacegateError('corrupt_record', `door ${doorId}: stored wiring is not valid`, { cause: result.error });
  return result.data;
}
