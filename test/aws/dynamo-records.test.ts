/** DynamoRecords on a real dynalite server, with tables built from the same description the CDK uses. */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import type { TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { recordsContract } from '../contracts/records.contract.js';
import { DEFAULT_DOOR_WIRING } from '../../cloud/src/domain/door-wiring.js';
import { makeDoor, makeEvent, makePerson } from '../support/records.js';
import { startDynalite, type LocalDynamo } from './local-aws.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

async function openRecords(
  eventRetentionDays: number | null = null,
): Promise<{ records: DynamoRecords; tables: TableNames }> {
  const tables = await dynamo.createTables(`t${randomUUID().slice(0, 8)}`);
  return {
    records: new DynamoRecords({ client: dynamo.client, tables, eventRetentionDays, logger: silentLogger() }),
    tables,
  };
}

recordsContract('DynamoRecords (dynalite)', async () => {
  const { records } = await openRecords();
  return { records, close: () => records.close() };
});

describe('DynamoRecords specifics', () => {
  let records: DynamoRecords;
  let tables: TableNames;
  beforeEach(async () => {
    ({ records, tables } = await openRecords(30));
  });

  it('stamps events with the TTL attribute from the retention period (epoch seconds)', async () => {
    const at = 1_767_225_600_123;
    await records.appendEvent(makeEvent('event-ttl', { at }));
    const raw = await dynamo.client.send(
      new GetItemCommand({ TableName: tables.events, Key: { feed: { S: 'all' }, atId: { S: `00${at}#event-ttl` } } }),
    );
    expect(raw.Item?.expiresAtSec?.N).toBe(String(Math.ceil(at / 1000) + 30 * 86_400));
  });

  it('keeps events forever when no retention is set', async () => {
    const { records: keepForever, tables: t } = await openRecords(null);
    await keepForever.appendEvent(makeEvent('event-keep', { at: 1000 }));
    const raw = await dynamo.client.send(
      new GetItemCommand({
        TableName: t.events,
        Key: { feed: { S: 'all' }, atId: { S: '000000000001000#event-keep' } },
      }),
    );
    expect(raw.Item).toBeDefined();
    expect(raw.Item?.expiresAtSec).toBeUndefined();
  });

  it('refuses a cursor made for another filter with InvalidInputError', async () => {
    for (let i = 0; i < 3; i++) await records.appendEvent(makeEvent(`event-${i}`, { at: 1000 + i }));
    const page = await records.listEvents({ limit: 1 });
    expect(page.cursor).not.toBeNull();
    await expect(records.listEvents({ doorId: 'front-door', cursor: page.cursor! })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('refuses a malformed filter with InvalidInputError and reads nothing', async () => {
    await expect(records.listEvents({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(records.listEvents({ kind: 'nonsense' as never })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('refuses an orphan face', async () => {
    await expect(
      records.addFace({ faceId: 'face-x', personId: 'nobody', photoKey: 'photos/nobody/x.jpg', createdAt: 1 }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await records.getFace('face-x')).toBeNull();
  });

  it('reports a row that is not FaceGate-shaped instead of passing it on', async () => {
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tables.people,
        Item: { personId: { S: 'person-bad' }, name: { S: 'X' }, status: { S: 'superuser' } },
      }),
    );
    await expect(records.getPerson('person-bad')).rejects.toMatchObject({ code: 'corrupt_record' });
  });

  it('reads a door written before wiring was stored as the default wiring; a bad wiring is reported', async () => {
    const item = {
      doorId: { S: 'old-door' },
      name: { S: 'Old door' },
      enabled: { BOOL: true },
      pulseMs: { N: '3000' },
      online: { BOOL: false },
      lock: { S: 'unknown' },
      createdAt: { N: '1' },
    };
    await dynamo.client.send(new PutItemCommand({ TableName: tables.doors, Item: item }));
    expect((await records.getDoor('old-door'))?.wiring).toEqual(DEFAULT_DOOR_WIRING);

    const shared = {
      M: {
        relayPin: { N: '17' },
        relayActiveLow: { BOOL: false },
        contactPin: { N: '17' },
        exitButtonPin: { NULL: true },
      },
    };
    await dynamo.client.send(new PutItemCommand({ TableName: tables.doors, Item: { ...item, wiring: shared } }));
    await expect(records.getDoor('old-door')).rejects.toMatchObject({ code: 'corrupt_record' });
  });

  it('deletes more faces than one BatchWriteItem holds', async () => {
    await records.putPerson(makePerson('person-many'));
    for (let i = 0; i < 30; i++) {
      await records.addFace({
        faceId: `face-${String(i).padStart(2, '0')}`,
        personId: 'person-many',
        photoKey: `photos/person-many/${i}.jpg`,
        createdAt: i,
      });
    }
    expect(await records.deletePerson('person-many')).toHaveLength(30);
    expect(await records.listFaces('person-many')).toEqual([]);
    expect(await records.getFace('face-29')).toBeNull();
  });

  it('erased events leave the person index (sparse GSI), so nothing links back to the person', async () => {
    await records.putDoor(makeDoor('front-door'));
    await records.appendEvent(
      makeEvent('event-p', { at: 5, doorId: 'front-door', personId: 'person-z', personName: 'Zed' }),
    );
    await records.redactPersonEvents('person-z');
    const raw = await dynamo.client.send(
      new GetItemCommand({
        TableName: tables.events,
        Key: { feed: { S: 'all' }, atId: { S: '000000000000005#event-p' } },
      }),
    );
    expect(raw.Item?.personId).toBeUndefined();
    expect(raw.Item?.personName).toBeUndefined();
    expect(raw.Item?.doorId?.S).toBe('front-door');
  });
});
