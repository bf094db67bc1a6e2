/**
 * FaceIndex over an Amazon Rekognition collection (one collection per site). Rekognition scores
 * 0..100; the port speaks 0..1, so similarities are divided by 100 both ways.
 *
 * Limits to know: Rekognition takes JPEG or PNG up to 5 MB as bytes; SearchFacesByImage searches
 * only the largest face and does not report how many faces the image held, so `faceCount` from
 * `search` is 1 when a face was searched (a lower bound) — use `inspect` for a true count.
 */
import {
  DeleteFacesCommand,
  DescribeCollectionCommand,
  DetectFacesCommand,
  IndexFacesCommand,
  SearchFacesByImageCommand,
  type BoundingBox,
  type FaceDetail,
  type RekognitionClient,
  type Reason,
} from '@aws-sdk/client-rekognition';
import type { Logger } from '../../../../lib/logger.js';
import { ImageDecodeError, PhotoRejectedError } from '../../errors.js';
import type {
  DetectedFace,
  FaceBox,
  FaceIndex,
  FaceInspection,
  FaceMatch,
  FaceSearchOptions,
  FaceSearchResult,
} from '../../ports/face-index.js';
import { asUpstream, awsErrorName, callAws } from './aws-errors.js';
import { imageDimensions, type ImageDimensions } from './image-dimensions.js';

/** AWS recommends a 99% match threshold where a false match lets someone in. */
export const DEFAULT_REKOGNITION_THRESHOLD = 0.99;
/** Rekognition's limit for an image passed as bytes. */
export const MAX_REKOGNITION_IMAGE_BYTES = 5 * 1024 * 1024;
/** DeleteFaces takes at most this many ids per call. */
const DELETE_FACES_BATCH = 4096;
/** A person has up to five enrolled faces; ask for enough raw matches to fill maxMatches people. */
const FACES_PER_PERSON = 5;

export interface RekognitionFaceIndexOptions {
  client: Pick<RekognitionClient, 'send'>;
  collectionId: string;
  /** 0..1; default 0.99. */
  threshold?: number;
  logger: Logger;
}

/** What each IndexFaces refusal means to the person enrolling a photo. */
const UNINDEXED_REASONS: Record<Reason, { code: string; message: string }> = {
  EXCEEDS_MAX_FACES: { code: 'multiple_faces', message: 'more than one face in the photo' },
  EXTREME_POSE: { code: 'pose', message: 'the head is turned or tilted too far; face the camera' },
  LOW_BRIGHTNESS: { code: 'blurry', message: 'the face is too dark; add light in front of the person' },
  LOW_SHARPNESS: { code: 'blurry', message: 'the face is blurry; hold still and focus' },
  LOW_CONFIDENCE: { code: 'no_face', message: 'no clear face found' },
  SMALL_BOUNDING_BOX: { code: 'face_too_small', message: 'the face is too small; move closer' },
  LOW_FACE_QUALITY: { code: 'blurry', message: 'the face is not clear enough to recognise' },
};

export class RekognitionFaceIndex implements FaceIndex {
  readonly threshold: number;
  private readonly client: Pick<RekognitionClient, 'send'>;
  private readonly collectionId: string;
  private readonly log: Logger;

  constructor(options: RekognitionFaceIndexOptions) {
    const threshold = options.threshold ?? DEFAULT_REKOGNITION_THRESHOLD;
    if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
    this.threshold = threshold;
    this.client = options.client;
    this.collectionId = options.collectionId;
    this.log = options.logger.child({ component: 'rekognition-face-index', collectionId: options.collectionId });
  }

  async inspect(image: Uint8Array): Promise<FaceInspection> {
    const size = checkImage(image);
    try {
      const res = await this.client.send(new DetectFacesCommand({ Image: { Bytes: image }, Attributes: ['DEFAULT'] }));
      const faces = (res.FaceDetails ?? []).map((d) => toDetectedFace(d, size)).sort(byAreaDescending);
      return { faces, imageWidth: size.width, imageHeight: size.height };
    } catch (err) {
      throw mapImageError('DetectFaces', err);
    }
  }

  async search(image: Uint8Array, options: FaceSearchOptions = {}): Promise<FaceSearchResult> {
    const size = checkImage(image);
    const minSimilarity = options.minSimilarity ?? this.threshold;
    const maxMatches = options.maxMatches ?? 5;
    let res;
    try {
      res = await this.client.send(
        new SearchFacesByImageCommand({
          CollectionId: this.collectionId,
          Image: { Bytes: image },
          MaxFaces: Math.min(4096, Math.max(1, maxMatches * FACES_PER_PERSON)),
          FaceMatchThreshold: toPercent(minSimilarity),
          // Faces too blurred, dark or turned to trust are not searched (they read as "no face").
          QualityFilter: 'AUTO',
        }),
      );
    } catch (err) {
      if (isNoFaceError(err)) return { face: null, faceCount: 0, matches: [] };
      throw mapImageError('SearchFacesByImage', err);
    }
    if (!res.SearchedFaceBoundingBox) return { face: null, faceCount: 0, matches: [] };

    const best = new Map<string, FaceMatch>();
    for (const match of res.FaceMatches ?? []) {
      const faceId = match.Face?.FaceId;
      const personId = match.Face?.ExternalImageId;
      if (!faceId || !personId || match.Similarity === undefined) continue;
      const similarity = fromPercent(match.Similarity);
      if (similarity < minSimilarity) continue;
      const seen = best.get(personId);
      if (!seen || similarity > seen.similarity) best.set(personId, { faceId, personId, similarity });
    }
    const matches = [...best.values()].sort((a, b) => b.similarity - a.similarity).slice(0, maxMatches);
    return {
      face: {
        box: toPixels(res.SearchedFaceBoundingBox, size),
        confidence: fromPercent(res.SearchedFaceConfidence ?? 0),
        yaw: null,
        pitch: null,
        roll: null,
        sharpness: null,
      },
      faceCount: 1,
      matches,
    };
  }

  async index(personId: string, image: Uint8Array): Promise<{ faceId: string; face: DetectedFace }> {
    if (!/^[A-Za-z0-9_.\-:]{1,255}$/.test(personId))
      throw new RangeError(`person id cannot be a Rekognition ExternalImageId: ${JSON.stringify(personId)}`);
    const size = checkImage(image);
    let res;
    try {
      res = await this.client.send(
        new IndexFacesCommand({
          CollectionId: this.collectionId,
          Image: { Bytes: image },
          ExternalImageId: personId,
          MaxFaces: 1,
          QualityFilter: 'AUTO',
          DetectionAttributes: ['DEFAULT'],
        }),
      );
    } catch (err) {
      if (isNoFaceError(err))
        throw new PhotoRejectedError([{ code: 'no_face', message: 'no face found in the photo' }], { cause: err });
      throw mapImageError('IndexFaces', err);
    }
    const record = res.FaceRecords?.[0];
    const faceId = record?.Face?.FaceId;
    if (record && faceId && record.FaceDetail) {
      this.log.info({ personId, faceId }, 'face indexed');
      return { faceId, face: toDetectedFace(record.FaceDetail, size) };
    }
    const reasons = [...new Set((res.UnindexedFaces ?? []).flatMap((u) => u.Reasons ?? []))];
    const issues = reasons.map((r) => UNINDEXED_REASONS[r] ?? { code: 'no_face', message: `face refused (${r})` });
    throw new PhotoRejectedError(
      issues.length ? dedupeIssues(issues) : [{ code: 'no_face', message: 'no face found in the photo' }],
    );
  }

  async deleteFaces(faceIds: string[]): Promise<void> {
    for (let i = 0; i < faceIds.length; i += DELETE_FACES_BATCH) {
      const batch = faceIds.slice(i, i + DELETE_FACES_BATCH);
      const res = await callAws('rekognition', 'DeleteFaces', () =>
        this.client.send(new DeleteFacesCommand({ CollectionId: this.collectionId, FaceIds: batch })),
      );
      // Ids already gone come back in UnsuccessfulFaceDeletions as FACE_NOT_FOUND: erasure is idempotent.
      const failed = (res.UnsuccessfulFaceDeletions ?? []).filter(
        (u) => !(u.Reasons ?? []).every((r) => r === 'FACE_NOT_FOUND'),
      );
      if (failed.length > 0) {
        throw asUpstream(
          'rekognition',
          'DeleteFaces',
          new Error(
            `could not delete faces ${failed.map((f) => f.FaceId).join(', ')}: ${failed.flatMap((f) => f.Reasons ?? []).join(', ')}`,
          ),
        );
      }
    }
  }

  async countFaces(): Promise<number> {
    const res = await callAws('rekognition', 'DescribeCollection', () =>
      this.client.send(new DescribeCollectionCommand({ CollectionId: this.collectionId })),
    );
    return res.FaceCount ?? 0;
  }

  async close(): Promise<void> {
    // The client is injected; its owner destroys it.
  }
}

/** Refuses what Rekognition would refuse before paying for a call. */
function checkImage(image: Uint8Array): ImageDimensions {
  if (image.byteLength > MAX_REKOGNITION_IMAGE_BYTES) {
    throw new PhotoRejectedError([
      { code: 'too_large', message: `the image is over ${MAX_REKOGNITION_IMAGE_BYTES / 1024 / 1024} MB` },
    ]);
  }
  const size = imageDimensions(image);
  if (!size) throw new ImageDecodeError('image is not a JPEG or PNG');
  return size;
}

function isNoFaceError(err: unknown): boolean {
  return (
    awsErrorName(err) === 'InvalidParameterException' && /no faces?/i.test(err instanceof Error ? err.message : '')
  );
}

function mapImageError(operation: string, err: unknown): Error {
  switch (awsErrorName(err)) {
    case 'InvalidImageFormatException':
      return new ImageDecodeError('Rekognition could not decode the image', { cause: err });
    case 'ImageTooLargeException':
      return new PhotoRejectedError([{ code: 'too_large', message: 'the image is too large for face recognition' }], {
        cause: err,
      });
    case 'InvalidParameterException':
      return new PhotoRejectedError([{ code: 'no_face', message: 'no usable face in the image' }], { cause: err });
    default:
      return asUpstream('rekognition', operation, err);
  }
}

function toPercent(similarity: number): number {
  return Math.min(100, Math.max(0, similarity * 100));
}

function fromPercent(percent: number): number {
  return Math.min(1, Math.max(0, percent / 100));
}

function toPixels(box: BoundingBox, size: ImageDimensions): FaceBox {
  // Boxes may reach past the image edge (negative Left/Top); clamp to the image.
  const left = Math.max(0, box.Left ?? 0);
  const top = Math.max(0, box.Top ?? 0);
  const right = Math.min(1, (box.Left ?? 0) + (box.Width ?? 0));
  const bottom = Math.min(1, (box.Top ?? 0) + (box.Height ?? 0));
  return {
    x: Math.round(left * size.width),
    y: Math.round(top * size.height),
    width: Math.max(0, Math.round((right - left) * size.width)),
    height: Math.max(0, Math.round((bottom - top) * size.height)),
  };
}

function toDetectedFace(detail: FaceDetail, size: ImageDimensions): DetectedFace {
  return {
    box: toPixels(detail.BoundingBox ?? {}, size),
    confidence: fromPercent(detail.Confidence ?? 0),
    yaw: detail.Pose?.Yaw ?? null,
    pitch: detail.Pose?.Pitch ?? null,
    roll: detail.Pose?.Roll ?? null,
    sharpness: detail.Quality?.Sharpness ?? null,
  };
}

function byAreaDescending(a: DetectedFace, b: DetectedFace): number {
  return b.box.width * b.box.height - a.box.width * a.box.height;
}

function dedupeIssues(issues: { code: string; message: string }[]): { code: string; message: string }[] {
  const seen = new Set<string>();
  return issues.filter((i) => (seen.has(i.message) ? false : (seen.add(i.message), true)));
}
