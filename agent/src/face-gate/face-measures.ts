/**
 * What the face gate measures on a detected face besides the detector's score: how sharp it is
 * and how squarely it faces the camera. Both feed the gate's refusals and the visit's frame choice.
 */
import sharp from 'sharp';
import { laplacianVariance, sharpnessFromVariance, SHARPNESS_CROP } from '../../../lib/sharpness.js';
import type { DetectedFace, RgbFrame } from '../ports/index.js';

/**
 * BlazeFace's box is the face enlarged 1.4× (Human's default `detector.scale`): sharpness is
 * measured on its central part, the face itself, so a busy or plain background does not count.
 */
const FACE_OF_BOX = 1 / 1.4;

/** Integer rectangle inside the frame, or null when nothing of it is inside. */
function clampRect(frame: RgbFrame, x: number, y: number, w: number, h: number) {
  const left = Math.max(0, Math.floor(x));
  const top = Math.max(0, Math.floor(y));
  const right = Math.min(frame.width, Math.ceil(x + w));
  const bottom = Math.min(frame.height, Math.ceil(y + h));
  if (right - left < 3 || bottom - top < 3) return null;
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Sharpness of the face, 0..100 on the back end's scale (lib/sharpness.ts): Laplacian variance of
 * the central face crop resampled to SHARPNESS_CROP px, so the figure does not depend on face size
 * (a small face is upsampled and scores lower, which is right: it carries less detail).
 */
export async function faceSharpness(frame: RgbFrame, face: DetectedFace): Promise<number> {
  const { box } = face;
  const inset = (1 - FACE_OF_BOX) / 2;
  const rect = clampRect(
    frame,
    box.x + box.width * inset,
    box.y + box.height * inset,
    box.width * FACE_OF_BOX,
    box.height * FACE_OF_BOX,
  );
  if (!rect) return 0;
  const grey = await sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  })
    .extract(rect)
    .resize(SHARPNESS_CROP, SHARPNESS_CROP, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
  return sharpnessFromVariance(laplacianVariance(grey, SHARPNESS_CROP, SHARPNESS_CROP));
}

/**
 * How frontal the face is, 0 (profile) .. 1 (square on), from the nose's sideways offset from the
 * eyes' midpoint relative to the eye distance (≈ 0 facing the camera, ≈ 0.3-0.5 at 45° of yaw).
 * 0.5 when the detector gave no landmarks: neither rewarded nor punished.
 */
export function faceFrontality(face: DetectedFace): number {
  const { leftEye, rightEye, nose } = face.landmarks;
  if (!leftEye || !rightEye || !nose) return 0.5;
  const eyeDistance = Math.hypot(rightEye[0] - leftEye[0], rightEye[1] - leftEye[1]);
  if (eyeDistance < 1) return 0;
  // Project the nose onto the eye line so a tilted (rolled) head is not mistaken for a turned one.
  const ux = (rightEye[0] - leftEye[0]) / eyeDistance;
  const uy = (rightEye[1] - leftEye[1]) / eyeDistance;
  const mx = (leftEye[0] + rightEye[0]) / 2;
  const my = (leftEye[1] + rightEye[1]) / 2;
  const offset = Math.abs((nose[0] - mx) * ux + (nose[1] - my) * uy) / eyeDistance;
  return Math.round(Math.max(0, 1 - offset / 0.6) * 1000) / 1000;
}
