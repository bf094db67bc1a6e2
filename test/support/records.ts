/** Record fixtures for tests: a person, door or audit event with sensible defaults, overridable field by field. */
import type { AuditEvent, Door, Person } from '../../cloud/src/domain/types.js';
import { auditEvent } from '../../cloud/src/domain/audit-event.js';
import { DEFAULT_DOOR_WIRING } from '../../cloud/src/domain/door-wiring.js';

export const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

export function makePerson(personId: string, overrides: Partial<Person> = {}): Person {
  return {
    personId,
    name: `Person ${personId}`,
    status: 'active',
    validFrom: null,
    validUntil: null,
    allowedDoors: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function makeDoor(doorId: string, overrides: Partial<Door> = {}): Door {
  return {
    doorId,
    name: `Door ${doorId}`,
    enabled: true,
    pulseMs: 3000,
    online: false,
    lock: 'unknown',
    lastSeenAt: null,
    agentVersion: null,
    alarm: null,
    alarmSince: null,
    wiring: { ...DEFAULT_DOOR_WIRING },
    createdAt: T0,
    ...overrides,
  };
}

export function makeEvent(eventId: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return { ...auditEvent({ at: T0, kind: 'access' }), eventId, ...overrides };
}
