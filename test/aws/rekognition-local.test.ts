/**
 * rekognition-local through the unmodified AWS SDK for JavaScript (and boto3 when Debian's
 * python3-boto3 is installed): the real server, the real face engine and real photos. Each
 * case checks what the SDK gives back, including the exception classes it builds from our errors.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  CreateCollectionCommand,
  DeleteCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  ListCollectionsCommand,
  ListFacesCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
  SearchFacesCommand,
} from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import {
  startRekognitionLocal,
  type RekognitionLocal,
} from '../../cloud/src/adapters/local/rekognition-local/index.js';
import { MAX_BODY_BYTES } from '../../cloud/src/adapters/local/rekognition-local/http-server.js';
import { DEV_DIR, HAVE_FACES, REPO_ROOT, photo } from '../face/faces-dataset.js';

const ALAN = 'Alan_Greenspan';
const ADAM = 'Adam_Scott';

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err as Error,
  );
}

/** Whether Debian's boto3 is importable by /usr/bin/python3 (the test then runs the README snippet). */
function haveBoto3(): boolean {
  try {
    return fs.existsSync('/usr/bin/python3') && fs.existsSync('/usr/lib/python3/dist-packages/boto3/__init__.py');
  } catch {
    return false;
  }
}

describe.skipIf(!HAVE_FACES)('rekognition-local through the AWS SDK (real engine, real photos)', () => {
  let server: RekognitionLocal;
  let client: RekognitionClient;
  let blank: Buffer;

  beforeAll(async () => {
    server = await startRekognitionLocal({ port: 0, dataKey: randomBytes(32), logger: silentLogger() });
    client = new RekognitionClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 130, b: 140 } } })
      .jpeg()
      .toBuffer();
  });

  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  it('creates, lists and deletes collections, with Rekognition’s errors for a duplicate and a missing one', async () => {
    const created = await client.send(new CreateCollectionCommand({ CollectionId: 'site-a' }));
    expect(created.StatusCode).toBe(200);
    expect(created.CollectionArn).toMatch(/collection\/site-a$/);
    await client.send(new CreateCollectionCommand({ CollectionId: 'site-b' }));
    const dup = await errorOf(client.send(new CreateCollectionCommand({ CollectionId: 'site-a' })));
    expect(dup.name).toBe('ResourceAlreadyExistsException');

    const page1 = await client.send(new ListCollectionsCommand({ MaxResults: 1 }));
    expect(page1.CollectionIds).toEqual(['site-a']);
    const page2 = await client.send(new ListCollectionsCommand({ MaxResults: 1, NextToken: page1.NextToken! }));
    expect(page2.CollectionIds).toEqual(['site-b']);
    expect(page2.NextToken).toBeUndefined();

    await client.send(new DeleteCollectionCommand({ CollectionId: 'site-b' }));
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['site-a']);
    const gone = await errorOf(client.send(new DeleteCollectionCommand({ CollectionId: 'site-b' })));
    expect(gone.name).toBe('ResourceNotFoundException');
    const badId = await errorOf(client.send(new CreateCollectionCommand({ CollectionId: 'a/b' })));
    expect(badId.name).toBe('InvalidParameterException');
  });

  it('indexes faces and finds a person from another photo, with Similarity on 0-100 and their ExternalImageId', async () => {
    const alan = await client.send(
      new IndexFacesCommand({
        CollectionId: 'site-a',
        Image: { Bytes: photo(ALAN, 1) },
        ExternalImageId: ALAN,
        MaxFaces: 1,
        QualityFilter: 'AUTO',
        DetectionAttributes: ['DEFAULT'],
      }),
    );
    expect(alan.FaceRecords).toHaveLength(1);
    const alanFace = alan.FaceRecords![0]!.Face!;
    expect(alanFace.ExternalImageId).toBe(ALAN);
    expect(alanFace.BoundingBox!.Width).toBeGreaterThan(0.1);
    expect(alanFace.BoundingBox!.Width).toBeLessThanOrEqual(1);
    await client.send(
      new IndexFacesCommand({ CollectionId: 'site-a', Image: { Bytes: photo(ADAM, 1) }, ExternalImageId: ADAM }),
    );

    const found = await client.send(
      new SearchFacesByImageCommand({
        CollectionId: 'site-a',
        Image: { Bytes: photo(ALAN, 4) },
        FaceMatchThreshold: 80,
        MaxFaces: 5,
      }),
    );
    const box = found.SearchedFaceBoundingBox!;
    expect(box.Left! + box.Width!).toBeLessThanOrEqual(1.01);
    expect(box.Width).toBeGreaterThan(0.1);
    expect(found.FaceMatches!.map((m) => m.Face!.ExternalImageId)).toEqual([ALAN]);
    expect(found.FaceMatches![0]!.Face!.FaceId).toBe(alanFace.FaceId);
    expect(found.FaceMatches![0]!.Similarity).toBeGreaterThanOrEqual(80);
    expect(found.FaceMatches![0]!.Similarity).toBeLessThanOrEqual(100);

    // Threshold 0 returns everyone, best first, each at a Similarity in range; MaxFaces bounds it.
    const all = await client.send(
      new SearchFacesCommand({ CollectionId: 'site-a', FaceId: alanFace.FaceId!, FaceMatchThreshold: 0 }),
    );
    expect(all.SearchedFaceId).toBe(alanFace.FaceId);
    expect(all.FaceMatches!.map((m) => m.Face!.ExternalImageId)).toEqual([ADAM]); // never itself
    expect(all.FaceMatches![0]!.Similarity).toBeLessThan(found.FaceMatches![0]!.Similarity!);
  });

  it('answers Rekognition’s errors: no face, not an image, unknown collection, bad input, oversized body', async () => {
    const noFace = await errorOf(
      client.send(new SearchFacesByImageCommand({ CollectionId: 'site-a', Image: { Bytes: blank } })),
    );
    expect(noFace.name).toBe('InvalidParameterException');
    expect(noFace.message).toMatch(/no faces/i);
    const notImage = await errorOf(
      client.send(
        new IndexFacesCommand({ CollectionId: 'site-a', Image: { Bytes: Buffer.from('GIF89a not really') } }),
      ),
    );
    expect(notImage.name).toBe('InvalidImageFormatException');
    const missing = await errorOf(
      client.send(new SearchFacesByImageCommand({ CollectionId: 'nowhere', Image: { Bytes: photo(ALAN, 4) } })),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
    const badThreshold = await errorOf(
      client.send(
        new SearchFacesByImageCommand({ CollectionId: 'site-a', Image: { Bytes: blank }, FaceMatchThreshold: 101 }),
      ),
    );
    expect(badThreshold.name).toBe('InvalidParameterException');

    // A body over the limit is refused from its declared length, before it is read.
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${server.url}/`,
        {
          method: 'POST',
          headers: {
            'x-amz-target': 'RekognitionService.IndexFaces',
            'content-type': 'application/x-amz-json-1.1',
            'content-length': MAX_BODY_BYTES + 1,
          },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ code: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write('{"CollectionId":"site-a"');
    });
    expect(status.code).toBe(400);
    expect(JSON.parse(status.body).__type).toBe('ImageTooLargeException');
    // Still serving afterwards.
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toContain('site-a');
  });

  it('lists faces page by page and deletes them (a second delete reports FACE_NOT_FOUND)', async () => {
    const first = await client.send(new ListFacesCommand({ CollectionId: 'site-a', MaxResults: 1 }));
    expect(first.Faces).toHaveLength(1);
    const second = await client.send(
      new ListFacesCommand({ CollectionId: 'site-a', MaxResults: 1, NextToken: first.NextToken! }),
    );
    expect(second.Faces!.map((f) => f.ExternalImageId)).toEqual([ADAM]);
    const adamId = second.Faces![0]!.FaceId!;

    const deleted = await client.send(new DeleteFacesCommand({ CollectionId: 'site-a', FaceIds: [adamId] }));
    expect(deleted.DeletedFaces).toEqual([adamId]);
    const again = await client.send(new DeleteFacesCommand({ CollectionId: 'site-a', FaceIds: [adamId] }));
    expect(again.DeletedFaces).toEqual([]);
    expect(again.UnsuccessfulFaceDeletions).toEqual([{ FaceId: adamId, Reasons: ['FACE_NOT_FOUND'] }]);
    const left = await client.send(new ListFacesCommand({ CollectionId: 'site-a' }));
    expect(left.Faces!.map((f) => f.ExternalImageId)).toEqual([ALAN]);
  });

  // Locally the snippet needs Debian's python3-boto3 and skips without it; in CI
  // (scripts/install-test-deps.sh installs it) a missing boto3 fails rather than skips.
  it.skipIf(!haveBoto3() && !process.env.CI)('runs the README’s boto3 snippet unchanged', async () => {
    expect(haveBoto3(), 'python3-boto3 is not installed (apt-get install python3-boto3)').toBe(true);
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const snippet = /<!-- rekognition-local boto3 snippet -->\n```python\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', snippet!], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        REKOGNITION_ENDPOINT: server.url,
        PHOTO1: path.join(DEV_DIR, ALAN, '1.jpg'),
        PHOTO2: path.join(DEV_DIR, ALAN, '4.jpg'),
      },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^indexed [0-9a-f-]{36}$/m);
    expect(stdout).toMatch(/^match alice \d+(\.\d)?$/m);
  });
});
