import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_DIR, HAVE_FACES, REPO_ROOT } from './faces-dataset.js';

const fraction = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

describe.skipIf(!HAVE_FACES)('bench:accuracy on a slice of the dev set', () => {
  it('runs the open-set protocol and writes every figure with a sane value', { timeout: 600_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-test-'));
    const json = path.join(dir, 'figures.json');
    const plot = path.join(dir, 'det.svg');
    try {
      // The first 40 people (sorted by name) hold both enrolled people and strangers.
      const run = spawnSync(
        process.execPath,
        [
          path.join(REPO_ROOT, 'bin/run-ts.mjs'),
          'bench/accuracy.ts',
          '--dataset',
          DEV_DIR,
          '--sample',
          '40',
          '--workers',
          '1',
          '--latency-images',
          '3',
          // The engine itself, not analyses a previous run left in .cache/.
          '--no-cache',
          '--json',
          json,
          '--plot',
          plot,
        ],
        { cwd: REPO_ROOT, encoding: 'utf8', timeout: 580_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/rank-1/);
      const figures = JSON.parse(fs.readFileSync(json, 'utf8'));
      expect(figures.enroll).toBe(1);
      expect(figures.enrolledPeople).toBeGreaterThan(10);
      expect(figures.failuresToEnrol).toBeGreaterThanOrEqual(0);
      expect(figures.enrolledPeople + figures.failuresToEnrol).toBeLessThanOrEqual(40);
      expect(figures.matedProbes).toBeGreaterThan(figures.enrolledPeople - 1);
      expect(figures.nonMatedProbes).toBeGreaterThan(5);
      // Recognition works on this slice: most mated probes find their person first.
      expect(figures.rank1).toBeGreaterThan(0.8);
      expect(figures.rank1).toBeLessThanOrEqual(1);
      expect(fraction(figures.fnirAtFpir['0.01'])).toBe(true);
      expect(fraction(figures.fnirAtFpir['0.001'])).toBe(true);
      expect(fraction(figures.defaultThreshold)).toBe(true);
      expect(fraction(figures.atDefaultThreshold.fnir)).toBe(true);
      expect(fraction(figures.atDefaultThreshold.fpir)).toBe(true);
      expect(figures.msPerImage.median).toBeGreaterThan(0);
      expect(figures.msPerImage.p95).toBeGreaterThanOrEqual(figures.msPerImage.median);
      const svg = fs.readFileSync(plot, 'utf8');
      expect(svg).toMatch(/^<svg/);
      expect(svg).toMatch(/<polyline/);
      expect(svg).toMatch(/default threshold/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
