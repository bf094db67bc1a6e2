/**
 * The door's face gate: decides whether a camera frame shows a face the back end can work with,
 * before anything leaves the door. It decodes the frame at most `maxSide` px, runs the face
 * detector, takes the largest face the detector is confident about, and refuses the frame when
 * there is no face, the face is smaller than `minFacePx`, or blurred below `minSharpness`.
 * Refused frames are never sent: an empty corridor or a blurred passer-by costs no face search.
 */
import type { DetectedFace, FaceDetector, RgbFrame } from '../ports/index.js';
import { decodeFrame } from './decode-frame.js';
import { faceFrontality, faceSharpness } from './face-measures.js';

export interface FaceGateOptions {
  /** Frames are judged at most this many px on the longer side (what the back end gets). */
  maxSide: number;
  /** Smallest face box side, in pixels of the judged frame. */
  minFacePx: number;
  /** Lowest detector confidence accepted as a face. */
  minScore: number;
  /** Lowest face sharpness (0..100, lib/sharpness.ts) accepted. */
  minSharpness: number;
}

/** The face the gate passed, in pixels of the judged (decoded, ≤ maxSide) frame. */
export interface GatedFace {
  box: { x: number; y: number; width: number; height: number };
  /** Box side in pixels: the face size that frame choice ranks by. */
  sizePx: number;
  score: number;
  sharpness: number;
  /** 0 (profile) .. 1 (square on). */
  frontality: number;
}

export type GateRefusal = 'undecodable' | 'no_face' | 'low_score' | 'too_small' | 'blurred';

export type GateVerdict =
  | { ok: true; face: GatedFace; frame: { width: number; height: number } }
  | { ok: false; reason: GateRefusal; detail: string };

/** The part of a face box inside the frame, in whole pixels. */
function boxInFrame(face: DetectedFace, frame: RgbFrame): GatedFace['box'] {
  const x = Math.max(0, Math.round(face.box.x));
  const y = Math.max(0, Math.round(face.box.y));
  const right = Math.min(frame.width, Math.round(face.box.x + face.box.width));
  const bottom = Math.min(frame.height, Math.round(face.box.y + face.box.height));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}

export class FaceGate {
  constructor(
    private readonly detector: FaceDetector,
    readonly options: FaceGateOptions,
  ) {}

  /** Judges one camera JPEG. Never throws: a frame that cannot be decoded is refused as 'undecodable'. */
  async inspect(jpeg: Buffer): Promise<GateVerdict> {
    let frame: RgbFrame;
    try {
      frame = await decodeFrame(jpeg, this.options.maxSide);
    } catch (err) {
      return { ok: false, reason: 'undecodable', detail: (err as Error).message };
    }
    return this.inspectDecoded(frame);
  }

  /** Judges an already decoded frame (the benchmark times decoding and detection apart). */
  async inspectDecoded(frame: RgbFrame): Promise<GateVerdict> {
    const o = this.options;
    const faces = await this.detector.detect(frame);
    if (faces.length === 0) return { ok: false, reason: 'no_face', detail: 'no face found' };
    const confident = faces.filter((f) => f.score >= o.minScore);
    if (confident.length === 0) {
      const best = Math.max(...faces.map((f) => f.score));
      return { ok: false, reason: 'low_score', detail: `detector score ${best.toFixed(2)} < ${o.minScore}` };
    }
    const largest = confident.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
    const sizePx = Math.round(Math.min(largest.box.width, largest.box.height));
    if (sizePx < o.minFacePx) return { ok: false, reason: 'too_small', detail: `face ${sizePx} px < ${o.minFacePx}` };
    const sharpness = await faceSharpness(frame, largest);
    if (sharpness < o.minSharpness) {
      return { ok: false, reason: 'blurred', detail: `sharpness ${sharpness} < ${o.minSharpness}` };
    }
    return {
      ok: true,
      face: {
        box: boxInFrame(largest, frame),
        sizePx,
        score: Math.round(largest.score * 1000) / 1000,
        sharpness,
        frontality: faceFrontality(largest),
      },
      frame: { width: frame.width, height: frame.height },
    };
  }
}
