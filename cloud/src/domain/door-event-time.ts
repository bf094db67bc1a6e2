/**
 * When a door event goes into the access log. A door that was offline delivers its queued events
 * (exit button, forced open, unlocks) when it comes back, possibly hours later: logged at delivery,
 * a forced door at 03:12 would appear at 07:40 among the morning's entries. So a late event is
 * logged at the time the door gives it, with how late it was reported; an event on time is logged
 * on the back end's clock as before (a door's clock a few hundred ms off must not put "unlocked"
 * above the grant that caused it). A door clock that is plainly wrong (ahead of ours, or older
 * than any outage the door's queue could span) is not believed: the event is logged when received
 * and says why.
 */

/** A door up to this far ahead of the back end's clock is taken as on time (NTP keeps them within a second). */
export const DOOR_CLOCK_TOLERANCE_MS = 60_000;
/** Reported later than this: logged at the door's time, with the delay named. */
export const LATE_REPORT_MS = 60_000;
/** Older than this by the door's clock: its clock is not believed (no outage queue spans a month). */
export const MAX_REPORT_DELAY_MS = 30 * 86_400_000;

export interface DoorEventTime {
  /** The access-log time. */
  at: number;
  /** Appended to the row's detail, or null when the event was reported on time. */
  note: string | null;
}

export function doorEventTime(doorAt: number, receivedAt: number): DoorEventTime {
  const late = receivedAt - doorAt;
  if (late < -DOOR_CLOCK_TOLERANCE_MS) {
    return { at: receivedAt, note: `door clock ${duration(-late)} ahead; logged when received` };
  }
  if (late > MAX_REPORT_DELAY_MS) {
    return { at: receivedAt, note: `door clock says ${duration(late)} ago; logged when received` };
  }
  if (late > LATE_REPORT_MS) return { at: doorAt, note: `reported ${duration(late)} later` };
  return { at: receivedAt, note: null };
}

/** '3 min', '2 h 5 min', '4 d 1 h': coarse enough to read at a glance, zone-free. */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}
