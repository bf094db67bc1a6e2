/**
 * Renders one photo as the frames a door camera would take of that person walking up to the door:
 * F frames of 640×360, the face growing from about a third of the frame's height to nearly all of
 * it, drifting towards the centre with small shifts and in-plane rotations, exposure changing
 * (auto-exposure catching up with a person stepping into the light), sensor noise (stronger when
 * darker, as a real sensor's gain), motion blur along the walk, and JPEG at the agent's quality.
 *
 * The photo is pasted whole on a blurred, darkened enlargement of itself (a background with the
 * same colours and no hard frame), so no new face and no new edges are invented. Framing assumes a
 * photo where the face fills about half the height, as in news and ID-style photos; a photo framed
 * wider gives smaller faces, which the agent's face gate then judges as it would at a door.
 *
 * Deterministic: the same photo, frame count and seed give byte-identical frames, so two runs of a
 * benchmark (or two fusion rules) see the same visits.
 */
import sharp from 'sharp';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 360;
/** The agent's JPEG quality (agent/src/frame-image.ts fitJpeg starts at 82). */
export const AGENT_JPEG_QUALITY = 82;

export interface VisitRenderOptions {
  frames: number;
  /** Any string; with the photo's identity it seeds every random choice. */
  seed: string;
}

/** One frame's random choices (exported for tests: growth and bounds are checked on these). */
export interface FramePlan {
  /** Height of the pasted photo in frame pixels. */
  photoHeight: number;
  /** Centre of the pasted photo. */
  cx: number;
  cy: number;
  rotationDeg: number;
  /** Multiplier on brightness (1 = as photographed). */
  exposure: number;
  /** Standard deviation of added sensor noise, in 8-bit levels. */
  noiseSigma: number;
  /** Motion blur length in pixels (1 = none) and direction. */
  blurPx: number;
  blurHorizontal: boolean;
}

/** xmur3 + mulberry32: a small seeded PRNG so renders are reproducible without a dependency. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/** The walk: the photo grows from 0.5 to 0.98 of the frame height; position, light and blur vary. */
export function planVisit(frames: number, seed: string): FramePlan[] {
  const rnd = seededRandom(seed);
  const between = (lo: number, hi: number) => lerp(lo, hi, rnd());
  // Where the person enters from, and the light they walk through: one choice per visit.
  const startDx = between(-90, 90);
  const startDy = between(-30, 10);
  const exposureStart = between(0.6, 1.25);
  const exposureEnd = between(0.85, 1.1);
  const horizontalWalk = rnd() < 0.7;
  const plans: FramePlan[] = [];
  for (let i = 0; i < frames; i++) {
    const t = frames === 1 ? 1 : i / (frames - 1);
    const exposure = lerp(exposureStart, exposureEnd, t) * between(0.95, 1.05);
    plans.push({
      photoHeight: Math.round(FRAME_HEIGHT * lerp(0.5, 0.98, t)),
      cx: FRAME_WIDTH / 2 + startDx * (1 - t) + between(-10, 10),
      cy: FRAME_HEIGHT / 2 + startDy * (1 - t) + between(-6, 6),
      rotationDeg: between(-7, 7),
      exposure,
      // Darker scenes mean more gain, hence more noise.
      noiseSigma: between(2, 5) / Math.min(1, exposure),
      // Faster apparent motion while still far and walking; nearly still at the door.
      blurPx: Math.max(1, Math.round(between(1, lerp(7, 3, t)))),
      blurHorizontal: horizontalWalk,
    });
  }
  return plans;
}

/** A line kernel of `length` ones (motion blur), in the odd square of at least 3 that sharp requires. */
function lineKernel(length: number, horizontal: boolean) {
  const size = Math.max(3, length % 2 === 1 ? length : length + 1);
  const kernel = new Array<number>(size * size).fill(0);
  const mid = Math.floor(size / 2);
  const start = mid - Math.floor((length - 1) / 2);
  for (let i = start; i < start + length; i++) kernel[horizontal ? mid * size + i : i * size + mid] = 1;
  return { width: size, height: size, kernel, scale: length };
}

/** Adds zero-mean Gaussian noise (Box-Muller) to raw RGB bytes in place. */
function addNoise(pixels: Buffer, sigma: number, rnd: () => number): void {
  for (let i = 0; i < pixels.length; i += 2) {
    const u = Math.max(rnd(), 1e-12);
    const r = Math.sqrt(-2 * Math.log(u)) * sigma;
    const th = 2 * Math.PI * rnd();
    pixels[i] = Math.min(255, Math.max(0, Math.round(pixels[i]! + r * Math.cos(th))));
    if (i + 1 < pixels.length)
      pixels[i + 1] = Math.min(255, Math.max(0, Math.round(pixels[i + 1]! + r * Math.sin(th))));
  }
}

export async function renderFrame(photo: Buffer, plan: FramePlan, noiseSeed: string): Promise<Buffer> {
  const meta = await sharp(photo).rotate().metadata();
  const srcW = meta.autoOrient?.width ?? meta.width ?? 1;
  const srcH = meta.autoOrient?.height ?? meta.height ?? 1;
  const background = await sharp(photo)
    .rotate()
    .resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: 'cover' })
    .blur(18)
    .modulate({ brightness: 0.8 })
    .removeAlpha()
    .toBuffer();
  const h = plan.photoHeight;
  const w = Math.max(1, Math.round((srcW / srcH) * h));
  // Rotate the scaled photo on a transparent canvas, then paste it; the corners show the background.
  const person = await sharp(photo)
    .rotate()
    .resize(w, h)
    .ensureAlpha()
    .rotate(plan.rotationDeg, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer({ resolveWithObject: true });
  const left = Math.round(plan.cx - person.info.width / 2);
  const top = Math.round(plan.cy - person.info.height / 2);
  // Crop what falls outside the frame ourselves: composite refuses overlays larger than the base.
  const cropLeft = Math.max(0, -left);
  const cropTop = Math.max(0, -top);
  const cropW = Math.min(person.info.width - cropLeft, FRAME_WIDTH - Math.max(0, left));
  const cropH = Math.min(person.info.height - cropTop, FRAME_HEIGHT - Math.max(0, top));
  const overlay = await sharp(person.data)
    .extract({ left: cropLeft, top: cropTop, width: cropW, height: cropH })
    .toBuffer();
  let scene = sharp(background)
    .composite([{ input: overlay, left: Math.max(0, left), top: Math.max(0, top) }])
    .linear(plan.exposure, 0);
  if (plan.blurPx > 1) scene = scene.convolve(lineKernel(plan.blurPx, plan.blurHorizontal));
  const raw = await scene.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  addNoise(raw.data, plan.noiseSigma, seededRandom(noiseSeed));
  return sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } })
    .jpeg({ quality: AGENT_JPEG_QUALITY, mozjpeg: false })
    .toBuffer();
}

/** The visit's frames in the order the camera takes them (farthest first). */
export async function renderVisit(photo: Buffer, options: VisitRenderOptions): Promise<Buffer[]> {
  const plans = planVisit(options.frames, options.seed);
  const frames: Buffer[] = [];
  for (let i = 0; i < plans.length; i++) frames.push(await renderFrame(photo, plans[i]!, `${options.seed}#${i}`));
  return frames;
}
