/**
 * How good a gated frame is for recognition, 0..1, to choose which frames of a visit to send:
 * face size first (detail the engine can use), then sharpness, then how squarely the face looks
 * at the camera, then the detector's confidence.
 */
import type { GatedFace } from '../face-gate/face-gate.js';

/** Box side at which a face has all the detail the back end's 112-px crop can take (≈ 1.4 × 112). */
const FULL_DETAIL_PX = 160;

export function frameQuality(face: Pick<GatedFace, 'sizePx' | 'sharpness' | 'frontality' | 'score'>): number {
  const size = Math.min(1, face.sizePx / FULL_DETAIL_PX);
  const sharp = Math.min(1, face.sharpness / 100);
  return 0.35 * size + 0.3 * sharp + 0.2 * face.frontality + 0.15 * face.score;
}
