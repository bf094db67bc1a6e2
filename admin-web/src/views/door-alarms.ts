/**
 * Forced- and held-open alerts at the top of the dashboard and the doors page: one per door in
 * alarm, with an Acknowledge button. Always rendered (empty when all is well) so dashboard.js can
 * add and remove alerts live from the door stream; it builds the same markup (keep them alike).
 */
import type { Door } from '../../../cloud/src/domain/types.js';
import { alarmText } from '../../../cloud/src/domain/door-alarm.js';
import { html, type SafeHtml } from '../html.js';
import { formatTime } from '../layout.js';

/** Where the Acknowledge button returns to. */
export const ALARM_PAGES = ['dashboard', 'doors'] as const;
export type AlarmPage = (typeof ALARM_PAGES)[number];

function doorAlarmAlert(d: Door & { alarm: NonNullable<Door['alarm']> }, csrfToken: string, back: AlarmPage) {
  return html`<div class="alert alert-alarm" role="alert" data-alarm-door="${d.doorId}">
    <span><strong>${d.name}</strong>: door <span data-field="alarm-text">${alarmText(d.alarm)}</span> since <span data-field="alarm-since">${formatTime(d.alarmSince)}</span></span>
    <form method="post" action="/doors/${d.doorId}/alarm/acknowledge" class="inline">
      <input type="hidden" name="_csrf" value="${csrfToken}"><input type="hidden" name="back" value="${back}">
      <button type="submit">Acknowledge</button>
    </form>
  </div>`;
}

export function doorAlarms(doors: Door[], csrfToken: string, back: AlarmPage): SafeHtml {
  const inAlarm = doors.filter((d): d is Door & { alarm: NonNullable<Door['alarm']> } => d.alarm !== null);
  return html`<section id="door-alarms" class="door-alarms" aria-live="assertive" aria-label="Door alarms" data-back="${back}">${inAlarm.map((d) => doorAlarmAlert(d, csrfToken, back))}</section>`;
}
