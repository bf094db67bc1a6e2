/**
 * What the two sharpness-floor benchmarks share (agent/bench/sharpness-floor.ts for the door's face
 * gate, bench/enrol-sharpness-floor.ts for enrolment): the sample of dev photos, the blurs a floor
 * must catch, and the report — percentiles per blur and the share refused at each candidate floor.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sharp } from 'sharp';

/** Every k-th person's first photo: spread over the whole set, not one end of the alphabet. */
export function sampleDevPhotos(devDir: string, count: number): string[] {
  const people = fs.readdirSync(devDir).sort();
  const stride = Math.max(1, Math.floor(people.length / count));
  return people
    .filter((_, i) => i % stride === 0)
    .slice(0, count)
    .map((p) => path.join(devDir, p, '1.jpg'));
}

// sharp wants a kernel at least 3 high: a 9×3 box whose middle row alone is set smears along x.
const motionKernel = {
  width: 9,
  height: 3,
  kernel: [0, 1, 0].flatMap((v) => new Array<number>(9).fill(v)),
  scale: 9,
};

export const AS_TAKEN = 'as taken';

export const BLUR_VARIANTS: Record<string, (s: Sharp) => Sharp> = {
  [AS_TAKEN]: (s) => s,
  'gaussian σ1': (s) => s.blur(1),
  'gaussian σ2': (s) => s.blur(2),
  'gaussian σ3': (s) => s.blur(3),
  'motion 9px': (s) => s.convolve(motionKernel),
};

/** Prints percentiles of each variant's sharpness and the percent refused per floor; writes them as JSON if asked. */
export function reportSharpness(
  values: Record<string, number[]>,
  options: { photos: number; noFace: number; floors: number[]; jsonOut: string | undefined },
): void {
  const pct = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  const summary: Record<string, Record<string, number>> = {};
  for (const [name, v] of Object.entries(values)) {
    v.sort((a, b) => a - b);
    summary[name] = {
      n: v.length,
      min: v[0]!,
      p1: pct(v, 1),
      p2: pct(v, 2),
      p5: pct(v, 5),
      p25: pct(v, 25),
      p50: pct(v, 50),
      p75: pct(v, 75),
    };
  }
  console.table(summary);
  const refusal: Record<string, Record<string, number>> = {};
  for (const floor of options.floors) {
    refusal[`floor ${floor}`] = Object.fromEntries(
      Object.entries(values).map(([name, v]) => [
        name,
        Number(((100 * v.filter((x) => x < floor).length) / v.length).toFixed(1)),
      ]),
    );
  }
  console.log('percent of detected faces refused, per floor:');
  console.table(refusal);
  if (options.jsonOut) {
    fs.mkdirSync(path.dirname(path.resolve(options.jsonOut)), { recursive: true });
    fs.writeFileSync(
      options.jsonOut,
      JSON.stringify({ photos: options.photos, noFace: options.noFace, summary, refusedPercent: refusal }, null, 2) +
        '\n',
    );
  }
}
