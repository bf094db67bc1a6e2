/**
 * FaceDetector on Human's BlazeFace alone (no mesh, no recognition) on the tfjs WASM backend:
 * the cheapest detector that ships in npm and runs on a Raspberry Pi's CPU. Models come from
 * node_modules (lib/human), never from the network. Detection calls are serialised: the WASM
 * backend is single-threaded, so overlapping calls would only add latency.
 */
import { loadHuman } from '../../../lib/human/load-human.js';
import type { DetectedFace, FaceDetector, RgbFrame } from '../ports/index.js';
import { SerialQueue } from '../serial-queue.js';

interface TensorLike {
  dispose(): void;
}
interface HumanFace {
  /** Detector confidence (BlazeFace's, since the mesh is off). */
  boxScore: number;
  /** x, y, width, height in input pixels: BlazeFace's box, enlarged by `detector.scale` and made square. */
  box: [number, number, number, number];
  /** With the mesh off: BlazeFace's six keypoints (left eye, right eye, nose, mouth, left ear, right ear). */
  mesh: number[][];
}
interface HumanLike {
  tf: { tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): TensorLike };
  detect(input: TensorLike): Promise<{ face: HumanFace[]; error?: string | null }>;
}

/** Human's face section for a detector-only run. */
const DETECTOR_ONLY = {
  enabled: true,
  // minConfidence is below the gate's own floor so the gate can tell "no face" from "a doubtful face".
  detector: { enabled: true, rotation: false, maxDetected: 5, minConfidence: 0.3, return: false },
  mesh: { enabled: false },
  iris: { enabled: false },
  description: { enabled: false },
  emotion: { enabled: false },
  antispoof: { enabled: false },
  liveness: { enabled: false },
  attention: { enabled: false },
};

/** A uniform grey frame at the cameras' usual size: no face, but the whole detector runs on it. */
const WARM_UP_FRAME: RgbFrame = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3).fill(128) };

const point = (p: number[] | undefined): [number, number] | undefined =>
  p && p.length >= 2 ? [p[0]!, p[1]!] : undefined;

export class HumanFaceDetector implements FaceDetector {
  private readonly queue = new SerialQueue();

  private constructor(private readonly human: HumanLike) {}

  /**
   * Loads the model and runs it once on a blank frame: do it once at start-up. The first inference
   * on tfjs-WASM is the slow one (kernels set up, buffers allocated: 757 ms against 293–587 ms for
   * the next ones here at load 16, 9.9 s against 5.3–5.8 s under arm64 emulation), and without the
   * warm-up the first person at the door after a restart would pay it.
   */
  static async create(): Promise<HumanFaceDetector> {
    const detector = new HumanFaceDetector(await loadHuman<HumanLike>(DETECTOR_ONLY));
    await detector.detect(WARM_UP_FRAME);
    return detector;
  }

  detect(frame: RgbFrame): Promise<DetectedFace[]> {
    return this.queue.run(async () => {
      const tensor = this.human.tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
      let faces: HumanFace[];
      try {
        const result = await this.human.detect(tensor);
        if (result.error) throw new Error(`face detection failed: ${result.error}`);
        faces = result.face;
      } finally {
        tensor.dispose();
      }
      return faces.map((f) => ({
        box: { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] },
        score: f.boxScore,
        landmarks: {
          leftEye: point(f.mesh[0]),
          rightEye: point(f.mesh[1]),
          nose: point(f.mesh[2]),
          mouth: point(f.mesh[3]),
        },
      }));
    });
  }

  async close(): Promise<void> {
    // Human holds its models for the life of the process; nothing to release that the exit does not.
  }
}
