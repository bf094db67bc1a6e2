/** The enrolment advice quotes the measured per-visit miss rates, not figures that drifted from them. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { THREE_PHOTOS_WHY, VISITS_MISSED_PCT } from '../../cloud/src/domain/enrolment-advice.js';

const results = path.resolve(import.meta.dirname, '../../bench-results');
const visitFnir = (file: string) =>
  (JSON.parse(fs.readFileSync(path.join(results, file), 'utf8')) as { visits: { fnir: number } }).visits.fnir;

describe('enrolment advice', () => {
  it('rounds the report-half per-visit FNIR of one and of three photos on the same probes', () => {
    expect(VISITS_MISSED_PCT.onePhoto).toBe(Math.round(100 * visitFnir('accuracy-report-enroll1-probe4.json')));
    expect(VISITS_MISSED_PCT.threePhotos).toBe(Math.round(100 * visitFnir('accuracy-report-enroll3.json')));
    expect(THREE_PHOTOS_WHY).toBe('three photos missed 7% of visits where one photo missed 18%');
  });
});
