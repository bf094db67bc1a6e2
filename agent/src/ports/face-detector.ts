/**
 * Face detector port, door side: finds faces in a decoded frame. The door's face gate runs it on
 * every frame it considers, on the Pi's CPU, so an adapter must be a detector only (no landmarks
 * mesh, no recognition).
 */

/** Packed RGB pixels, 3 bytes per pixel, row-major. */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface DetectedFace {
  /** In pixels of the frame given to detect(); may reach past its edges for a face at the border. */
  box: { x: number; y: number; width: number; height: number };
  /** Detector confidence, 0..1. */
  score: number;
  /** Eyes, nose and mouth (and ears when the detector gives them), in frame pixels, when known. */
  landmarks: {
    leftEye?: [number, number];
    rightEye?: [number, number];
    nose?: [number, number];
    mouth?: [number, number];
  };
}

export interface FaceDetector {
  /** All faces found, in no particular order. Rejects only when the detector itself fails. */
  detect(frame: RgbFrame): Promise<DetectedFace[]>;
  /** Releases the model. */
  close(): Promise<void>;
}
