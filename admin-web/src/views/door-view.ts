/** How a door's state reads on the dashboard and the doors page (shared with the SSE updates). */
import type { Door } from '../../../cloud/src/domain/types.js';

export interface DoorView {
  doorId: string;
  name: string;
  online: boolean;
  lock: Door['lock'];
  enabled: boolean;
  lastSeenAt: number | null;
  agentVersion: string | null;
  alarm: Door['alarm'];
  alarmSince: number | null;
}

export function doorView(d: Door): DoorView {
  return {
    doorId: d.doorId,
    name: d.name,
    online: d.online,
    lock: d.lock,
    enabled: d.enabled,
    lastSeenAt: d.lastSeenAt,
    agentVersion: d.agentVersion,
    alarm: d.alarm,
    alarmSince: d.alarmSince,
  };
}
