/**
 * Dates from forms and query strings, all in UTC (the site shows every time in UTC). Checked for
 * real: 2025-02-30 or 25:00 is a 400, not a silent roll-over into the next day.
 */
import { badRequest } from './errors.js';

export const DATE_SOURCE = '^(\\d{4}-\\d{2}-\\d{2})?$';
/** A date, or a date and time to the minute (what <input type="datetime-local"> sends). */
export const DATE_TIME_SOURCE = '^(\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2})?)?$';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' → epoch ms (UTC) at the start of that day or minute, or at
 * its last millisecond for `endOf` (so "until 31 Jan" includes all of 31 Jan); '' / null → null.
 */
export function parseDate(field: string, value: string | null | undefined, endOf = false): number | null {
  if (value === undefined || value === null || value === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value);
  if (!m) throw badRequest(`${field}: expected a date like 2025-01-31`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [h, mi] = hasTime ? [Number(m[4]), Number(m[5])] : [0, 0];
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(ms);
  if (y < 2000 || y > 2200 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) {
    throw badRequest(`${field}: ${value} is not a valid date`);
  }
  if (!endOf) return ms;
  return ms + (hasTime ? MINUTE_MS : DAY_MS) - 1;
}
