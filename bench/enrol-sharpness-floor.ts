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
import sharp from 'sharp';
import { FaceEngine } from '../cloud/src/adapters/local/face-engine/index.js';
import { silentLogger } from '../lib/logger.js';
import { AS_TAKEN, BLUR_VARIANTS, reportSharpness, sampleDevPhotos } from './lib/sharpness-survey.js';

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

const photos = sampleDevPhotos(devDir, count);
const variants = BLUR_VARIANTS;

const engine = await FaceEngine.start({ logger: silentLogger(), workers: 1 });
const values: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
let noFace = 0;
try {
  for (const [i, file] of photos.entries()) {
    const photo = fs.readFileSync(file);
    for (const [name, apply] of Object.entries(variants)) {
      const jpeg = name === AS_TAKEN ? photo : await apply(sharp(photo)).jpeg({ quality: 90 }).toBuffer();
      const analysis = await engine.analyze(jpeg, { embed: false });
      const face = analysis.faces[0];
      if (face?.sharpness != null) values[name]!.push(face.sharpness);
      else if (!face && name === AS_TAKEN) noFace++;
    }
    if ((i + 1) % 40 === 0) process.stderr.write(`  ${i + 1}/${photos.length} photos\n`);
  }
} finally {
  await engine.close();
}

console.log(`${photos.length} photos from ${devDir}; no face in ${noFace} of them as taken`);
reportSharpness(values, { photos: photos.length, noFace, floors: [5, 10, 15, 20, 25, 30], jsonOut });
