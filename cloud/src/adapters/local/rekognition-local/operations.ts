/**
 * The Rekognition operations rekognition-local serves: each validates its JSON input (zod, with
 * Rekognition's own constraints on ids and ranges) and answers with Rekognition's output shapes.
 * Everything here is transport-free; http-server.ts speaks the JSON 1.1 protocol around it.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FaceEngine } from '../face-engine/engine.js';
import type { CollectionRegistry, FaceRecord } from './collections.js';
import {
  analyzeImage,
  embeddingOf,
  qualityReasons,
  toFaceDetail,
  toRatioBox,
  type QualityFilter,
  type UnindexedReason,
} from './image-faces.js';
import { invalidParameter, RekognitionError } from './rekognition-errors.js';
import type { SimilarityScale } from './similarity-scale.js';

const collectionId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z0-9_.-]+$/);
const faceId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const externalImageId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z0-9_.\-:]+$/);
// Base64 of at most 5 MB (ImageTooLargeException past that is answered after decoding).
const image = z
  .object({
    Bytes: z
      .string()
      .max(8 * 1024 * 1024)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Bytes must be base64')
      .optional(),
    S3Object: z.object({ Bucket: z.string(), Name: z.string(), Version: z.string().optional() }).optional(),
  })
  .refine(
    (i) => (i.Bytes === undefined) !== (i.S3Object === undefined),
    'Image needs exactly one of Bytes or S3Object',
  );
const qualityFilter = z.enum(['NONE', 'AUTO', 'LOW', 'MEDIUM', 'HIGH']);
const nextToken = z.string().max(255).optional();

export const SCHEMAS = {
  CreateCollection: z.object({ CollectionId: collectionId, Tags: z.record(z.string(), z.string()).optional() }),
  DeleteCollection: z.object({ CollectionId: collectionId }),
  DescribeCollection: z.object({ CollectionId: collectionId }),
  ListCollections: z.object({ MaxResults: z.number().int().min(0).max(4096).optional(), NextToken: nextToken }),
  IndexFaces: z.object({
    CollectionId: collectionId,
    Image: image,
    ExternalImageId: externalImageId.optional(),
    DetectionAttributes: z.array(z.string().max(32)).max(32).optional(),
    MaxFaces: z.number().int().min(1).max(100).optional(),
    QualityFilter: qualityFilter.optional(),
  }),
  SearchFacesByImage: z.object({
    CollectionId: collectionId,
    Image: image,
    MaxFaces: z.number().int().min(1).max(4096).optional(),
    FaceMatchThreshold: z.number().min(0).max(100).optional(),
    QualityFilter: qualityFilter.optional(),
  }),
  SearchFaces: z.object({
    CollectionId: collectionId,
    FaceId: faceId,
    MaxFaces: z.number().int().min(1).max(4096).optional(),
    FaceMatchThreshold: z.number().min(0).max(100).optional(),
  }),
  ListFaces: z.object({
    CollectionId: collectionId,
    MaxResults: z.number().int().min(0).max(4096).optional(),
    NextToken: nextToken,
    FaceIds: z.array(faceId).min(1).max(4096).optional(),
  }),
  DeleteFaces: z.object({ CollectionId: collectionId, FaceIds: z.array(faceId).min(1).max(4096) }),
  DetectFaces: z.object({ Image: image, Attributes: z.array(z.string().max(32)).max(32).optional() }),
} as const;

export type OperationName = keyof typeof SCHEMAS;
type Input<K extends OperationName> = z.infer<(typeof SCHEMAS)[K]>;

export interface OperationContext {
  engine: FaceEngine;
  collections: CollectionRegistry;
  scale: SimilarityScale;
  /** For ARNs only. */
  region: string;
  account: string;
}

/** Rekognition's default FaceMatchThreshold. */
const DEFAULT_FACE_MATCH_THRESHOLD = 80;
const DEFAULT_SEARCH_MAX_FACES = 4096;
const DEFAULT_PAGE = 1000;

function imageBytes(input: { Bytes?: string | undefined; S3Object?: unknown }): Uint8Array {
  if (input.Bytes === undefined) {
    throw new RekognitionError(
      'InvalidS3ObjectException',
      'rekognition-local reads images from Bytes only, not S3Object',
    );
  }
  return Buffer.from(input.Bytes, 'base64');
}

function page<T>(items: T[], token: string | undefined, maxResults: number | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    start = Number.parseInt(token, 10);
    if (!/^\d{1,9}$/.test(token) || start > items.length) {
      throw new RekognitionError('InvalidPaginationTokenException', 'Invalid pagination token');
    }
  }
  const size = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE : maxResults;
  const end = Math.min(items.length, start + size);
  return { items: items.slice(start, end), ...(end < items.length ? { next: String(end) } : {}) };
}

function similarityOf(ctx: OperationContext, score: number): number {
  return Math.round(ctx.scale.toSimilarity(score) * 1e4) / 1e4;
}

/** Faces at or above `threshold` Similarity, best first; `exclude` leaves the searched face out. */
function matches(
  ctx: OperationContext,
  collection: ReturnType<CollectionRegistry['get']>,
  probe: Float32Array,
  threshold: number,
  maxFaces: number,
  exclude?: string,
): { Similarity: number; Face: FaceRecord }[] {
  // A little below the threshold's score, then filtered on the Similarity reported, so the
  // answer agrees with its own Similarity figures whatever the rounding.
  const minScore = ctx.scale.fromSimilarity(threshold) - 1e-6;
  return collection
    .search(probe, minScore, maxFaces + (exclude ? 1 : 0))
    .filter((m) => m.record.FaceId !== exclude)
    .map((m) => ({ Similarity: similarityOf(ctx, m.score), Face: m.record }))
    .filter((m) => m.Similarity >= threshold)
    .slice(0, maxFaces);
}

export const OPERATIONS: { [K in OperationName]: (ctx: OperationContext, input: Input<K>) => Promise<object> } = {
  async CreateCollection(ctx, input) {
    ctx.collections.create(input.CollectionId);
    return {
      StatusCode: 200,
      CollectionArn: `aws:rekognition:${ctx.region}:${ctx.account}:collection/${input.CollectionId}`,
      FaceModelVersion: ctx.engine.embeddingModel,
    };
  },

  async DeleteCollection(ctx, input) {
    ctx.collections.delete(input.CollectionId);
    return { StatusCode: 200 };
  },

  async DescribeCollection(ctx, input) {
    const collection = ctx.collections.get(input.CollectionId);
    return {
      FaceCount: collection.faceCount,
      UserCount: 0,
      FaceModelVersion: ctx.engine.embeddingModel,
      CollectionARN: `arn:aws:rekognition:${ctx.region}:${ctx.account}:collection/${collection.id}`,
      CreationTimestamp: collection.createdAt.getTime() / 1000,
    };
  },

  async ListCollections(ctx, input) {
    const { items, next } = page(ctx.collections.ids(), input.NextToken, input.MaxResults);
    return {
      CollectionIds: items,
      FaceModelVersions: items.map(() => ctx.engine.embeddingModel),
      ...(next ? { NextToken: next } : {}),
    };
  },

  async IndexFaces(ctx, input) {
    const collection = ctx.collections.get(input.CollectionId);
    const image = await analyzeImage(ctx.engine, imageBytes(input.Image));
    const filter: QualityFilter = input.QualityFilter ?? 'AUTO';
    const maxFaces = input.MaxFaces ?? 100;
    const imageId = randomUUID();
    const FaceRecords: object[] = [];
    const UnindexedFaces: { Reasons: UnindexedReason[]; FaceDetail: object }[] = [];
    // Faces come largest first; Rekognition keeps the largest MaxFaces of those passing the filter.
    for (const face of image.analysis.faces) {
      const detail = toFaceDetail(face, image.analysis);
      const reasons = qualityReasons(face, filter);
      if (reasons.length === 0 && FaceRecords.length >= maxFaces) reasons.push('EXCEEDS_MAX_FACES');
      const vector = reasons.length === 0 ? await embeddingOf(ctx.engine, image, face) : null;
      if (!vector) {
        UnindexedFaces.push({ Reasons: reasons.length ? reasons : ['LOW_CONFIDENCE'], FaceDetail: detail });
        continue;
      }
      const record = collection.add(
        {
          ImageId: imageId,
          ...(input.ExternalImageId ? { ExternalImageId: input.ExternalImageId } : {}),
          BoundingBox: toRatioBox(face, image.analysis),
          Confidence: face.confidence * 100,
        },
        vector,
      );
      FaceRecords.push({ Face: record, FaceDetail: detail });
    }
    return { FaceRecords, UnindexedFaces, FaceModelVersion: ctx.engine.embeddingModel };
  },

  async SearchFacesByImage(ctx, input) {
    const collection = ctx.collections.get(input.CollectionId);
    const image = await analyzeImage(ctx.engine, imageBytes(input.Image));
    const largest = image.analysis.faces[0];
    // Rekognition searches the largest face; with none (or none passing the filter) it refuses.
    if (!largest || !image.analysis.embedding || qualityReasons(largest, input.QualityFilter ?? 'NONE').length > 0) {
      throw invalidParameter('There are no faces in the image. Should be at least 1.');
    }
    return {
      SearchedFaceBoundingBox: toRatioBox(largest, image.analysis),
      SearchedFaceConfidence: largest.confidence * 100,
      FaceMatches: matches(
        ctx,
        collection,
        image.analysis.embedding,
        input.FaceMatchThreshold ?? DEFAULT_FACE_MATCH_THRESHOLD,
        input.MaxFaces ?? DEFAULT_SEARCH_MAX_FACES,
      ),
      FaceModelVersion: ctx.engine.embeddingModel,
    };
  },

  async SearchFaces(ctx, input) {
    const collection = ctx.collections.get(input.CollectionId);
    const face = collection.get(input.FaceId);
    if (!face) throw invalidParameter(`FaceId ${input.FaceId} is not in collection ${input.CollectionId}`);
    return {
      SearchedFaceId: input.FaceId,
      FaceMatches: matches(
        ctx,
        collection,
        face.vector,
        input.FaceMatchThreshold ?? DEFAULT_FACE_MATCH_THRESHOLD,
        input.MaxFaces ?? DEFAULT_SEARCH_MAX_FACES,
        input.FaceId,
      ),
      FaceModelVersion: ctx.engine.embeddingModel,
    };
  },

  async ListFaces(ctx, input) {
    const collection = ctx.collections.get(input.CollectionId);
    const wanted = input.FaceIds ? new Set(input.FaceIds) : null;
    const faces = collection.list().filter((f) => !wanted || wanted.has(f.FaceId));
    const { items, next } = page(faces, input.NextToken, input.MaxResults);
    return {
      Faces: items.map((f) => ({ ...f, IndexFacesModelVersion: ctx.engine.embeddingModel })),
      FaceModelVersion: ctx.engine.embeddingModel,
      ...(next ? { NextToken: next } : {}),
    };
  },

  async DeleteFaces(ctx, input) {
    const { deleted, notFound } = ctx.collections.get(input.CollectionId).delete(input.FaceIds);
    return {
      DeletedFaces: deleted,
      UnsuccessfulFaceDeletions: notFound.map((id) => ({ FaceId: id, Reasons: ['FACE_NOT_FOUND'] })),
    };
  },

  async DetectFaces(ctx, input) {
    const image = await analyzeImage(ctx.engine, imageBytes(input.Image));
    return { FaceDetails: image.analysis.faces.map((f) => toFaceDetail(f, image.analysis)) };
  },
};
