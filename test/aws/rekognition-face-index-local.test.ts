/**
 * The Rekognition FaceIndex adapter against rekognition-local: the adapter's real SDK calls
 * (IndexFaces, SearchFacesByImage, DetectFaces, DeleteFaces, DescribeCollection) served by a real
 * Rekognition-protocol server over the face engine, through the FaceIndex contract.
 */
import { randomBytes } from 'node:crypto';
import { CreateCollectionCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { RekognitionFaceIndex } from '../../cloud/src/adapters/aws/rekognition-face-index.js';
import {
  startRekognitionLocal,
  type RekognitionLocal,
} from '../../cloud/src/adapters/local/rekognition-local/index.js';
import { faceIndexContract } from '../contracts/face-index.contract.js';
import { HAVE_FACES } from '../face/faces-dataset.js';

describe.skipIf(!HAVE_FACES)('RekognitionFaceIndex on rekognition-local', () => {
  let server: RekognitionLocal;
  let client: RekognitionClient;
  let collections = 0;

  beforeAll(async () => {
    server = await startRekognitionLocal({ port: 0, dataKey: randomBytes(32), logger: silentLogger() });
    client = new RekognitionClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  faceIndexContract('Rekognition adapter on rekognition-local', {
    async open() {
      const collectionId = `site-${++collections}`;
      await client.send(new CreateCollectionCommand({ CollectionId: collectionId }));
      return new RekognitionFaceIndex({ client, collectionId, logger: silentLogger() });
    },
  });
});
