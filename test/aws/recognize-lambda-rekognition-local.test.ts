/**
 * The recognition Lambda invoked as the IoT rule invokes it (payload plus topicDoorId), on
 * rekognition-local (real face engine behind the Rekognition SDK calls), dynalite and s3rver: a
 * real photo of an enrolled person is granted, a stranger's denied. IoT Core cannot run here, so
 * its Data Plane client still answers from the fake HTTP layer (the commands are read from it).
 * Part of issue 8 item 7; the whole loop with a real door agent on the broker, the stack's rule SQL
 * and a signed IoT Data Plane Publish is door-loop-aws.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { CreateCollectionCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DoorCommand } from '../../protocol/index.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import { DynamoVisitStore } from '../../cloud/src/adapters/aws/dynamo-visit-store.js';
import { IotDoorMessaging } from '../../cloud/src/adapters/aws/iot-door-messaging.js';
import { RekognitionFaceIndex } from '../../cloud/src/adapters/aws/rekognition-face-index.js';
import { S3ImageStore } from '../../cloud/src/adapters/aws/s3-image-store.js';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import {
  startRekognitionLocal,
  type RekognitionLocal,
} from '../../cloud/src/adapters/local/rekognition-local/index.js';
import { createRecognizeFrameLambda, type RecognizeFrameLambda } from '../../cloud/src/lambda/recognize-frame.js';
import { HAVE_FACES, photo } from '../face/faces-dataset.js';
import { makeDoor, makePerson } from '../support/records.js';
import { fakeAwsHttp, fakeClientConfig, type RecordedRequest } from './fake-aws-http.js';
import { startDynalite, startS3rver, type LocalDynamo, type LocalS3 } from './local-aws.js';

describe.skipIf(!HAVE_FACES)('recognize-frame Lambda on rekognition-local, dynalite and s3rver', () => {
  let rekognition: RekognitionLocal;
  let rekClient: RekognitionClient;
  let dynamo: LocalDynamo;
  let s3: LocalS3;
  let lambda: RecognizeFrameLambda;
  let records: DynamoRecords;
  let published: RecordedRequest[];

  beforeAll(async () => {
    [rekognition, dynamo, s3] = await Promise.all([
      startRekognitionLocal({ port: 0, dataKey: randomBytes(32), logger: silentLogger() }),
      startDynalite(),
      startS3rver(),
    ]);
    rekClient = new RekognitionClient({ ...fakeClientConfig, endpoint: rekognition.url });
    await rekClient.send(new CreateCollectionCommand({ CollectionId: 'facegate-test' }));
    const logger = silentLogger();
    const tables = await dynamo.createTables(`r${randomUUID().slice(0, 8)}`);
    const bucket = `facegate-${randomUUID().slice(0, 8)}`;
    await s3.createBucket(bucket);
    records = new DynamoRecords({ client: dynamo.client, tables, eventRetentionDays: 90, logger });
    const faceIndex = new RekognitionFaceIndex({ client: rekClient, collectionId: 'facegate-test', logger });
    const iot = fakeAwsHttp(() => ({ body: {} }));
    published = iot.requests;
    lambda = createRecognizeFrameLambda(
      {
        faceIndex,
        records,
        images: new S3ImageStore({ client: s3.client, bucket, kmsKeyId: null }),
        messaging: new IotDoorMessaging({
          siteId: 'local',
          client: new IoTDataPlaneClient({
            ...fakeClientConfig,
            endpoint: 'https://x-ats.iot.eu-west-1.amazonaws.com',
            requestHandler: iot.requestHandler,
          }),
          logger,
        }),
        visits: new DynamoVisitStore({ client: dynamo.client, tableName: tables.visits }),
        searchBudget: new MemorySearchBudget(),
        clock: () => Date.now(),
        logger,
      },
      { site: 'test', metrics: () => {} },
    );
    await records.putDoor(makeDoor('front-door'));
    await records.putPerson(makePerson('person-alan', { name: 'Alan' }));
    // Enrolled through the same adapter the admin host uses: IndexFaces on rekognition-local.
    await faceIndex.index('person-alan', photo('Alan_Greenspan', 1));
  });

  afterAll(async () => {
    rekClient?.destroy();
    await Promise.all([rekognition?.close(), dynamo?.stop(), s3?.stop()]);
  });

  /** What `SELECT *, topic(4) AS topicDoorId FROM 'facegate/local/doors/+/frames'` delivers. */
  function frameEvent(jpeg: Buffer) {
    const frameId = `frame-${randomUUID().slice(0, 8)}`;
    const at = Date.now() - 100;
    return {
      v: 2,
      type: 'frame',
      doorId: 'front-door',
      frameId,
      capturedAt: at,
      jpeg: jpeg.toString('base64'),
      visit: { id: `visit-${frameId}`, seq: 0, startedAt: at, last: true },
      face: { box: { x: 60, y: 60, width: 130, height: 130 }, score: 0.9, sharpness: 50 },
      topicDoorId: 'front-door',
    };
  }

  const commands = () => published.map((r) => DoorCommand.parse(JSON.parse(r.body.toString('utf8'))));

  it('grants the enrolled person from another photo of him: unlock published, audit row in DynamoDB', async () => {
    const outcome = await lambda(frameEvent(photo('Alan_Greenspan', 4)));
    expect(outcome).toMatchObject({ status: 'decided', result: 'granted', personId: 'person-alan' });
    expect(commands().map((c) => c.type)).toEqual(['unlock']);
    const { events } = await records.listEvents({ doorId: 'front-door' });
    expect(events[0]).toMatchObject({ kind: 'access', result: 'granted', personId: 'person-alan' });
    expect(events[0]!.score).toBeGreaterThanOrEqual(0.99);
  });

  it('denies a stranger', async () => {
    const outcome = await lambda(frameEvent(photo('AJ_Cook', 1)));
    expect(outcome).toMatchObject({ status: 'decided', result: 'denied' });
    expect(commands().map((c) => c.type)).toEqual(['unlock', 'deny']);
  });
});
