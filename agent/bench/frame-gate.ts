/**
 * Measures the frame gate's image work on this machine: the change-detection thumbnail and the
 * fit-to-budget re-encode, for VGA and 1080p camera frames made from real photos in
 * ../shared/faces/dev (read in place, never copied), plus the change scores it decides on.
 * Run: node bin/run-ts.mjs agent/bench/frame-gate.ts [--json out.json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fitJpeg, pictureChange, thumbnail } from '../src/frame-image.js';
import { MAX_FRAME_JPEG_BYTES } from '../../protocol/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const facesDir = path.resolve(root, '../shared/faces/dev');
if (!fs.existsSync(facesDir)) {
  console.error(`skipped: ${facesDir} is absent (the face photo set is needed to make realistic frames)`);
  process.exit(0);
}
const SAMPLE = 40;
const people = fs.readdirSync(facesDir).sort().slice(0, SAMPLE);
const photos = people.map((p) => {
  const files = fs.readdirSync(path.join(facesDir, p)).sort();
  return fs.readFileSync(path.join(facesDir, p, files[0]!));
});
const vga = await Promise.all(
  photos.map((p) => sharp(p).resize(640, 480, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer()),
);
const fhd = await Promise.all(
  photos.map((p) => sharp(p).resize(1920, 1080, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer()),
);

const results: Record<string, unknown> = {};
async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await fn(i);
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    t.push(performance.now() - start);
  }
  t.sort((a, b) => a - b);
  const median = t[Math.floor(n / 2)]!;
  const p95 = t[Math.floor(n * 0.95)]!;
  results[label] = { medianMs: Number(median.toFixed(2)), p95Ms: Number(p95.toFixed(2)), n };
  console.log(`${label}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (n=${n})`);
}

await time('thumbnail 640x480', 80, (i) => thumbnail(vga[i % SAMPLE]!));
await time('thumbnail 1920x1080', 40, (i) => thumbnail(fhd[i % SAMPLE]!));
await time('fitJpeg 640x480 (passes through)', 80, (i) => fitJpeg(vga[i % SAMPLE]!, 640, MAX_FRAME_JPEG_BYTES));
await time('fitJpeg 1920x1080 -> 640 wide', 40, (i) => fitJpeg(fhd[i % SAMPLE]!, 640, MAX_FRAME_JPEG_BYTES));

const fitted = await Promise.all(fhd.map((f) => fitJpeg(f, 640, MAX_FRAME_JPEG_BYTES)));
const maxKb = Math.max(...fitted.map((f) => f.length)) / 1024;
console.log(`1080p frames fitted: largest ${maxKb.toFixed(1)} KB (budget ${MAX_FRAME_JPEG_BYTES / 1024} KB)`);

const thumbs = await Promise.all(vga.map((v) => thumbnail(v)));
const reencoded = await Promise.all(vga.map(async (v) => thumbnail(await sharp(v).jpeg({ quality: 60 }).toBuffer())));
const between = thumbs
  .slice(1)
  .map((t, i) => pictureChange(t, thumbs[i]!))
  .sort((a, b) => a - b);
const same = thumbs.map((t, i) => pictureChange(t, reencoded[i]!)).sort((a, b) => a - b);
console.log(
  `change score between different people's frames: min ${between[0]!.toFixed(3)}, median ${between[Math.floor(between.length / 2)]!.toFixed(3)}`,
);
console.log(
  `change score of a frame against itself re-encoded at q60: max ${same.at(-1)!.toFixed(4)} (default minChange 0.02)`,
);
results.fittedMaxKb = Number(maxKb.toFixed(1));
results.changeBetweenPeople = { min: between[0], median: between[Math.floor(between.length / 2)] };
results.changeSameReencoded = { max: same.at(-1) };

const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1])
  fs.writeFileSync(process.argv[jsonAt + 1]!, `${JSON.stringify(results, null, 2)}\n`);
