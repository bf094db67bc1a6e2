/** The admin host's AWS backend: configuration, the adapters it opens, and the door state poller on dynalite. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DoorStatePoller } from '../../cloud/src/adapters/aws/door-state-poller.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import { TABLE_ROLES, type TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { IotDoorProvisioner } from '../../cloud/src/adapters/aws/iot-door-provisioner.js';
import { RekognitionFaceIndex } from '../../cloud/src/adapters/aws/rekognition-face-index.js';
import { openAwsBackend } from '../../cloud/src/lambda/aws-backend.js';
import { readAdminHostConfig } from '../../cloud/src/lambda/env.js';
import type { Door } from '../../cloud/src/domain/types.js';
import { makeDoor } from '../support/records.js';
import { startDynalite, type LocalDynamo } from './local-aws.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const hostEnv = {
  AWS_REGION: 'eu-west-1',
  FACEGATE_TABLE_PEOPLE: 'p',
  FACEGATE_TABLE_FACES: 'f',
  FACEGATE_TABLE_DOORS: 'd',
  FACEGATE_TABLE_EVENTS: 'e',
  FACEGATE_BUCKET: 'b',
  FACEGATE_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/k',
  FACEGATE_COLLECTION_ID: 'facegate-main',
  FACEGATE_IOT_DATA_ENDPOINT: 'abc123-ats.iot.eu-west-1.amazonaws.com',
  FACEGATE_IOT_POLICY_NAME: 'facegate-main-door',
  FACEGATE_TABLE_ADMINS: 'facegate-main-admins',
  FACEGATE_ONE_TIME_PASSWORD_PREFIX: '/facegate/main/admin/one-time-password/',
  FACEGATE_MATCH_THRESHOLD: '0.995',
};

describe('admin host configuration and backend', () => {
  it('reads the host environment the stack writes, and names what is missing', () => {
    expect(readAdminHostConfig(hostEnv)).toMatchObject({
      iotPolicyName: 'facegate-main-door',
      collectionId: 'facegate-main',
      matchThreshold: 0.995,
    });
    const { FACEGATE_IOT_POLICY_NAME: _omit, ...noPolicy } = hostEnv;
    expect(() => readAdminHostConfig(noPolicy)).toThrow(/FACEGATE_IOT_POLICY_NAME must be set/);
  });

  it('opens every adapter from the configuration without calling AWS, and closes cleanly', async () => {
    const backend = await openAwsBackend(readAdminHostConfig(hostEnv), silentLogger());
    expect(backend.records).toBeInstanceOf(DynamoRecords);
    expect(backend.faceIndex).toBeInstanceOf(RekognitionFaceIndex);
    expect(backend.faceIndex.threshold).toBe(0.995);
    expect(backend.provisioner).toBeInstanceOf(IotDoorProvisioner);
    await backend.close();
  });
});

describe('DoorStatePoller', () => {
  it('publishes exactly the doors whose state changed in DynamoDB since the last poll', async () => {
    const tables = await dynamo.createTables(`p${randomUUID().slice(0, 8)}`);
    const records = new DynamoRecords({
      client: dynamo.client,
      tables,
      eventRetentionDays: null,
      logger: silentLogger(),
    });
    await records.putDoor(makeDoor('front-door'));
    await records.putDoor(makeDoor('lab'));
    const published: Door[] = [];
    const poller = new DoorStatePoller({
      records,
      publish: (d) => published.push(d),
      intervalMs: 1000,
      logger: silentLogger(),
    });

    expect(await poller.pollOnce()).toEqual([]); // baseline
    await records.updateDoorState('lab', { online: true, lock: 'locked', lastSeenAt: 42 });
    const changed = await poller.pollOnce();
    expect(changed.map((d) => [d.doorId, d.online, d.lock])).toEqual([['lab', true, 'locked']]);
    expect(published).toEqual(changed);
    expect(await poller.pollOnce()).toEqual([]);

    await records.putDoor(makeDoor('new-door'));
    expect((await poller.pollOnce()).map((d) => d.doorId)).toEqual(['new-door']);
  });

  it('a failed read rejects that poll only; a throwing listener does not stop the poll', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    const tables = Object.fromEntries(TABLE_ROLES.map((role) => [role, `${prefix}-${role}`])) as TableNames;
    const records = new DynamoRecords({
      client: dynamo.client,
      tables,
      eventRetentionDays: null,
      logger: silentLogger(),
    });
    const poller = new DoorStatePoller({
      records,
      publish: () => {
        throw new Error('listener bug');
      },
      intervalMs: 1000,
      logger: silentLogger(),
    });
    await expect(poller.pollOnce()).rejects.toMatchObject({ code: 'upstream' }); // tables not there yet
    await dynamo.createTables(prefix);
    await records.putDoor(makeDoor('front-door'));
    expect(await poller.pollOnce()).toEqual([]);
    await records.updateDoorState('front-door', { online: true });
    expect((await poller.pollOnce()).map((d) => d.online)).toEqual([true]);
  });
});
