/**
 * The Lambda composition roots end to end on what can run here: records on dynalite, snapshots on
 * s3rver, and the real Rekognition and IoT Data Plane SDK clients on the fake HTTP layer (those
 * services cannot run locally). The event shapes are what the stack's IoT rules produce.
 */
import { randomUUID } from 'node:crypto';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DoorCommand } from '../../protocol/index.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import { DynamoVisitStore } from '../../cloud/src/adapters/aws/dynamo-visit-store.js';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import { createVisitSweeper, type VisitSweeper } from '../../cloud/src/handlers/sweep-visits.js';
import { IotDoorMessaging } from '../../cloud/src/adapters/aws/iot-door-messaging.js';
import { RekognitionFaceIndex } from '../../cloud/src/adapters/aws/rekognition-face-index.js';
import { S3ImageStore } from '../../cloud/src/adapters/aws/s3-image-store.js';
import { createIotDataClient, iotDataEndpointFromSdkEnv } from '../../cloud/src/lambda/aws-clients.js';
import { createDoorTelemetryLambda } from '../../cloud/src/lambda/door-telemetry.js';
import { InfrastructureFailure } from '../../cloud/src/lambda/failure-watch.js';
import { readRecognizeConfig, readRecordsConfig, readVisitsConfig } from '../../cloud/src/lambda/env.js';
import { createRecognizeFrameLambda, type RecognizeFrameLambda } from '../../cloud/src/lambda/recognize-frame.js';
import { makeDoor, makePerson } from '../support/records.js';
import { awsError, fakeAwsHttp, fakeClientConfig, type FakeResponse, type RecordedRequest } from './fake-aws-http.js';
import { startDynalite, startS3rver, type LocalDynamo, type LocalS3 } from './local-aws.js';

const NOW = 1_767_225_600_000;
let now = NOW;
let dynamo: LocalDynamo;
let s3: LocalS3;
let jpeg: Buffer;

beforeAll(async () => {
  [dynamo, s3] = await Promise.all([startDynalite(), startS3rver()]);
  jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 180, b: 160 } } })
    .jpeg()
    .toBuffer();
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), s3?.stop()]);
});

interface Harness {
  lambda: RecognizeFrameLambda;
  /** The sweeper over the same tables, as the scheduled Lambda builds it. */
  sweep: VisitSweeper;
  records: DynamoRecords;
  images: S3ImageStore;
  published: RecordedRequest[];
  rekognition: RecordedRequest[];
  setRekognition(response: FakeResponse): void;
  /** EMF lines the Lambda wrote, parsed. */
  metrics: Record<string, unknown>[];
}

/** The counts of every EMF line, summed by metric name (and every line names site `test`). */
function metricTotals(lines: Record<string, unknown>[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of lines) {
    expect(line.Site).toBe('test');
    const names = (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics;
    for (const { Name } of names) totals[Name] = (totals[Name] ?? 0) + (line[Name] as number);
  }
  return totals;
}

async function harness(options: { brokenTables?: boolean } = {}): Promise<Harness> {
  const created = await dynamo.createTables(`l${randomUUID().slice(0, 8)}`);
  // Tables that do not exist: every DynamoDB call fails as it does when IAM or KMS refuses it.
  const tables = options.brokenTables ? { ...created, events: `${created.events}-missing` } : created;
  const metrics: Record<string, unknown>[] = [];
  const bucket = `facegate-${randomUUID().slice(0, 8)}`;
  await s3.createBucket(bucket);
  const logger = silentLogger();
  let rekognitionResponse: FakeResponse = { body: {} };
  const rek = fakeAwsHttp(() => rekognitionResponse);
  const iot = fakeAwsHttp(() => ({ body: {} }));
  const records = new DynamoRecords({ client: dynamo.client, tables, eventRetentionDays: 90, logger });
  const images = new S3ImageStore({ client: s3.client, bucket, kmsKeyId: null });
  const visits = new DynamoVisitStore({ client: dynamo.client, tableName: tables.visits });
  const faceIndex = new RekognitionFaceIndex({
    client: new RekognitionClient({ ...fakeClientConfig, requestHandler: rek.requestHandler }),
    collectionId: 'facegate-test',
    logger,
  });
  const messaging = new IotDoorMessaging({
    siteId: 'local',
    client: new IoTDataPlaneClient({
      ...fakeClientConfig,
      endpoint: 'https://x-ats.iot.eu-west-1.amazonaws.com',
      requestHandler: iot.requestHandler,
    }),
    logger,
  });
  const clock = () => now;
  const lambda = createRecognizeFrameLambda(
    {
      faceIndex,
      records,
      images,
      messaging,
      visits,
      searchBudget: new MemorySearchBudget(),
      clock,
      logger,
    },
    { site: 'test', metrics: (line) => metrics.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return {
    metrics,
    lambda,
    sweep: createVisitSweeper({ records, images, messaging, visits, clock, logger, threshold: faceIndex.threshold }),
    records,
    images,
    published: iot.requests,
    rekognition: rek.requests,
    setRekognition: (r) => {
      rekognitionResponse = r;
    },
  };
}

/** What `SELECT *, topic(4) AS topicDoorId FROM 'facegate/main/doors/+/frames'` delivers. */
function frameEvent(topicDoorId: string, overrides: Record<string, unknown> = {}) {
  const frameId = `frame-${randomUUID().slice(0, 8)}`;
  return {
    v: 2,
    type: 'frame',
    doorId: topicDoorId,
    frameId,
    capturedAt: NOW - 200,
    jpeg: jpeg.toString('base64'),
    visit: { id: `visit-${frameId}`, seq: 0, startedAt: NOW - 200, last: true },
    face: { box: { x: 0, y: 0, width: 64, height: 64 }, score: 0.9, sharpness: 50 },
    ...overrides,
    topicDoorId,
  };
}

const matchFor = (personId: string, similarity: number): FakeResponse => ({
  body: {
    SearchedFaceBoundingBox: { Left: 0.3, Top: 0.2, Width: 0.4, Height: 0.5 },
    SearchedFaceConfidence: 99.9,
    FaceMatches: [{ Similarity: similarity, Face: { FaceId: `face-of-${personId}`, ExternalImageId: personId } }],
  },
});

function commandsOf(h: Harness): { topic: string; command: DoorCommand }[] {
  return h.published.map((r) => ({
    topic: decodeURIComponent(r.path.replace('/topics/', '')),
    command: DoorCommand.parse(JSON.parse(r.body.toString('utf8'))),
  }));
}

describe('recognize-frame Lambda', () => {
  let h: Harness;
  beforeEach(async () => {
    now = NOW;
    h = await harness();
    await h.records.putDoor(makeDoor('front-door', { pulseMs: 2500 }));
    await h.records.putPerson(makePerson('person-alice', { name: 'Alice' }));
  });

  it('grants an enrolled, active person: unlock command, snapshot in S3, audit event in DynamoDB', async () => {
    h.setRekognition(matchFor('person-alice', 99.6));
    const outcome = await h.lambda(frameEvent('front-door'));
    expect(outcome).toMatchObject({ status: 'decided', result: 'granted', reason: 'match', personId: 'person-alice' });

    // Fusion needs the runners-up too: the search asks for candidates below the threshold.
    expect(h.rekognition[0]!.json).toMatchObject({ CollectionId: 'facegate-test', FaceMatchThreshold: 0 });
    const [sent] = commandsOf(h);
    expect(sent?.topic).toBe('facegate/local/doors/front-door/commands');
    expect(sent?.command).toMatchObject({
      type: 'unlock',
      doorId: 'front-door',
      pulseMs: 2500,
      source: 'face',
      issuedAt: NOW,
    });

    const { events } = await h.records.listEvents({ doorId: 'front-door' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'access',
      result: 'granted',
      personId: 'person-alice',
      personName: 'Alice',
    });
    expect(events[0]!.score).toBeCloseTo(0.996, 6);
    const snapshot = await h.images.get(events[0]!.snapshotKey!);
    expect(snapshot?.bytes.equals(jpeg)).toBe(true);
    expect(metricTotals(h.metrics)).toEqual({ AccessGranted: 1 });
  });

  it('denies below the 0.99 threshold and for an unknown face', async () => {
    h.setRekognition({ body: { SearchedFaceBoundingBox: { Left: 0, Top: 0, Width: 1, Height: 1 }, FaceMatches: [] } });
    expect(await h.lambda(frameEvent('front-door'))).toMatchObject({
      status: 'decided',
      result: 'denied',
      reason: 'unknown',
    });
    expect(commandsOf(h).map((c) => c.command.type)).toEqual(['deny']);
  });

  it('rejects a frame whose payload names another door than its topic, and sends nothing', async () => {
    h.setRekognition(matchFor('person-alice', 99.9));
    const forged = { ...frameEvent('front-door', { doorId: 'back-door' }) };
    expect(await h.lambda(forged)).toMatchObject({ status: 'rejected' });
    expect(await h.lambda({ ...frameEvent('front-door'), topicDoorId: undefined })).toMatchObject({
      status: 'rejected',
    });
    expect(await h.lambda('not an object')).toMatchObject({ status: 'rejected' });
    expect(h.published).toHaveLength(0);
    expect(h.rekognition).toHaveLength(0);
    // Only the forgery is worth an admin's eye: one door event for the (authentic) topic's door.
    const { events } = await h.records.listEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'door_event', doorId: 'front-door', personId: null });
    expect(events[0]!.detail).toMatch(/does not match the topic's door/);
    // Bad door input is counted, never thrown: Lambda's error metric is for the infrastructure.
    expect(metricTotals(h.metrics)).toEqual({ FramesRejected: 3 });
  });

  it('answers a visit once on DynamoDB: later frames are not searched; the sweeper closes an unfinished visit', async () => {
    h.setRekognition(matchFor('person-alice', 99.6));
    const visit = (id: string, seq: number, last: boolean) =>
      frameEvent('front-door', { visit: { id, seq, startedAt: NOW - 500, last } });
    expect(await h.lambda(visit('visit-aws-00001', 0, false))).toMatchObject({ status: 'decided', result: 'granted' });
    expect(await h.lambda(visit('visit-aws-00001', 1, true))).toMatchObject({ status: 'already_decided' });
    expect(h.rekognition).toHaveLength(1);

    h.setRekognition({ body: { SearchedFaceBoundingBox: { Left: 0, Top: 0, Width: 1, Height: 1 }, FaceMatches: [] } });
    expect(await h.lambda(visit('visit-aws-00002', 0, false))).toMatchObject({ status: 'waiting' });
    expect(await h.sweep()).toEqual({ decided: 0, closed: 0, failed: 0 });
    now += 10_000;
    expect(await h.sweep()).toEqual({ decided: 1, closed: 0, failed: 0 });
    expect(await h.sweep()).toEqual({ decided: 0, closed: 0, failed: 0 });
    expect(commandsOf(h).map((c) => c.command.type)).toEqual(['unlock', 'deny']);
    expect(commandsOf(h)[1]!.command.visitId).toBe('visit-aws-00002');
    const { events } = await h.records.listEvents({ doorId: 'front-door' });
    expect(events.map((e) => e.result).sort()).toEqual(['denied', 'granted']);
    // Only the snapshots the two rows point at remain.
    const keys = (await h.images.list('snapshots/')).sort();
    expect(keys).toEqual(events.map((e) => e.snapshotKey).sort());
  });

  it('fails secure when Rekognition fails, then throws so Lambda counts the error: no command, no event', async () => {
    h.setRekognition(awsError('InternalServerError', 'boom', 500));
    const err = await h.lambda(frameEvent('front-door')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureFailure);
    expect((err as InfrastructureFailure).failures.map((f) => `${f.port}.${f.operation}`)).toEqual([
      'faceIndex.search',
    ]);
    expect(h.published).toHaveLength(0);
    expect((await h.records.listEvents()).events).toEqual([]);
    expect(metricTotals(h.metrics)).toEqual({ FaceSearchFailures: 1, FramesRejected: 1 });

    h.setRekognition(awsError('ProvisionedThroughputExceededException', 'slow down', 400));
    await expect(h.lambda(frameEvent('front-door'))).rejects.toBeInstanceOf(InfrastructureFailure);
    expect(metricTotals(h.metrics)).toMatchObject({ FaceSearchFailures: 2, ThrottledCalls: 1 });
  });

  it('throws when the audit log cannot be written (DynamoDB), after sending the decision to the door', async () => {
    const broken = await harness({ brokenTables: true });
    await broken.records.putDoor(makeDoor('front-door'));
    await broken.records.putPerson(makePerson('person-alice', { name: 'Alice' }));
    broken.setRekognition(matchFor('person-alice', 99.6));
    const err = await broken.lambda(frameEvent('front-door')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureFailure);
    expect((err as InfrastructureFailure).failures.map((f) => `${f.port}.${f.operation}`)).toEqual([
      'records.appendEvent',
    ]);
    expect(commandsOf(broken).map((c) => c.command.type)).toEqual(['unlock']);
    expect(metricTotals(broken.metrics)).toEqual({ RecordsFailures: 1, FramesRejected: 1 });
  });
});

describe('door-telemetry Lambda', () => {
  it('applies status, events and presence from the IoT rules to DynamoDB, and rejects anything else', async () => {
    const tables = await dynamo.createTables(`d${randomUUID().slice(0, 8)}`);
    const records = new DynamoRecords({
      client: dynamo.client,
      tables,
      eventRetentionDays: null,
      logger: silentLogger(),
    });
    await records.putDoor(makeDoor('front-door'));
    const lines: Record<string, unknown>[] = [];
    const lambda = createDoorTelemetryLambda(
      { records, logger: silentLogger(), clock: () => NOW },
      { site: 'test', metrics: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );

    const status = {
      v: 2,
      doorId: 'front-door',
      online: true,
      lock: 'locked',
      agentVersion: '1.4.0',
      at: NOW,
      topicDoorId: 'front-door',
      topicChannel: 'status',
    };
    expect(await lambda(status)).toEqual({ status: 'applied' });
    expect(await records.getDoor('front-door')).toMatchObject({
      online: true,
      lock: 'locked',
      agentVersion: '1.4.0',
      lastSeenAt: NOW,
    });

    const event = {
      v: 2,
      doorId: 'front-door',
      eventId: 'event-00000001',
      type: 'door_opened',
      at: NOW,
      topicDoorId: 'front-door',
      topicChannel: 'events',
    };
    expect(await lambda(event)).toEqual({ status: 'applied' });
    expect((await records.listEvents({ kind: 'door_event' })).events.map((e) => e.detail)).toEqual(['door_opened']);

    // `SELECT *, topic(5) AS topicDoorId, 'presence' AS topicChannel FROM '$aws/events/presence/+/+'`
    const presence = {
      clientId: 'front-door',
      eventType: 'disconnected',
      timestamp: NOW,
      topicDoorId: 'front-door',
      topicChannel: 'presence',
    };
    expect(await lambda(presence)).toEqual({ status: 'applied' });
    expect(await records.getDoor('front-door')).toMatchObject({ online: false, lock: 'unknown' });

    expect(await lambda({ ...status, topicChannel: 'frames' })).toMatchObject({ status: 'rejected' });
    expect(await lambda({ ...status, doorId: 'back-door' })).toMatchObject({ status: 'rejected' });
    expect(await lambda({ ...presence, eventType: 'subscribed' })).toMatchObject({ status: 'rejected' });
    expect(await lambda({ ...status, topicDoorId: 'ghost-door', doorId: 'ghost-door' })).toMatchObject({
      status: 'rejected',
    });
    expect(await records.getDoor('ghost-door')).toBeNull();
    expect(metricTotals(lines)).toEqual({ TelemetryApplied: 3, DoorDisconnects: 1, TelemetryRejected: 4 });
  });

  it('throws when DynamoDB fails, so Lambda retries and dead-letters instead of losing the event', async () => {
    const tables = await dynamo.createTables(`b${randomUUID().slice(0, 8)}`);
    const good = new DynamoRecords({ client: dynamo.client, tables, eventRetentionDays: null, logger: silentLogger() });
    await good.putDoor(makeDoor('front-door'));
    const records = new DynamoRecords({
      client: dynamo.client,
      tables: { ...tables, events: `${tables.events}-missing` },
      eventRetentionDays: null,
      logger: silentLogger(),
    });
    const lines: Record<string, unknown>[] = [];
    const lambda = createDoorTelemetryLambda(
      { records, logger: silentLogger(), clock: () => NOW },
      { site: 'test', metrics: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const event = {
      v: 2,
      doorId: 'front-door',
      eventId: 'event-00000002',
      type: 'door_opened',
      at: NOW,
      topicDoorId: 'front-door',
      topicChannel: 'events',
    };
    await expect(lambda(event)).rejects.toBeInstanceOf(InfrastructureFailure);
    expect(metricTotals(lines)).toEqual({ RecordsFailures: 1, TelemetryRejected: 1 });
  });
});

describe('Lambda environment', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    FACEGATE_TABLE_PEOPLE: 'p',
    FACEGATE_TABLE_FACES: 'f',
    FACEGATE_TABLE_DOORS: 'd',
    FACEGATE_TABLE_EVENTS: 'e',
    FACEGATE_BUCKET: 'b',
    FACEGATE_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/k',
    FACEGATE_COLLECTION_ID: 'c',
  };

  it('reads a complete configuration with defaults', () => {
    expect(readRecognizeConfig(env)).toEqual({
      region: 'eu-west-1',
      siteId: 'local',
      tables: { people: 'p', faces: 'f', doors: 'd', events: 'e' },
      eventRetentionDays: null,
      bucket: 'b',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      collectionId: 'c',
      matchThreshold: 0.99,
      iotDataEndpoint: null,
      maxFrameAgeMs: 5000,
    });
    expect(readRecordsConfig({ ...env, FACEGATE_EVENT_RETENTION_DAYS: '365' }).eventRetentionDays).toBe(365);
    expect(readVisitsConfig({ ...env, FACEGATE_TABLE_VISITS: 'v' }).visitsTable).toBe('v');
    expect(() => readVisitsConfig(env)).toThrow(/FACEGATE_TABLE_VISITS must be set/);
  });

  it('names the variable that is missing or malformed', () => {
    const { FACEGATE_BUCKET: _omit, ...noBucket } = env;
    expect(() => readRecognizeConfig(noBucket)).toThrow(/FACEGATE_BUCKET must be set/);
    expect(() => readRecognizeConfig({ ...env, FACEGATE_MATCH_THRESHOLD: '99' })).toThrow(/FACEGATE_MATCH_THRESHOLD/);
    expect(() => readRecognizeConfig({ ...env, FACEGATE_IOT_DATA_ENDPOINT: 'https://x/y' })).toThrow(
      /FACEGATE_IOT_DATA_ENDPOINT/,
    );
    expect(() => readRecordsConfig({ ...env, FACEGATE_EVENT_RETENTION_DAYS: '-1' })).toThrow(
      /FACEGATE_EVENT_RETENTION_DAYS/,
    );
  });
});

describe('IoT Data Plane endpoint of the Lambdas and the admin host', () => {
  const ats = 'abc123-ats.iot.eu-west-1.amazonaws.com';
  const neverAsked = () => {
    throw new Error('IoT DescribeEndpoint must not be called');
  };
  const endpointOf = async (client: IoTDataPlaneClient) => {
    const e = await (client.config.endpoint as () => Promise<{ protocol: string; hostname: string; port?: number }>)();
    return `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}`;
  };

  it("uses the SDK's endpoint variable when one is set, ahead of the configured ATS host", async () => {
    const env = { AWS_ENDPOINT_URL_IOT_DATA_PLANE: 'http://127.0.0.1:4567' };
    expect(iotDataEndpointFromSdkEnv(env)).toBe('http://127.0.0.1:4567');
    expect(iotDataEndpointFromSdkEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' })).toBe('http://127.0.0.1:1');
    const client = await createIotDataClient('eu-west-1', ats, neverAsked, env);
    expect(await endpointOf(client)).toBe('http://127.0.0.1:4567');
    client.destroy();
  });

  it('uses the configured ATS host otherwise, and when the SDK is told to ignore endpoint variables', async () => {
    const ignored = {
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: 'http://127.0.0.1:4567',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    };
    expect(iotDataEndpointFromSdkEnv(ignored)).toBeNull();
    for (const env of [{}, ignored]) {
      const client = await createIotDataClient('eu-west-1', ats, neverAsked, env);
      expect(await endpointOf(client)).toBe(`https://${ats}`);
      client.destroy();
    }
  });

  it('asks IoT for the ATS host when none is configured', async () => {
    const iot = fakeAwsHttp(() => ({ body: { endpointAddress: ats } }));
    const client = await createIotDataClient(
      'eu-west-1',
      null,
      () => new IoTClient({ ...fakeClientConfig, requestHandler: iot.requestHandler }),
      {},
    );
    expect(await endpointOf(client)).toBe(`https://${ats}`);
    expect(iot.requests.map((r) => r.path)).toEqual(['/endpoint']);
    client.destroy();
  });
});
