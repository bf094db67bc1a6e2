/**
 * How the face gate's sharpness floor was chosen: measures the gate's face sharpness (0..100,
 * lib/sharpness.ts) on door-camera-like frames made from photos in ../shared/faces/dev (read in
 * place, never copied) — each photo at its own resolution on a 640×480 grey canvas, as taken,
 * and again with Gaussian blur (σ 1, 2, 3) and horizontal motion blur (9 px) — and prints the
 * percentiles of each. The floor is set where it refuses almost no photo as taken (the photos the
 * engine's accuracy is measured on) and most frames blurred by σ ≥ 2 or by motion.
 * Run: node bin/run-ts.mjs agent/bench/sharpness-floor.ts [--photos 240] [--json out.json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { FaceGate } from '../src/face-gate/face-gate.js';
import { HumanFaceDetector } from '../src/face-gate/human-face-detector.js';
import { AS_TAKEN, BLUR_VARIANTS, reportSharpness, sampleDevPhotos } from '../../bench/lib/sharpness-survey.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
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

/** The photo at its own size, centred on a 640×480 mid-grey canvas: the face a door camera sees at arm's length. */
async function cameraFrame(photo: Buffer): Promise<Sharp> {
  const meta = await sharp(photo).metadata();
  const left = Math.max(0, Math.round((640 - (meta.width ?? 250)) / 2));
  const top = Math.max(0, Math.round((480 - (meta.height ?? 250)) / 2));
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }).composite([
    { input: photo, left, top },
  ]);
}

const variants = BLUR_VARIANTS;

// Floor 0 and minFacePx 0: measure every detected face, refuse nothing here.
const gate = new FaceGate(await HumanFaceDetector.create(), {
  maxSide: 640,
  minFacePx: 0,
  minScore: 0.5,
  minSharpness: 0,
});
const values: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
let noFace = 0;
for (const [i, file] of photos.entries()) {
  const photo = fs.readFileSync(file);
  for (const [name, apply] of Object.entries(variants)) {
    // Render the canvas first, then blur it, so the blur also crosses the photo's edges as a lens would.
    const flat = await (await cameraFrame(photo)).jpeg({ quality: 95 }).toBuffer();
    const jpeg = await apply(sharp(flat)).jpeg({ quality: 85 }).toBuffer();
    const verdict = await gate.inspect(jpeg);
    if (verdict.ok) values[name]!.push(verdict.face.sharpness);
    else if (name === AS_TAKEN) noFace++;
  }
  if ((i + 1) % 40 === 0) process.stderr.write(`  ${i + 1}/${photos.length} photos\n`);
}

console.log(`${photos.length} photos from ${devDir}; no confident face in ${noFace} of them as taken`);
reportSharpness(values, { photos: photos.length, noFace, floors: [20, 25, 30, 35, 40, 45, 50], jsonOut });
