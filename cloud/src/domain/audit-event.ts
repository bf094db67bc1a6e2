/** Builds audit events with every field present, so callers state only what matters. */
import { newId } from './ids.js';
import type { AuditEvent } from './types.js';

export function auditEvent(fields: Pick<AuditEvent, 'at' | 'kind'> & Partial<AuditEvent>): AuditEvent {
  return {
    eventId: newId(),
    doorId: null,
    personId: null,
    personName: null,
    result: null,
    reason: null,
    score: null,
    snapshotKey: null,
    decisionId: null,
    actor: null,
    detail: null,
    ...fields,
  };
}
