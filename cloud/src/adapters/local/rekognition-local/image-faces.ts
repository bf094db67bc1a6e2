/**
 * One image as Rekognition's face operations see it: its faces from the local engine, each as a
 * FaceDetail (ratio boxes, 0..100 confidence), Rekognition's quality filter, and the embedding of
 * any face. The engine embeds only the largest face of an image; another face is embedded by
 * analysing a crop around it (one more engine pass per extra face indexed).
 */
import sharp from 'sharp';
import { ImageDecodeError } from '../../../errors.js';
import { imageDimensions } from '../../../domain/image-dimensions.js';
import type { FaceEngine } from '../face-engine/engine.js';
import type { EngineAnalysis, EngineFace } from '../face-engine/types.js';
import type { RatioBox } from './collections.js';
import { RekognitionError } from './rekognition-errors.js';

/** Rekognition's limit for an image passed as bytes. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export type QualityFilter = 'NONE' | 'AUTO' | 'LOW' | 'MEDIUM' | 'HIGH';
export type UnindexedReason =
  'EXCEEDS_MAX_FACES' | 'EXTREME_POSE' | 'LOW_SHARPNESS' | 'LOW_CONFIDENCE' | 'SMALL_BOUNDING_BOX';

/**
 * Floors per filter level. Rekognition does not publish its own; these are placed against the
 * local back end's limits: MEDIUM (and AUTO) passes every face the door's face gate sends
 * (64 px, sharpness 25) and every dev photo the enrolment floor keeps (sharpness ≥ 20).
 */
const QUALITY_FLOORS: Record<
  Exclude<QualityFilter, 'NONE'>,
  { sidePx: number; sharpness: number; pose: number; confidence: number }
> = {
  LOW: { sidePx: 24, sharpness: 5, pose: 75, confidence: 0.3 },
  MEDIUM: { sidePx: 40, sharpness: 12, pose: 60, confidence: 0.5 },
  AUTO: { sidePx: 40, sharpness: 12, pose: 60, confidence: 0.5 },
  HIGH: { sidePx: 80, sharpness: 25, pose: 35, confidence: 0.7 },
};

export interface FaceDetail {
  BoundingBox: RatioBox;
  Confidence: number;
  Pose: { Roll: number; Yaw: number; Pitch: number };
  Quality: { Sharpness?: number };
}

export interface ImageFaces {
  analysis: EngineAnalysis;
  bytes: Uint8Array;
}

/** Checks what Rekognition checks before looking at the pixels, then runs the engine. */
export async function analyzeImage(engine: FaceEngine, bytes: Uint8Array): Promise<ImageFaces> {
  if (bytes.byteLength > MAX_IMAGE_BYTES) {
    throw new RekognitionError('ImageTooLargeException', `Image size is too large (over ${MAX_IMAGE_BYTES} bytes)`);
  }
  if (!imageDimensions(bytes))
    throw new RekognitionError('InvalidImageFormatException', 'Request has invalid image format');
  try {
    return { analysis: await engine.analyze(bytes, { embed: true }), bytes };
  } catch (err) {
    if (err instanceof ImageDecodeError) {
      throw new RekognitionError('InvalidImageFormatException', 'Request has invalid image format');
    }
    throw err;
  }
}

export function toRatioBox(face: EngineFace, analysis: EngineAnalysis): RatioBox {
  return {
    Width: face.box.width / analysis.imageWidth,
    Height: face.box.height / analysis.imageHeight,
    Left: face.box.x / analysis.imageWidth,
    Top: face.box.y / analysis.imageHeight,
  };
}

export function toFaceDetail(face: EngineFace, analysis: EngineAnalysis): FaceDetail {
  return {
    BoundingBox: toRatioBox(face, analysis),
    Confidence: face.confidence * 100,
    Pose: { Roll: face.roll ?? 0, Yaw: face.yaw ?? 0, Pitch: face.pitch ?? 0 },
    Quality: face.sharpness === null ? {} : { Sharpness: face.sharpness },
  };
}

/** Why the filter refuses this face (empty: it passes). */
export function qualityReasons(face: EngineFace, filter: QualityFilter): UnindexedReason[] {
  if (filter === 'NONE') return [];
  const floor = QUALITY_FLOORS[filter];
  const reasons: UnindexedReason[] = [];
  if (Math.min(face.box.width, face.box.height) < floor.sidePx) reasons.push('SMALL_BOUNDING_BOX');
  if (face.sharpness !== null && face.sharpness < floor.sharpness) reasons.push('LOW_SHARPNESS');
  if (Math.max(Math.abs(face.yaw ?? 0), Math.abs(face.pitch ?? 0), Math.abs(face.roll ?? 0)) > floor.pose)
    reasons.push('EXTREME_POSE');
  if (face.confidence < floor.confidence) reasons.push('LOW_CONFIDENCE');
  return reasons;
}

/** The embedding of `face` (one of image.analysis.faces), or null when the engine finds no face there. */
export async function embeddingOf(
  engine: FaceEngine,
  image: ImageFaces,
  face: EngineFace,
): Promise<Float32Array | null> {
  if (face === image.analysis.faces[0]) return image.analysis.embedding;
  // A crop with half a face of margin on every side, so the largest face in it is this one.
  const { imageWidth, imageHeight } = image.analysis;
  const left = Math.max(0, Math.floor(face.box.x - face.box.width / 2));
  const top = Math.max(0, Math.floor(face.box.y - face.box.height / 2));
  const width = Math.min(imageWidth - left, Math.ceil(face.box.width * 2));
  const height = Math.min(imageHeight - top, Math.ceil(face.box.height * 2));
  const crop = await sharp(image.bytes).rotate().extract({ left, top, width, height }).jpeg({ quality: 95 }).toBuffer();
  return (await engine.analyze(crop, { embed: true })).embedding;
}
