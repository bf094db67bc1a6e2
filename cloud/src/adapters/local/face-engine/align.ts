/**
 * Face alignment: a 2-D similarity transform (rotation, uniform scale, translation) that maps
 * five landmarks (eye centres, nose tip, mouth corners) onto a canonical template, then a
 * bilinear warp of the RGB image into the embedding model's input square. Recognition models are
 * trained on such aligned crops; feeding them loose detector boxes costs a lot of accuracy.
 */
import type { RgbImage } from './decode.js';

export type Point = [number, number];

/** ArcFace / InsightFace template for 112×112 crops (image-left eye first). */
export const ARCFACE_TEMPLATE_112: Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** `a, b, tx, ty` of x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity transform src → dst (Umeyama without reflection). */
export function estimateSimilarity(src: Point[], dst: Point[]): Similarity {
  const n = src.length;
  let sx = 0,
    sy = 0,
    dx = 0,
    dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num1 = 0,
    num2 = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx,
      py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx,
      qy = dst[i]![1] - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (den === 0) throw new Error('degenerate landmarks');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/** Scale a template made for `fromSize` to `toSize` with extra `margin` (fraction of the side) around it. */
export function scaleTemplate(template: Point[], fromSize: number, toSize: number, margin = 0): Point[] {
  const inner = toSize / (1 + 2 * margin);
  const offset = (toSize - inner) / 2;
  return template.map(([x, y]) => [offset + (x * inner) / fromSize, offset + (y * inner) / fromSize]);
}

/** Scale a template about the centre of its `size`-pixel square (chip zoom for test-time augmentation). */
export function zoomTemplate(template: Point[], size: number, scale: number): Point[] {
  const c = size / 2;
  return template.map(([x, y]) => [c + (x - c) * scale, c + (y - c) * scale]);
}

/**
 * Warp `image` so that `landmarks` land on `template`; returns `size`×`size`×3 floats 0..255.
 * Pixels outside the image are edge-clamped. `mirror` flips the output horizontally.
 */
export function warpAligned(
  image: RgbImage,
  landmarks: Point[],
  template: Point[],
  size: number,
  mirror = false,
): Float32Array {
  const t = estimateSimilarity(landmarks, template);
  // Invert the forward transform to sample source pixels for each output pixel.
  const det = t.a * t.a + t.b * t.b;
  const ia = t.a / det,
    ib = -t.b / det;
  const out = new Float32Array(size * size * 3);
  const { data, width, height } = image;
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      const u = (mirror ? size - 1 - ox : ox) - t.tx;
      const v = oy - t.ty;
      let x = ia * u - ib * v;
      let y = ib * u + ia * v;
      x = Math.min(Math.max(x, 0), width - 1);
      y = Math.min(Math.max(y, 0), height - 1);
      const x0 = Math.floor(x),
        y0 = Math.floor(y);
      const x1 = Math.min(x0 + 1, width - 1),
        y1 = Math.min(y0 + 1, height - 1);
      const fx = x - x0,
        fy = y - y0;
      const o = (oy * size + ox) * 3;
      const i00 = (y0 * width + x0) * 3,
        i01 = (y0 * width + x1) * 3;
      const i10 = (y1 * width + x0) * 3,
        i11 = (y1 * width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[i00 + c]! * (1 - fx) + data[i01 + c]! * fx;
        const bottom = data[i10 + c]! * (1 - fx) + data[i11 + c]! * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}
