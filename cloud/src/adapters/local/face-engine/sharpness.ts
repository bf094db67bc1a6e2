/**
 * Sharpness of an aligned face crop on Rekognition's 0..100 scale (lib/sharpness.ts): computed on
 * the aligned crop so the figure does not depend on the photo's resolution.
 */
import { greyFromRgb, laplacianVariance, sharpnessFromVariance } from '../../../../../lib/sharpness.js';

/** `rgb` is size×size×3 floats 0..255. */
export function sharpnessScore(rgb: Float32Array, size: number): number {
  return sharpnessFromVariance(laplacianVariance(greyFromRgb(rgb, size * size), size, size));
}
