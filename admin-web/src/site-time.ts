/**
 * The site's one time zone (FACEGATE_TIME_ZONE, an IANA name; default the server's): every time
 * the admin site, its scripts and the CSV export show is in it, 24-hour, with the zone named.
 */
import { ConfigError } from '../../lib/errors.js';

let zone = serverTimeZone();
const DAY_MS = 86_400_000;

export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** An IANA zone name as Intl knows it, or a ConfigError naming the variable. */
export function validTimeZone(name: string, variable = 'FACEGATE_TIME_ZONE'): string {
  try {
    // Checked by Intl, but kept as given: ICU would rename some (Asia/Kolkata to Asia/Calcutta).
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return name;
  } catch {
    throw new ConfigError(
      `${variable} must be an IANA time zone such as Europe/Berlin or UTC, got ${JSON.stringify(name)}`,
    );
  }
}

export function setSiteTimeZone(name: string): void {
  zone = validTimeZone(name);
}

export function siteTimeZone(): string {
  return zone;
}

function parts(ms: number): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });
  return Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** 'YYYY-MM-DD HH:MM:SS' in the site zone (the zone is named once per page, not per cell). */
export function siteDateTime(ms: number): string {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** 'YYYY-MM-DD': the site-zone day that contains `ms` (validity dates, certificate expiry). */
export function siteDate(ms: number): string {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}`;
}

/** ISO 8601 with the site zone's offset, for the CSV: '2026-12-04T10:30:05+01:00'. */
export function siteIso(ms: number): string {
  const p = parts(ms);
  const offset = (p.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

/** The site zone's offset from UTC at the instant `ms`, in ms (east of Greenwich positive). */
function offsetAt(ms: number): number {
  const p = parts(ms);
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant a wall clock in the site zone shows this date and time (month 1-12). A time the
 * clocks skip (spring forward) is read as the same time after the jump, as the clocks then show;
 * a time they show twice (fall back) is its first occurrence.
 */
export function siteWallTime(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offsets a day either side (clocks change at most once in between): each gives a
  // candidate instant, which counts if the clock there really shows this wall time.
  const before = wall - offsetAt(wall - DAY_MS);
  const after = wall - offsetAt(wall + DAY_MS);
  const shows = (t: number) => t + offsetAt(t) === wall;
  if (shows(before) && shows(after)) return Math.min(before, after);
  if (shows(before)) return before;
  if (shows(after)) return after;
  return before; // skipped: read on the clock before the jump, which lands just after it
}

/** The first instant of the site-zone day that contains `ms` (for "today"). */
export function siteStartOfDay(ms: number): number {
  const p = parts(ms);
  return siteWallTime(Number(p.year), Number(p.month), Number(p.day));
}
