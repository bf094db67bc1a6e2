/**
 * A FaceDetector double for the agent's logic tests (the port seam; the real detector is tested
 * on real photos in face-gate.test.ts): it takes the light region of the generated test pictures
 * (support/images.ts: a light square on a dark ground) for a face, with BlazeFace's habit of
 * returning a box larger than the face. A picture with nothing light in it has no face.
 */
import { FaceGate, type FaceGateOptions } from '../../../agent/src/face-gate/face-gate.js';
import type { DetectedFace, FaceDetector, RgbFrame } from '../../../agent/src/ports/index.js';

export class BrightRegionDetector implements FaceDetector {
  calls = 0;

  async detect(frame: RgbFrame): Promise<DetectedFace[]> {
    this.calls += 1;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -1;
    let maxY = -1;
    for (let y = 0; y < frame.height; y++) {
      for (let x = 0; x < frame.width; x++) {
        const i = (y * frame.width + x) * 3;
        if (frame.data[i]! + frame.data[i + 1]! + frame.data[i + 2]! > 3 * 160) {
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x);
          maxY = Math.max(maxY, y);
        }
      }
    }
    if (maxX < 0) return [];
    const side = Math.max(maxX - minX, maxY - minY) + 1;
    const cx = (minX + maxX) / 2;
    const cy = (minY + maxY) / 2;
    // Twice the region, so the gate's sharpness crop (the box's middle 70 %) holds the square's edges.
    return [{ box: { x: cx - side, y: cy - side, width: 2 * side, height: 2 * side }, score: 0.9, landmarks: {} }];
  }

  async close(): Promise<void> {}
}

export function brightRegionGate(options: Partial<FaceGateOptions> = {}): FaceGate {
  return new FaceGate(new BrightRegionDetector(), {
    maxSide: 640,
    minFacePx: 64,
    minScore: 0.5,
    minSharpness: 25,
    ...options,
  });
}
