/**
 * Dates from forms and query strings. Checked for real: 2025-02-30 or 25:00 is a 400, not a
 * silent roll-over into the next day. parseSiteDate reads them on the site zone's clock (the
 * access-log filters, next to times shown in that zone); parseDate reads them as UTC days (a
 * person's validity dates, stored and shown as UTC dates).
 */
import { badRequest } from './errors.js';
import { siteWallTime } from './site-time.js';

export const DATE_SOURCE = '^(\\d{4}-\\d{2}-\\d{2})?$';
/** A date, or a date and time to the minute (what <input type="datetime-local"> sends). */
export const DATE_TIME_SOURCE = '^(\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2})?)?$';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

type WallClock = (year: number, month: number, day: number, hour: number, minute: number) => number;
const utcClock: WallClock = (y, mo, d, h, mi) => Date.UTC(y, mo - 1, d, h, mi);

/**
 * 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' → epoch ms at the start of that day or minute on `clock`, or
 * at its last millisecond for `endOf` (so "until 31 Jan" includes all of 31 Jan); '' / null → null.
 */
function parseOn(clock: WallClock, field: string, value: string | null | undefined, endOf: boolean): number | null {
  if (value === undefined || value === null || value === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value);
  if (!m) throw badRequest(`${field}: expected a date like 2025-01-31`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [h, mi] = hasTime ? [Number(m[4]), Number(m[5])] : [0, 0];
  const back = new Date(Date.UTC(y, mo - 1, d));
  if (y < 2000 || y > 2200 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) {
    throw badRequest(`${field}: ${value} is not a valid date`);
  }
  if (!endOf) return clock(y, mo, d, h, mi);
  if (hasTime) return clock(y, mo, d, h, mi) + MINUTE_MS - 1;
  // The day ends where the next one starts: 23 or 25 hours on a day the clocks change.
  const next = new Date(Date.UTC(y, mo - 1, d) + DAY_MS);
  return clock(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0) - 1;
}

/** A date (or date and time) read as UTC: see parseOn. */
export function parseDate(field: string, value: string | null | undefined, endOf = false): number | null {
  return parseOn(utcClock, field, value, endOf);
}

/** A date (or date and time) read on the site zone's clock (FACEGATE_TIME_ZONE): see parseOn. */
export function parseSiteDate(field: string, value: string | null | undefined, endOf = false): number | null {
  return parseOn(siteWallTime, field, value, endOf);
}
