/**
 * A door's own events are stored as "<type>" or "<type>: <detail>" (door-telemetry). On the
 * dashboard, a door's page and the access log they read as words: "Forced open: opened with no
 * granted unlock", "Held open: open for 45 s (limit 30 s)", "Exit button pressed".
 */
import type { AuditEvent } from '../../cloud/src/domain/types.js';

const DOOR_EVENT_WORDS: Record<string, string> = {
  unlocked: 'Unlocked',
  locked: 'Locked',
  command_rejected: 'Command rejected',
  door_opened: 'Door opened',
  door_closed: 'Door closed',
  door_forced_open: 'Forced open',
  door_held_open: 'Held open',
  exit_button: 'Exit button pressed',
  agent_error: 'Door agent error',
};

/** The readable form of a door event's stored detail; other text is returned as it is. */
export function readableDoorDetail(detail: string): string {
  const m = /^([a-z_]+)(?::\s*(.*))?$/s.exec(detail);
  const words = m ? DOOR_EVENT_WORDS[m[1]!] : undefined;
  if (!m || !words) return detail;
  return m[2] ? `${words}: ${m[2]}` : words;
}

/** What a non-access row says besides its kind: the door's event in words, or the stored detail. */
export function eventDetailText(e: Pick<AuditEvent, 'kind' | 'detail'>): string | null {
  if (!e.detail) return null;
  return e.kind === 'door_event' ? readableDoorDetail(e.detail) : e.detail;
}
