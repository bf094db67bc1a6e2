import { describe, expect, it } from 'vitest';
import { normalise, type GalleryStats } from '../../bench/lib/score-norm.js';

/** Brute-force references: every statistic recomputed from its definition. */
const others = (s: number[], i: number) => s.filter((_, j) => j !== i);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('score normalisations (bench/lib/score-norm.ts)', () => {
  const s = [0.91, 0.86, 0.88, 0.95, 0.84, 0.87, 0.9, 0.85, 0.89, 0.83, 0.92, 0.86];
  const g: GalleryStats = {
    mean: Float64Array.from(s, (_, i) => 0.85 + i * 0.001),
    sd: Float64Array.from(s, (_, i) => 0.02 + i * 0.0005),
  };

  it('T-norm subtracts the mean of the other people (and divides by their sd)', () => {
    const m = normalise('tnorm-mean', s, g);
    const z = normalise('tnorm-z', s, g);
    s.forEach((x, i) => {
      expect(m[i]).toBeCloseTo(x - mean(others(s, i)), 12);
      expect(z[i]).toBeCloseTo((x - mean(others(s, i))) / sd(others(s, i)), 9);
    });
  });

  it('top-K T-norm subtracts the mean of the K highest other scores', () => {
    for (const [name, k] of [
      ['tnorm-top3', 3],
      ['tnorm-top10', 10],
    ] as const) {
      const out = normalise(name, s, g);
      s.forEach((x, i) => {
        const top = others(s, i)
          .sort((a, b) => b - a)
          .slice(0, k);
        expect(out[i]).toBeCloseTo(x - mean(top), 12);
      });
    }
  });

  it('Z-norm uses each person’s own gallery statistics; S-norm averages the two z-scores', () => {
    const zm = normalise('znorm-mean', s, g);
    const zz = normalise('znorm-z', s, g);
    const sn = normalise('snorm', s, g);
    s.forEach((x, i) => {
      expect(zm[i]).toBeCloseTo(x - g.mean[i]!, 12);
      expect(zz[i]).toBeCloseTo((x - g.mean[i]!) / g.sd[i]!, 9);
      const tz = (x - mean(others(s, i))) / sd(others(s, i));
      expect(sn[i]).toBeCloseTo((tz + (x - g.mean[i]!) / g.sd[i]!) / 2, 9);
    });
  });

  it('keeps the order of the raw scores for one probe under T-norm mean (a shift that barely depends on i)', () => {
    const m = normalise('tnorm-mean', s, g);
    const byRaw = s.map((_, i) => i).sort((a, b) => s[b]! - s[a]!);
    const byNorm = s.map((_, i) => i).sort((a, b) => m[b]! - m[a]!);
    expect(byNorm).toEqual(byRaw);
  });
});
