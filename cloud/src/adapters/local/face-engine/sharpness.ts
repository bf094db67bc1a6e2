/**
 * Sharpness of an aligned face crop on Rekognition's 0..100 scale: the variance of the Laplacian
 * of the grey image (high when edges are crisp), squashed into 0..100. Computed on the aligned
 * crop so the figure does not depend on the photo's resolution.
 */

/** `rgb` is size×size×3 floats 0..255. */
export function sharpnessScore(rgb: Float32Array, size: number): number {
  const grey = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) {
    grey[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  }
  let sum = 0,
    sumSq = 0,
    n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const lap = grey[i - size]! + grey[i + size]! + grey[i - 1]! + grey[i + 1]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  // A crisp 112 px face has a Laplacian variance of a few hundred; a motion-blurred one tens.
  return Math.round(100 * (1 - Math.exp(-variance / SHARPNESS_SCALE)) * 10) / 10;
}

/** Laplacian variance at which the score reaches ≈ 63. */
export const SHARPNESS_SCALE = 150;
