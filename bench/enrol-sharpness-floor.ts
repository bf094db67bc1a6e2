/**
 * bench:enrol-sharpness — how the enrolment sharpness floor (DEFAULT_PHOTO_QUALITY.minEnrolSharpness)
 * was chosen. Measures the sharpness the back end reports for an enrolment photo (the local face
 * engine's 0..100 figure on the aligned 112 px face crop, lib/sharpness.ts: the same Laplacian
 * measure and scale as the door's face gate, agent/bench/sharpness-floor.ts) on photos from
 * ../shared/faces/dev (read in place, never copied): each photo as taken, and again with Gaussian
 * blur (σ 1, 2, 3) and horizontal motion blur (9 px). Prints percentiles and, per candidate floor,
 * the share of each kind refused. The floor is set where almost no photo as taken is refused (the
 * photos the engine's accuracy is measured on) and most photos blurred by σ ≥ 2 are.
 *
 *   npm run bench:enrol-sharpness [-- --photos 240]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { FaceEngine } from '../cloud/src/adapters/local/face-engine/index.js';
import { silentLogger } from '../lib/logger.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const devDir = path.resolve(root, '../shared/faces/dev');
if (!fs.existsSync(devDir)) {
  console.error(`skipped: ${devDir} is absent (the face photo set is needed)`);
  process.exit(0);
}
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const count = Number(arg('--photos') ?? 240);
const jsonOut = arg('--json');

// Every k-th person's first photo: spread over the whole set, not one end of the alphabet.
const people = fs.readdirSync(devDir).sort();
const stride = Math.max(1, Math.floor(people.length / count));
const photos = people
  .filter((_, i) => i % stride === 0)
  .slice(0, count)
  .map((p) => path.join(devDir, p, '1.jpg'));

// sharp wants a kernel at least 3 high: a 9×3 box whose middle row alone is set smears along x.
const motionKernel = {
  width: 9,
  height: 3,
  kernel: [0, 1, 0].flatMap((v) => new Array<number>(9).fill(v)),
  scale: 9,
};
const variants: Record<string, (s: Sharp) => Sharp> = {
  'as taken': (s) => s,
  'gaussian σ1': (s) => s.blur(1),
  'gaussian σ2': (s) => s.blur(2),
  'gaussian σ3': (s) => s.blur(3),
  'motion 9px': (s) => s.convolve(motionKernel),
};

const engine = await FaceEngine.start({ logger: silentLogger(), workers: 1 });
const values: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
let noFace = 0;
try {
  for (const [i, file] of photos.entries()) {
    const photo = fs.readFileSync(file);
    for (const [name, apply] of Object.entries(variants)) {
      const jpeg = name === 'as taken' ? photo : await apply(sharp(photo)).jpeg({ quality: 90 }).toBuffer();
      const analysis = await engine.analyze(jpeg, { embed: false });
      const face = analysis.faces[0];
      if (face?.sharpness != null) values[name]!.push(face.sharpness);
      else if (!face && name === 'as taken') noFace++;
    }
    if ((i + 1) % 40 === 0) process.stderr.write(`  ${i + 1}/${photos.length} photos\n`);
  }
} finally {
  await engine.close();
}

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
console.log(`${photos.length} photos from ${devDir}; no face in ${noFace} of them as taken`);
console.table(summary);
const floors = [5, 10, 15, 20, 25, 30];
const refusal: Record<string, Record<string, number>> = {};
for (const f of floors) {
  refusal[`floor ${f}`] = Object.fromEntries(
    Object.entries(values).map(([name, v]) => [
      name,
      Number(((100 * v.filter((x) => x < f).length) / v.length).toFixed(1)),
    ]),
  );
}
console.log('percent of detected faces refused, per floor:');
console.table(refusal);
if (jsonOut) {
  fs.mkdirSync(path.dirname(path.resolve(jsonOut)), { recursive: true });
  fs.writeFileSync(
    jsonOut,
    JSON.stringify({ photos: photos.length, noFace, summary, refusedPercent: refusal }, null, 2) + '\n',
  );
}
