/**
 * Sharpness of a grey image: the variance of its Laplacian (high when edges are crisp, low when
 * blurred or out of focus), and the same squashed onto Rekognition's 0..100 scale. Shared by the
 * back end (on its aligned 112 px face crop) and the door's face gate (on a 112 px crop of the
 * face box), so both speak of the same number.
 */

/** Side of the square face crop sharpness is measured on, so the figure does not depend on resolution. */
export const SHARPNESS_CROP = 112;

/** Laplacian variance at which the 0..100 score reaches ≈ 63. */
export const SHARPNESS_SCALE = 150;

/** Variance of the 4-neighbour Laplacian over the interior of a width×height grey image (values 0..255). */
export function laplacianVariance(grey: ArrayLike<number>, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = grey[i - width]! + grey[i + width]! + grey[i - 1]! + grey[i + 1]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/**
 * A Laplacian variance on the 0..100 scale (one decimal). A crisp 112 px face has a variance of a
 * few hundred; a motion-blurred one tens.
 */
export function sharpnessFromVariance(variance: number): number {
  return Math.round(100 * (1 - Math.exp(-Math.max(0, variance) / SHARPNESS_SCALE)) * 10) / 10;
}

/** Grey (BT.601 luma) of packed RGB pixels. */
export function greyFromRgb(rgb: ArrayLike<number>, pixels: number): Float32Array {
  const grey = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) grey[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return grey;
}
