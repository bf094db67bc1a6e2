/**
 * Dates from forms and query strings. Checked for real: 2025-02-30 or 25:00 is a 400, not a
 * silent roll-over into the next day. Every date a person types is a day (or minute) on the site
 * zone's clock: the access-log filters, and a person's validity ("until 31 Dec" ends at midnight
 * where the doors are, not at midnight in Greenwich). Used by the admin site and the CLI, so a
 * bad date is an InvalidInputError: a 400 on the site, a plain message from the CLI.
 */
import { InvalidInputError } from '../../lib/errors.js';
import { siteWallTime } from './site-time.js';

export const DATE_SOURCE = '^(\\d{4}-\\d{2}-\\d{2})?$';
/** A date, or a date and time to the minute (what <input type="datetime-local"> sends). */
export const DATE_TIME_SOURCE = '^(\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2})?)?$';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' → epoch ms at the start of that day or minute on the site
 * zone's clock (FACEGATE_TIME_ZONE), or at its last millisecond for `endOf` (so "until 31 Jan"
 * includes all of 31 Jan); '' / null → null.
 */
export function parseSiteDate(field: string, value: string | null | undefined, endOf = false): number | null {
  if (value === undefined || value === null || value === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value);
  if (!m) throw new InvalidInputError(`${field}: expected a date like 2025-01-31`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [h, mi] = hasTime ? [Number(m[4]), Number(m[5])] : [0, 0];
  const back = new Date(Date.UTC(y, mo - 1, d));
  if (y < 2000 || y > 2200 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) {
    throw new InvalidInputError(`${field}: ${value} is not a valid date`);
  }
  if (!endOf) return siteWallTime(y, mo, d, h, mi);
  if (hasTime) return siteWallTime(y, mo, d, h, mi) + MINUTE_MS - 1;
  // The day ends where the next one starts: 23 or 25 hours on a day the clocks change.
  const next = new Date(Date.UTC(y, mo - 1, d) + DAY_MS);
  return siteWallTime(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0) - 1;
}
