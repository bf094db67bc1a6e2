/**
 * The whole door loop on the AWS path, offline (issue 8 item 7). What runs in AWS runs here
 * unmodified, configured only through the environment the stack writes plus the SDK's standard
 * endpoint variables; what IoT Core does is played by stand-ins on the local broker:
 *
 *   door agent (from its config: folder camera, simulated relay, a door contact on a GPIO line the
 *   test drives) ──mutual TLS──▶ aedes broker
 *     (site `hq`, per-door topic rules, like IoT Core's policy)
 *   ──▶ "IoT rules" (support/iot-rule-bridge.ts: the stack's own rule SQL, infra/lib/door-iot.ts)
 *   ──▶ the recognition and telemetry Lambdas' handlers (cloud/src/lambda/*, composition roots as
 *       deployed) on rekognition-local, dynalite and s3rver
 *   ──▶ IoT Data Plane Publish, signed by the real SDK client (support/iot-data-endpoint.ts checks
 *       the signature and publishes on the broker) ──▶ the door's commands topic ──▶ the relay.
 *
 * The person is enrolled and the door created through the admin host's own back end
 * (openAwsBackend + createServices, as serve-aws builds them); only the door's certificate comes
 * from the local CA (LocalDoorProvisioner) where IoT would issue it. Photos are read from
 * ../shared/faces/dev at run time; without them this file skips (CI fails instead, see
 * test/support/photo-set.global.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateCollectionCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DoorCommand, doorTopic } from '../../protocol/index.js';
import { ruleSql } from '../../infra/lib/door-iot.js';
import { writeDoorBundle } from '../../cli/door-bundle.js';
import { createAgentFromConfig, type AgentRuntime } from '../../agent/src/create-agent-from-config.js';
import type { SimulatedRelay } from '../../agent/src/relay/simulated-relay.js';
import { createServices } from '../../cloud/src/app/create-services.js';
import { createDoorChangeFeed } from '../../cloud/src/app/door-change-feed.js';
import type { FacegateServices } from '../../cloud/src/app/services.js';
import { LocalDoorProvisioner } from '../../cloud/src/adapters/local/ca/local-door-provisioner.js';
import {
  startRekognitionLocal,
  type RekognitionLocal,
} from '../../cloud/src/adapters/local/rekognition-local/index.js';
import type { TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { openAwsBackend, type AwsBackend } from '../../cloud/src/lambda/aws-backend.js';
import { readAdminHostConfig } from '../../cloud/src/lambda/env.js';
import { systemClock } from '../../cloud/src/ports/clock.js';
import { drivenLine, fakeGpioSysfs } from '../agent/support/driven-gpio.js';
import { startLocalBrokerFixture, type LocalBrokerFixture } from '../support/broker-fixture.js';
import { DEV_DIR, HAVE_FACES, SKIP_REASON } from '../face/faces-dataset.js';
import { envPatch } from '../support/env-patch.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { startDynalite, startS3rver, type LocalDynamo, type LocalS3 } from './local-aws.js';
import { startIotDataEndpoint, type IotDataEndpoint } from './support/iot-data-endpoint.js';
import { startIotRuleBridge, type IotRuleBridge } from './support/iot-rule-bridge.js';

const SITE = 'hq';
const DOOR = 'front-door';
const REGION = 'eu-west-1';
const BUCKET = 'facegate-door-loop';
const COLLECTION = 'facegate-hq-faces';
/** s3rver checks signatures against its built-in account; dynalite and rekognition-local take any. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const ENROLLED = 'Alan_Greenspan';
const STRANGER = 'Abdel_Madi_Shabneh'; // one photo in the set: never enrolled anywhere
const devPhoto = (person: string, n: number) => path.join(DEV_DIR, person, `${n}.jpg`);
const ACTOR = { name: 'test' };

/** The environment infra/lib/lambdas.ts gives the Lambdas (and admin-host.ts the admin host), on the stand-ins. */
function stackEnv(t: TableNames, urls: { dynamo: string; s3: string; rekognition: string; iotData: string }) {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamo,
    AWS_ENDPOINT_URL_S3: urls.s3,
    AWS_ENDPOINT_URL_REKOGNITION: urls.rekognition,
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: urls.iotData,
    // Nothing here may reach IoT's control plane (DescribeEndpoint, CreateThing): a closed port.
    AWS_ENDPOINT_URL_IOT: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
    FACEGATE_SITE: SITE,
    FACEGATE_TABLE_PEOPLE: t.people,
    FACEGATE_TABLE_FACES: t.faces,
    FACEGATE_TABLE_DOORS: t.doors,
    FACEGATE_TABLE_EVENTS: t.events,
    FACEGATE_TABLE_VISITS: t.visits,
    FACEGATE_TABLE_BUDGETS: t.budgets,
    FACEGATE_TABLE_ADMINS: t.admins,
    FACEGATE_BUCKET: BUCKET,
    FACEGATE_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
    FACEGATE_COLLECTION_ID: COLLECTION,
    FACEGATE_MATCH_THRESHOLD: undefined,
    FACEGATE_IOT_DATA_ENDPOINT: undefined,
    FACEGATE_EVENT_RETENTION_DAYS: undefined,
    // The stack's default is 5 s; on these shared cores the door's face gate alone can take seconds.
    FACEGATE_MAX_FRAME_AGE_MS: '20000',
    FACEGATE_SEARCH_BURST: undefined,
    FACEGATE_SEARCH_PER_SECOND: undefined,
    FACEGATE_IOT_POLICY_NAME: 'facegate-hq-door',
    FACEGATE_ONE_TIME_PASSWORD_PREFIX: '/facegate/hq/admin/one-time-password/',
    // The Lambdas' root loggers write JSON to stdout; only trouble is worth reading here.
    FACEGATE_LOG_LEVEL: 'warn',
  };
}

const unlocks = (relay: SimulatedRelay) => relay.history.filter((h) => h.state === 'unlocked').length;

describe.skipIf(!HAVE_FACES)(
  `door loop on the AWS adapters, offline (${HAVE_FACES ? 'photos found' : SKIP_REASON})`,
  () => {
    const env = envPatch();
    const logger = silentLogger();
    let root: string;
    let rekognition: RekognitionLocal;
    let dynamo: LocalDynamo;
    let s3: LocalS3;
    let broker: LocalBrokerFixture;
    let iotData: IotDataEndpoint;
    let bridge: IotRuleBridge;
    let admin: AwsBackend;
    let services: FacegateServices;
    let door: AgentRuntime;
    let relay: SimulatedRelay;
    let cameraDir: string;
    /** The door contact's input: 1 = open (openWhen high). */
    const contactLine = drivenLine(0);
    let personId: string;
    let shown = 0;

    /** The person steps up to the door: a new photo in the camera folder, once the previous visit ended. */
    async function show(file: string): Promise<void> {
      await waitFor('the previous visit to end', () => {
        const { visits, visitEnds } = door.agent.state.frames;
        return visitEnds >= visits;
      });
      fs.copyFileSync(file, path.join(cameraDir, `visit-${++shown}.jpg`));
    }

    /** Stops a wait at once when a Lambda failed or a Publish was refused: the wait could only time out. */
    function failFast(): void {
      const failed = bridge.invocations.find((i) => i.state === 'failed');
      if (failed) throw new Error(`the ${failed.rule} Lambda failed: ${String(failed.error)}`);
      if (iotData.refused.length > 0)
        throw new Error(`IoT Data Plane refused a Publish: ${iotData.refused.join('; ')}`);
    }

    /** Waits until the door's visit ended and every Lambda invocation it caused has returned. */
    async function settled(): Promise<void> {
      await waitFor('the visit to end and the Lambdas to return', () => {
        failFast();
        const { visits, visitEnds } = door.agent.state.frames;
        return visitEnds >= visits && bridge.running() === 0;
      });
    }

    const commandsSent = () =>
      iotData.published.map((m) => ({ topic: m.topic, command: DoorCommand.parse(JSON.parse(m.payload.toString())) }));

    beforeAll(async () => {
      root = makeTempDir('aws-door-loop');
      [rekognition, dynamo, s3, broker] = await Promise.all([
        startRekognitionLocal({ port: 0, dataKey: randomBytes(32), logger }),
        startDynalite(),
        startS3rver(),
        startLocalBrokerFixture(logger, { siteId: SITE }),
      ]);
      iotData = await startIotDataEndpoint({
        mqtt: broker.backendClientOptions('iot-data-plane'),
        credentials: CREDENTIALS,
        region: REGION,
      });
      const tables = await dynamo.createTables(`loop${randomUUID().slice(0, 8)}`);
      await s3.createBucket(BUCKET);
      // The stack creates the collection (AWS::Rekognition::Collection).
      const rekClient = new RekognitionClient({ region: REGION, credentials: CREDENTIALS, endpoint: rekognition.url });
      await rekClient.send(new CreateCollectionCommand({ CollectionId: COLLECTION }));
      rekClient.destroy();
      env.set(stackEnv(tables, { dynamo: dynamo.url, s3: s3.url, rekognition: rekognition.url, iotData: iotData.url }));

      // The Lambdas' modules, loaded as Lambda loads them: after the environment is in place.
      const recognizeFrame = await import('../../cloud/src/lambda/recognize-frame.js');
      const doorTelemetry = await import('../../cloud/src/lambda/door-telemetry.js');
      const sql = ruleSql(SITE);
      bridge = await startIotRuleBridge({
        mqtt: broker.backendClientOptions('iot-rules'),
        rules: [
          { name: 'frames', sql: sql.frames, invoke: recognizeFrame.handler },
          { name: 'status', sql: sql.status, invoke: doorTelemetry.handler },
          { name: 'events', sql: sql.events, invoke: doorTelemetry.handler },
        ],
      });

      // The admin host's back end: enrol a person, create the door.
      admin = await openAwsBackend(readAdminHostConfig(), logger);
      services = createServices({
        records: admin.records,
        faceIndex: admin.faceIndex,
        images: admin.images,
        messaging: admin.messaging,
        provisioner: new LocalDoorProvisioner(broker.ca, { siteId: SITE, host: '127.0.0.1', port: broker.port }),
        clock: systemClock,
        logger,
        doorFeed: createDoorChangeFeed(logger),
      });
      const person = await services.people.create({ name: 'Alan Greenspan' }, ACTOR);
      personId = person.personId;
      const enrolled = await services.enrollment.enroll(personId, [fs.readFileSync(devPhoto(ENROLLED, 1))], ACTOR);
      expect(enrolled[0]?.faceId).toBeTruthy();

      const { bundle } = await services.doors.create({ doorId: DOOR, name: 'Front door', pulseMs: 500 }, ACTOR);
      const doorDir = path.join(root, DOOR);
      cameraDir = path.join(doorDir, 'camera');
      fs.mkdirSync(cameraDir, { recursive: true });
      const configFile = writeDoorBundle(doorDir, bundle, {
        camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: 100 },
        relay: { type: 'simulated' },
        contact: { type: 'gpio', pin: 27, openWhen: 'high', debounceMs: 0 },
      });
      const sysfsRoot = path.join(root, 'gpio');
      fakeGpioSysfs(sysfsRoot);
      door = await createAgentFromConfig(configFile, logger, {
        gpioInputs: { sysfsRoot, inputFactory: contactLine.factory },
      });
      relay = door.relay as SimulatedRelay;
      await door.agent.start();
      await waitFor('door connected to the broker', () => door.agent.state.connected);
    });

    afterAll(async () => {
      // Rules off first, and the Lambdas done, so no invocation outlives the servers it calls.
      await bridge?.close();
      if (bridge) await waitFor('the last Lambda invocations', () => bridge.running() === 0).catch(() => undefined);
      await door?.stop();
      await admin?.close();
      await Promise.all([iotData?.close(), rekognition?.close(), dynamo?.stop(), s3?.stop()]);
      await broker?.close();
      env.restore();
      if (root) removeDir(root);
    });

    it('the door connects with its certificate and its status reaches DynamoDB through the status rule and the telemetry Lambda', async () => {
      const record = await waitFor('door online and locked in DynamoDB', async () => {
        const d = await services.doors.get(DOOR);
        return d?.online && d.lock === 'locked' ? d : null;
      });
      expect(record.agentVersion).toMatch(/\d+\.\d+\.\d+/);
      // The handler's write lands in DynamoDB a moment before its promise settles in the bridge:
      // wait for the invocation itself rather than assume the order.
      const status = await waitFor('the status rule invocation to return', () =>
        bridge.invocations.find((i) => i.rule === 'status' && i.state !== 'running'),
      );
      expect(status?.topic).toBe(doorTopic(SITE, DOOR, 'status'));
      // What IoT Core's rule adds to the door's message: the door id and channel from the topic.
      expect(status?.event).toMatchObject({ topicDoorId: DOOR, topicChannel: 'status', doorId: DOOR });
      expect(status?.outcome).toEqual({ status: 'applied' });
    });

    it('an enrolled person is recognised from another photo: unlock published, relay energised, one audit row, snapshot in S3', async () => {
      const before = unlocks(relay);
      await show(devPhoto(ENROLLED, 3));
      await waitFor(
        'relay energised by the unlock command',
        () => {
          failFast();
          return unlocks(relay) > before;
        },
        60_000,
      );
      await settled();

      const { events } = await admin.records.listEvents({ doorId: DOOR, kind: 'access' });
      expect(events).toHaveLength(1);
      const row = events[0]!;
      expect(row).toMatchObject({ result: 'granted', reason: 'match', personId, personName: 'Alan Greenspan' });
      expect(row.snapshotKey).toMatch(/^snapshots\/front-door\//);
      const snapshot = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: row.snapshotKey! }));
      const jpeg = Buffer.from(await snapshot.Body!.transformToByteArray());
      expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

      // The frame reached the recognition Lambda as the frames rule selects it: no channel column.
      const frames = bridge.invocations.filter((i) => i.rule === 'frames');
      expect(frames.length).toBeGreaterThan(0);
      expect(frames[0]!.topic).toBe(doorTopic(SITE, DOOR, 'frames'));
      expect(frames[0]!.event).toMatchObject({ topicDoorId: DOOR, doorId: DOOR, type: 'frame' });
      expect(frames[0]!.event).not.toHaveProperty('topicChannel');
      expect(frames.map((i) => i.state)).not.toContain('failed');
      // One decision went out, signed by the Lambda's SDK client, on this door's commands topic.
      expect(iotData.refused).toEqual([]);
      expect(commandsSent()).toEqual([
        {
          topic: doorTopic(SITE, DOOR, 'commands'),
          command: expect.objectContaining({ type: 'unlock', doorId: DOOR }),
        },
      ]);
      expect(commandsSent()[0]!.command.decisionId).toBe(row.decisionId);
      expect(door.agent.state.commands.unlocked).toBe(1);
      await waitFor('relock after the pulse', () => relay.state === 'locked');
    });

    it("the agent's unlocked event reaches the telemetry Lambda through the events rule and is stored, backed by the grant", async () => {
      const grant = (await admin.records.listEvents({ doorId: DOOR, kind: 'access' })).events[0]!;
      const stored = await waitFor('the unlocked door event in DynamoDB', async () => {
        const { events } = await admin.records.listEvents({ doorId: DOOR, kind: 'door_event' });
        return events.find((e) => e.decisionId === grant.decisionId);
      });
      expect(stored.detail).toMatch(/^unlocked/); // not flagged as an unlock no decision backs
      const invocation = await waitFor('the events rule invocation to return', () =>
        bridge.invocations.find((i) => i.rule === 'events' && i.event.type === 'unlocked' && i.state !== 'running'),
      );
      expect(invocation?.event).toMatchObject({ topicDoorId: DOOR, topicChannel: 'events', source: 'face' });
      expect(invocation?.outcome).toEqual({ status: 'applied' });
    });

    it('a stranger is denied: the deny command reaches the door, the relay stays de-energised, a denied row', async () => {
      const before = unlocks(relay);
      const denied = door.agent.state.commands.denied;
      await show(devPhoto(STRANGER, 1));
      await waitFor(
        'the deny command at the door',
        () => {
          failFast();
          return door.agent.state.commands.denied > denied;
        },
        60_000,
      );
      await settled();
      const { events } = await admin.records.listEvents({ doorId: DOOR, kind: 'access', result: 'denied' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ reason: 'unknown', personId: null });
      expect(commandsSent().map((c) => c.command.type)).toEqual(['unlock', 'deny']);
      expect(unlocks(relay)).toBe(before);
      expect(relay.state).toBe('locked');
    });

    it('the door forced open: the contact event reaches the telemetry Lambda, which raises the alarm in DynamoDB; closing clears it', async () => {
      expect(relay.state).toBe('locked');
      contactLine.set(1); // opened with no unlock granted
      const forced = await waitFor('the forced-open door event in DynamoDB', async () => {
        failFast();
        const { events } = await admin.records.listEvents({ doorId: DOOR, kind: 'door_event' });
        return events.find((e) => e.detail?.startsWith('door_forced_open'));
      });
      expect(forced.personId).toBeNull();
      const alarmed = await services.doors.get(DOOR);
      expect(alarmed).toMatchObject({ alarm: 'forced_open' });
      const invocation = bridge.invocations.find((i) => i.rule === 'events' && i.event.type === 'door_forced_open');
      expect(invocation?.event).toMatchObject({ topicDoorId: DOOR, topicChannel: 'events' });

      contactLine.set(0);
      await waitFor('the alarm cleared in DynamoDB', async () => {
        failFast();
        const d = await services.doors.get(DOOR);
        return d?.alarm === null ? d : null;
      });
      expect(unlocks(relay)).toBe(1); // only the enrolled person's grant ever moved the relay
    });
  },
);
