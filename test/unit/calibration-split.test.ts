import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrationHalf, calibrationRefusal } from '../../bench/lib/calibration-split.js';
import { listPeople, openSetSplit } from '../../bench/lib/dataset.js';
import { binomialCdf, clopperPearson, normalQuantile, wilson } from '../../bench/lib/confidence.js';
import { fitImpostorTail, tailQuantile } from '../../bench/lib/impostor-tail.js';
import { CALIBRATIONS, perComparisonRate, thresholdFor } from '../../cloud/src/adapters/local/face-index/thresholds.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A photo folder of empty "photos": the split only looks at names. */
function fakeDataset(people: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-split-'));
  for (let i = 0; i < people; i++) {
    const name = `Person_${String(i).padStart(4, '0')}`;
    fs.mkdirSync(path.join(dir, name));
    const photos = 1 + (i % 5); // one photo (stranger) to five
    for (let k = 1; k <= photos; k++) fs.writeFileSync(path.join(dir, name, `${k}.jpg`), '');
  }
  return dir;
}

describe('calibration split', () => {
  let dir: string;
  beforeAll(() => {
    dir = fakeDataset(400);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('puts every person in exactly one half, by name alone, about half each', () => {
    const names = listPeople(dir).map((p) => p.name);
    const tune = names.filter((n) => calibrationHalf(n) === 'tune');
    const report = names.filter((n) => calibrationHalf(n) === 'report');
    expect(tune.length + report.length).toBe(names.length);
    expect(tune.filter((n) => report.includes(n))).toEqual([]);
    expect(tune.length).toBeGreaterThan(160);
    expect(report.length).toBeGreaterThan(160);
    // Stable: the same name always lands in the same half.
    for (const n of names.slice(0, 50)) expect(calibrationHalf(n)).toBe(calibrationHalf(`${n}`));
  });

  it('never gives a person, a photo or a stranger to both halves, and loses none', () => {
    for (const enroll of [1, 3]) {
      const all = openSetSplit(dir, enroll);
      const tune = openSetSplit(dir, enroll, { half: 'tune' });
      const report = openSetSplit(dir, enroll, { half: 'report' });
      const photos = (s: typeof all) =>
        new Set([...s.enrolled.flatMap((p) => [...p.enroll, ...p.probes]), ...s.strangers.map((x) => x.photo)]);
      const people = (s: typeof all) => new Set([...s.enrolled.map((p) => p.name), ...s.strangers.map((x) => x.name)]);
      const tunePhotos = photos(tune);
      const reportPhotos = photos(report);
      expect([...reportPhotos].filter((f) => tunePhotos.has(f))).toEqual([]);
      expect([...people(report)].filter((n) => people(tune).has(n))).toEqual([]);
      expect(tunePhotos.size + reportPhotos.size).toBe(photos(all).size);
      expect(tune.strangers.length).toBeGreaterThan(0);
      expect(report.strangers.length).toBeGreaterThan(0);
    }
  });

  it('probes --enroll 1 and --enroll 3 with the same photos when asked to', () => {
    const one = openSetSplit(dir, 1, { half: 'report', probeFrom: 3 });
    const three = openSetSplit(dir, 3, { half: 'report' });
    expect(one.enrolled.flatMap((p) => p.probes)).toEqual(three.enrolled.flatMap((p) => p.probes));
    expect(one.enrolled.every((p) => p.enroll.length === 1)).toBe(true);
  });

  it('refuses to calibrate on the report half or a whole set (no threshold is computed from the photos it is reported on)', () => {
    expect(calibrationRefusal('tune', true)).toBeNull();
    expect(calibrationRefusal('report', true)).toMatch(/only on --half tune/);
    expect(calibrationRefusal('all', true)).toMatch(/only on --half tune/);
    expect(calibrationRefusal('report', false)).toBeNull();
    // bench:accuracy consults it before anything runs.
    const bench = fs.readFileSync(path.join(REPO_ROOT, 'bench/accuracy.ts'), 'utf8');
    expect(bench).toMatch(/calibrationRefusal\(opts\.half, opts\.calibrate === true\)/);
    // The offline experiments (fusion rules, templates, thresholds) choose things: tune half only.
    const experiments = fs.readFileSync(path.join(REPO_ROOT, 'bench/visit-experiments.ts'), 'utf8');
    expect(experiments).toMatch(/calibrationRefusal\(opts\.half, true\)/);
  });
});

describe('confidence intervals', () => {
  it('binomial CDF matches hand-computed values', () => {
    expect(binomialCdf(0, 10, 0.1)).toBeCloseTo(0.9 ** 10, 12);
    expect(binomialCdf(1, 4, 0.5)).toBeCloseTo(5 / 16, 12);
    expect(binomialCdf(4, 4, 0.3)).toBe(1);
  });

  it('Clopper-Pearson gives the closed forms at 0 and n, and the textbook 5 of 20', () => {
    const [lo0, hi0] = clopperPearson(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(1 - 0.025 ** (1 / 10), 9); // 0.30850
    const [loN, hiN] = clopperPearson(800, 800);
    expect(loN).toBeCloseTo(0.025 ** (1 / 800), 9);
    expect(hiN).toBe(1);
    const [lo, hi] = clopperPearson(5, 20);
    expect(lo).toBeCloseTo(0.0866, 4);
    expect(hi).toBeCloseTo(0.491, 3);
    // One stranger of 800 (the old dev calibration): the interval spans almost two decades.
    const [lo1, hi1] = clopperPearson(1, 800);
    expect(lo1).toBeCloseTo(3.16e-5, 6);
    expect(hi1).toBeCloseTo(0.00694, 4);
  });

  it('Wilson gives the textbook 5 of 20 and never leaves 0..1', () => {
    const [lo, hi] = wilson(5, 20);
    expect(lo).toBeCloseTo(0.1119, 4);
    expect(hi).toBeCloseTo(0.4687, 4);
    const [lo0, hi0] = wilson(0, 50);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.0713, 4);
  });
});

describe('gallery-size threshold', () => {
  it('keeps per-search FPIR at the target: N comparisons at the per-comparison rate', () => {
    for (const n of [1, 20, 2000]) {
      const p = perComparisonRate(n, 0.001);
      expect(1 - (1 - p) ** n).toBeCloseTo(0.001, 12);
    }
  });

  it('rises with the gallery as the Gaussian tail says, and the fit recovers a known Gaussian', () => {
    const t20 = thresholdFor('dlib-tta-v1', 20);
    const t200 = thresholdFor('dlib-tta-v1', 200);
    const t2000 = thresholdFor('dlib-tta-v1', 2000);
    expect(t200).toBeGreaterThan(t20);
    expect(t2000).toBeGreaterThan(t200);
    const { mean, sd } = CALIBRATIONS['dlib-tta-v1']!.impostorTail;
    // N = 200 at F = 0.1%: p = 5.0e-6, z(1 − p) = 4.4172.
    expect(t200).toBeCloseTo(mean + sd * 4.4172, 3);
    // Scores at exact normal quantiles of N(0.8, 0.02²): the fit finds μ and σ again.
    const n = 200_000;
    const scores = Array.from({ length: n }, (_, i) => 0.8 - 0.02 * normalQuantile((i + 0.5) / n));
    const fit = fitImpostorTail(scores, n);
    expect(fit.mean).toBeCloseTo(0.8, 3);
    expect(fit.sd).toBeCloseTo(0.02, 3);
    expect(tailQuantile(fit, 1e-6)).toBeCloseTo(0.8 + 0.02 * 4.7534, 3);
  });
});
