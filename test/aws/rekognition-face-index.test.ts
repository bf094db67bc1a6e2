/**
 * RekognitionFaceIndex: Rekognition cannot run here, so the real SDK client talks to a fake HTTP
 * layer (test/aws/fake-aws-http.ts). Asserted: the wire requests, the mapping of responses to
 * the port (0..1 similarity, pixel boxes, one match per person) and of errors to our error types.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { imageDimensions } from '../../cloud/src/adapters/aws/image-dimensions.js';
import { RekognitionFaceIndex } from '../../cloud/src/adapters/aws/rekognition-face-index.js';
import { ImageDecodeError, PhotoRejectedError, UpstreamError } from '../../cloud/src/errors.js';
import { awsError, fakeAwsHttp, fakeClientConfig, type Responder } from './fake-aws-http.js';

let jpeg640x480: Buffer;
let png300x200: Buffer;
let rotatedJpeg: Buffer;

beforeAll(async () => {
  const raw = { create: { width: 640, height: 480, channels: 3 as const, background: { r: 90, g: 120, b: 150 } } };
  jpeg640x480 = await sharp(raw).jpeg().toBuffer();
  png300x200 = await sharp({ create: { ...raw.create, width: 300, height: 200 } })
    .png()
    .toBuffer();
  // Stored 640×480, shown 480×640 (EXIF orientation 6 = rotate 90° clockwise).
  rotatedJpeg = await sharp(raw).jpeg().withMetadata({ orientation: 6 }).toBuffer();
});

function indexWith(respond: Responder, threshold?: number) {
  const http = fakeAwsHttp(respond);
  const client = new RekognitionClient({ ...fakeClientConfig, requestHandler: http.requestHandler });
  const index = new RekognitionFaceIndex({
    client,
    collectionId: 'facegate-site-1',
    logger: silentLogger(),
    ...(threshold ? { threshold } : {}),
  });
  return { index, requests: http.requests };
}

describe('image dimensions from headers', () => {
  it('reads JPEG and PNG sizes and applies EXIF rotation', () => {
    expect(imageDimensions(jpeg640x480)).toEqual({ width: 640, height: 480 });
    expect(imageDimensions(png300x200)).toEqual({ width: 300, height: 200 });
    expect(imageDimensions(rotatedJpeg)).toEqual({ width: 480, height: 640 });
    expect(imageDimensions(Buffer.from('GIF89a....'))).toBeNull();
    expect(imageDimensions(jpeg640x480.subarray(0, 20))).toBeNull();
  });
});

describe('RekognitionFaceIndex.search', () => {
  it('sends SearchFacesByImage with the threshold in percent and maps matches to one per person', async () => {
    const { index, requests } = indexWith(() => ({
      body: {
        SearchedFaceBoundingBox: { Left: 0.25, Top: 0.1, Width: 0.5, Height: 0.5 },
        SearchedFaceConfidence: 99.9,
        FaceMatches: [
          { Similarity: 99.7, Face: { FaceId: 'face-a1', ExternalImageId: 'person-a' } },
          { Similarity: 99.95, Face: { FaceId: 'face-a2', ExternalImageId: 'person-a' } },
          { Similarity: 99.2, Face: { FaceId: 'face-b1', ExternalImageId: 'person-b' } },
        ],
      },
    }));
    expect(index.threshold).toBe(0.99);
    const result = await index.search(jpeg640x480);

    expect(requests).toHaveLength(1);
    expect(requests[0]!.target).toBe('RekognitionService.SearchFacesByImage');
    expect(requests[0]!.json).toEqual({
      CollectionId: 'facegate-site-1',
      Image: { Bytes: jpeg640x480.toString('base64') },
      MaxFaces: 25,
      FaceMatchThreshold: 99,
      QualityFilter: 'AUTO',
    });
    expect(result.faceCount).toBe(1);
    expect(result.face).toEqual({
      box: { x: 160, y: 48, width: 320, height: 240 },
      confidence: expect.closeTo(0.999, 9),
      yaw: null,
      pitch: null,
      roll: null,
      sharpness: null,
    });
    expect(result.matches).toEqual([
      { faceId: 'face-a2', personId: 'person-a', similarity: expect.closeTo(0.9995, 9) },
      { faceId: 'face-b1', personId: 'person-b', similarity: expect.closeTo(0.992, 9) },
    ]);
  });

  it('honours minSimilarity and maxMatches', async () => {
    const { index, requests } = indexWith(() => ({
      body: {
        SearchedFaceBoundingBox: { Left: 0, Top: 0, Width: 1, Height: 1 },
        FaceMatches: [
          { Similarity: 91, Face: { FaceId: 'f1', ExternalImageId: 'p1' } },
          { Similarity: 85, Face: { FaceId: 'f2', ExternalImageId: 'p2' } },
        ],
      },
    }));
    const result = await index.search(png300x200, { minSimilarity: 0.8, maxMatches: 1 });
    expect(requests[0]!.json).toMatchObject({ FaceMatchThreshold: 80, MaxFaces: 5 });
    expect(result.matches).toEqual([{ faceId: 'f1', personId: 'p1', similarity: expect.closeTo(0.91, 9) }]);
    expect(result.face?.box).toEqual({ x: 0, y: 0, width: 300, height: 200 });
  });

  it('reads "no faces in the image" as no face, not as an error', async () => {
    const { index } = indexWith(() =>
      awsError('InvalidParameterException', 'There are no faces in the image. Should be at least 1.'),
    );
    expect(await index.search(jpeg640x480)).toEqual({ face: null, faceCount: 0, matches: [] });
  });

  it('maps image errors, and refuses non-images without calling Rekognition', async () => {
    const bad = indexWith(() => awsError('InvalidImageFormatException', 'Request has invalid image format'));
    await expect(bad.index.search(jpeg640x480)).rejects.toBeInstanceOf(ImageDecodeError);

    const large = indexWith(() => awsError('ImageTooLargeException', 'Image size is too large'));
    await expect(large.index.search(jpeg640x480)).rejects.toBeInstanceOf(PhotoRejectedError);

    const none = indexWith(() => ({ body: {} }));
    await expect(none.index.search(Buffer.from('not an image at all'))).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(none.index.search(Buffer.alloc(5 * 1024 * 1024 + 1))).rejects.toMatchObject({
      code: 'photo_rejected',
    });
    expect(none.requests).toHaveLength(0);
  });

  it('wraps service failures as UpstreamError with the SDK error as cause', async () => {
    const { index } = indexWith(() => awsError('ResourceNotFoundException', 'collection not found'));
    const err = await index.search(jpeg640x480).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/rekognition: SearchFacesByImage failed: ResourceNotFoundException/);
    expect(((err as Error).cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('uses a configured threshold', async () => {
    const { index, requests } = indexWith(
      () => ({ body: { SearchedFaceBoundingBox: { Left: 0, Top: 0, Width: 1, Height: 1 }, FaceMatches: [] } }),
      0.95,
    );
    await index.search(jpeg640x480);
    expect(requests[0]!.json.FaceMatchThreshold).toBe(95);
    expect(
      () =>
        new RekognitionFaceIndex({
          client: new RekognitionClient(fakeClientConfig),
          collectionId: 'c',
          threshold: 1.5,
          logger: silentLogger(),
        }),
    ).toThrow(RangeError);
  });
});

describe('RekognitionFaceIndex.index', () => {
  it('sends IndexFaces with the person as ExternalImageId, one face, AUTO quality filter', async () => {
    const { index, requests } = indexWith(() => ({
      body: {
        FaceRecords: [
          {
            Face: { FaceId: 'face-new', ExternalImageId: 'person-0001' },
            FaceDetail: {
              BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.3, Height: 0.4 },
              Confidence: 99.5,
              Pose: { Yaw: -5.5, Pitch: 3, Roll: 1.25 },
              Quality: { Sharpness: 86.9, Brightness: 70 },
            },
          },
        ],
        UnindexedFaces: [{ Reasons: ['EXCEEDS_MAX_FACES'] }],
      },
    }));
    const result = await index.index('person-0001', jpeg640x480);
    expect(requests[0]!.target).toBe('RekognitionService.IndexFaces');
    expect(requests[0]!.json).toEqual({
      CollectionId: 'facegate-site-1',
      Image: { Bytes: jpeg640x480.toString('base64') },
      ExternalImageId: 'person-0001',
      MaxFaces: 1,
      QualityFilter: 'AUTO',
      DetectionAttributes: ['DEFAULT'],
    });
    expect(result).toEqual({
      faceId: 'face-new',
      face: {
        box: { x: 64, y: 96, width: 192, height: 192 },
        confidence: expect.closeTo(0.995, 9),
        yaw: -5.5,
        pitch: 3,
        roll: 1.25,
        sharpness: 86.9,
      },
    });
  });

  it('turns unindexed reasons into a PhotoRejectedError a person can act on', async () => {
    const { index } = indexWith(() => ({
      body: {
        FaceRecords: [],
        UnindexedFaces: [{ Reasons: ['LOW_SHARPNESS', 'EXTREME_POSE'] }, { Reasons: ['SMALL_BOUNDING_BOX'] }],
      },
    }));
    const err = (await index.index('person-0001', jpeg640x480).catch((e: unknown) => e)) as PhotoRejectedError;
    expect(err).toBeInstanceOf(PhotoRejectedError);
    expect(err.issues.map((i) => i.code)).toEqual(['blurry', 'pose', 'face_too_small']);
  });

  it('reports no face when nothing was found', async () => {
    const empty = indexWith(() => ({ body: { FaceRecords: [], UnindexedFaces: [] } }));
    await expect(empty.index.index('person-0001', jpeg640x480)).rejects.toMatchObject({
      code: 'photo_rejected',
      issues: [{ code: 'no_face' }],
    });
    const invalid = indexWith(() =>
      awsError('InvalidParameterException', 'There are no faces in the image. Should be at least 1.'),
    );
    await expect(invalid.index.index('person-0001', jpeg640x480)).rejects.toMatchObject({
      code: 'photo_rejected',
      issues: [{ code: 'no_face' }],
    });
    const decode = indexWith(() => awsError('InvalidImageFormatException', 'Request has invalid image format'));
    await expect(decode.index.index('person-0001', jpeg640x480)).rejects.toBeInstanceOf(ImageDecodeError);
  });

  it('refuses a person id Rekognition cannot store', async () => {
    const { index, requests } = indexWith(() => ({ body: {} }));
    await expect(index.index('person with spaces', jpeg640x480)).rejects.toThrow(/ExternalImageId/);
    expect(requests).toHaveLength(0);
  });
});

describe('RekognitionFaceIndex inspect, delete, count', () => {
  it('inspect maps DetectFaces largest first with pose and sharpness, in displayed pixels', async () => {
    const { index, requests } = indexWith(() => ({
      body: {
        FaceDetails: [
          {
            BoundingBox: { Left: 0.7, Top: 0.1, Width: 0.1, Height: 0.1 },
            Confidence: 90,
            Pose: { Yaw: 40, Pitch: 0, Roll: 0 },
            Quality: { Sharpness: 20 },
          },
          {
            BoundingBox: { Left: -0.05, Top: 0.2, Width: 0.5, Height: 0.4 },
            Confidence: 99.99,
            Pose: { Yaw: 1, Pitch: 2, Roll: 3 },
            Quality: { Sharpness: 92 },
          },
        ],
      },
    }));
    const result = await index.inspect(rotatedJpeg);
    expect(requests[0]!.target).toBe('RekognitionService.DetectFaces');
    expect(requests[0]!.json).toEqual({ Image: { Bytes: rotatedJpeg.toString('base64') }, Attributes: ['DEFAULT'] });
    expect(result.imageWidth).toBe(480);
    expect(result.imageHeight).toBe(640);
    expect(result.faces.map((f) => f.sharpness)).toEqual([92, 20]);
    expect(result.faces[0]!.box).toEqual({ x: 0, y: 128, width: 216, height: 256 });
    expect(result.faces[1]!.yaw).toBe(40);
  });

  it('deleteFaces batches ids, tolerates faces already gone, and fails on other refusals', async () => {
    const ids = Array.from({ length: 4097 }, (_, i) => `face-${i}`);
    const ok = indexWith((req) => ({
      body: {
        DeletedFaces: req.json.FaceIds.slice(1),
        UnsuccessfulFaceDeletions: [{ FaceId: req.json.FaceIds[0], Reasons: ['FACE_NOT_FOUND'] }],
      },
    }));
    await ok.index.deleteFaces(ids);
    expect(ok.requests.map((r) => [r.target, r.json.CollectionId, r.json.FaceIds.length])).toEqual([
      ['RekognitionService.DeleteFaces', 'facegate-site-1', 4096],
      ['RekognitionService.DeleteFaces', 'facegate-site-1', 1],
    ]);
    await ok.index.deleteFaces([]);
    expect(ok.requests).toHaveLength(2);

    const refused = indexWith(() => ({
      body: { UnsuccessfulFaceDeletions: [{ FaceId: 'face-1', Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] }] },
    }));
    await expect(refused.index.deleteFaces(['face-1'])).rejects.toBeInstanceOf(UpstreamError);
  });

  it('countFaces reads the collection', async () => {
    const { index, requests } = indexWith(() => ({ body: { FaceCount: 42, FaceModelVersion: '7.0' } }));
    expect(await index.countFaces()).toBe(42);
    expect(requests[0]!.target).toBe('RekognitionService.DescribeCollection');
    expect(requests[0]!.json).toEqual({ CollectionId: 'facegate-site-1' });
  });
});
