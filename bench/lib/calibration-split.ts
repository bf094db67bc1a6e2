/**
 * The calibration split of a photo set: every person falls in the *tune* half or the *report* half
 * by a stable hash of their name (their folder name, the person id of the protocol). Thresholds
 * are chosen on the tune half and figures reported on the report half, so no threshold is ever
 * computed from the photos it is reported on, and a stranger used to tune is never a stranger
 * reported on. Hashing the name (rather than taking alternate people in sorted order) keeps the
 * split the same whatever other people a folder holds and independent of how names sort.
 */
import { createHash } from 'node:crypto';

export type CalibrationHalf = 'tune' | 'report';

/** Salted so the split does not line up with any other hash of names the project may use. */
const SALT = 'facegate-calibration-split-v1\0';

export function calibrationHalf(personName: string): CalibrationHalf {
  const digest = createHash('sha256').update(SALT).update(personName, 'utf8').digest();
  return (digest[0]! & 1) === 0 ? 'tune' : 'report';
}

/**
 * Why a benchmark run may not fit a threshold, or null when it may: only the tune half is ever
 * calibrated on, so the report half (and a whole photo set, which holds the report half) stays
 * unseen by every threshold reported on it.
 */
export function calibrationRefusal(half: CalibrationHalf | 'all', calibrate: boolean): string | null {
  if (!calibrate || half === 'tune') return null;
  return '--calibrate fits the default threshold and runs only on --half tune: figures are reported on the other half';
}
