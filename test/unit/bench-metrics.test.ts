/** The benchmark's maths on synthetic scores whose answers are worked out by hand. */
import { describe, expect, it } from 'vitest';
import {
  detCurve,
  fnirAt,
  fnirAtFpir,
  fpirAt,
  percentile,
  rank1,
  thresholdForFpir,
  type MatedOutcome,
} from '../../bench/lib/metrics.js';

const hit = (score: number): MatedOutcome => ({ score, correct: true });
const wrong = (score: number): MatedOutcome => ({ score, correct: false });

describe('fnirAt / fpirAt', () => {
  it('counts a score exactly at the threshold as a match (>=), for mated and stranger alike', () => {
    expect(fnirAt([hit(0.5), hit(0.4)], 0.5)).toBe(0.5);
    expect(fpirAt([0.5, 0.49, 0.1, 0.2], 0.5)).toBe(0.25);
  });

  it('counts a wrong top candidate as a miss however high its score', () => {
    expect(fnirAt([wrong(0.99), hit(0.9)], 0.5)).toBe(0.5);
  });

  it('counts a probe without a face (-Infinity) as a miss when mated and a reject when not', () => {
    expect(fnirAt([hit(-Infinity), hit(0.9)], 0.5)).toBe(0.5);
    expect(fpirAt([-Infinity, 0.9], 0.5)).toBe(0.5);
  });

  it('is NaN, not 0, on an empty set', () => {
    expect(fnirAt([], 0.5)).toBeNaN();
    expect(fpirAt([], 0.5)).toBeNaN();
    expect(rank1([])).toBeNaN();
  });
});

describe('rank1', () => {
  it('is the share of probes whose top candidate is right, whatever the scores', () => {
    expect(rank1([hit(0.1), wrong(0.9), hit(-Infinity), wrong(0.2)])).toBe(0.5);
  });
});

describe('thresholdForFpir', () => {
  const strangers = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];

  it('lets exactly the allowed number of strangers through', () => {
    // 10 % of 10 strangers: one may pass, so the threshold sits just above the second best (0.8).
    const t = thresholdForFpir(strangers, 0.1);
    expect(t).toBeGreaterThan(0.8);
    expect(t).toBeLessThan(0.9);
    expect(fpirAt(strangers, t)).toBe(0.1);
  });

  it('with FPIR 0 allowed, sits just above the best stranger', () => {
    const t = thresholdForFpir(strangers, 0);
    expect(t).toBeGreaterThan(0.9);
    expect(fpirAt(strangers, t)).toBe(0);
  });

  it('never exceeds the target when strangers tie at the boundary', () => {
    // Two strangers tie at 0.8: letting one through lets both through, so none may pass.
    const tied = [0.8, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.0, 0.0];
    const t = thresholdForFpir(tied, 0.1);
    expect(fpirAt(tied, t)).toBe(0);
    expect(t).toBeGreaterThan(0.8);
  });

  it('returns -Infinity when the target allows every stranger through, and with no strangers', () => {
    expect(thresholdForFpir([0.3, 0.2], 1)).toBe(-Infinity);
    expect(thresholdForFpir([], 0.01)).toBe(-Infinity);
  });

  it('does not count faceless strangers (-Infinity) as candidates for the boundary', () => {
    const strangers = [0.9, -Infinity, -Infinity, -Infinity];
    // One of four may pass and only one has a face at all, so any threshold will do...
    const t = thresholdForFpir(strangers, 0.25);
    expect(t).toBe(-Infinity);
    // ...and even the most lenient one never lets a faceless probe through.
    expect(fpirAt(strangers, t)).toBe(0.25);
    expect(fnirAt([hit(-Infinity), hit(0.1)], -Infinity)).toBe(0.5);
  });
});

describe('fnirAtFpir', () => {
  it('reads FNIR at the threshold that holds FPIR at the target, between two stranger scores', () => {
    const strangers = [0.72, 0.61, 0.55, 0.3];
    // 25 % of 4 strangers: one may pass; threshold just above 0.61.
    const mated = [hit(0.95), hit(0.7), hit(0.62), hit(0.61), wrong(0.99)];
    const { fnir, threshold } = fnirAtFpir(mated, strangers, 0.25);
    expect(threshold).toBeGreaterThan(0.61);
    expect(threshold).toBeLessThan(0.62);
    // 0.95, 0.7, 0.62 pass; 0.61 is below; the wrong candidate is a miss.
    expect(fnir).toBeCloseTo(2 / 5, 12);
  });
});

describe('detCurve', () => {
  it('walks from strict to lenient with the same counts as the direct formulas', () => {
    const mated = [hit(0.9), hit(0.6), wrong(0.8), hit(-Infinity)];
    const strangers = [0.7, 0.5, -Infinity];
    const points = detCurve(mated, strangers);
    expect(points.map((p) => p.threshold)).toEqual([0.9, 0.8, 0.7, 0.6, 0.5]);
    for (const p of points) {
      expect(p.fpir).toBeCloseTo(fpirAt(strangers, p.threshold), 12);
      expect(p.fnir).toBeCloseTo(fnirAt(mated, p.threshold), 12);
    }
    expect(points.at(-1)).toEqual({ threshold: 0.5, fpir: 2 / 3, fnir: 0.5 });
  });
});

describe('percentile', () => {
  it('uses the nearest-rank method', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 95)).toBe(5);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});
