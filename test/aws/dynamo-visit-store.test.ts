/** DynamoVisitStore on a real dynalite server, with the visits table built from the description the CDK uses. */
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoVisitStore } from '../../cloud/src/adapters/aws/dynamo-visit-store.js';
import type { TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { visitFrame, visitDecision, visitStoreContract } from '../contracts/visit-store.contract.js';
import { startDynalite, type LocalDynamo } from './local-aws.js';

let dynamo: LocalDynamo;
let tables: TableNames;
beforeAll(async () => {
  dynamo = await startDynalite();
  tables = await dynamo.createTables(`v${randomUUID().slice(0, 8)}`);
});
afterAll(async () => {
  await dynamo?.stop();
});

// One table for every case: the contract gives each case its own door and visit ids.
visitStoreContract('DynamoDB (dynalite)', {
  open: async () => new DynamoVisitStore({ client: dynamo.client, tableName: tables.visits }),
});

describe('DynamoVisitStore specifics', () => {
  const T = 1_900_000_000_000;

  it('stamps the TTL attribute (epoch seconds) and leaves the open index once decided', async () => {
    const store = new DynamoVisitStore({ client: dynamo.client, tableName: tables.visits });
    const door = 'door-ttl';
    const visit = `visit-${randomUUID().slice(0, 8)}`;
    await store.addFrame(door, visit, T, visitFrame(0), { now: T, decideBy: T + 4_000, expiresAt: T + 600_123 });
    const raw = async () =>
      (
        await dynamo.client.send(
          new GetItemCommand({ TableName: tables.visits, Key: { visitKey: { S: `${door}#${visit}` } } }),
        )
      ).Item;
    expect((await raw())?.expiresAtSec?.N).toBe(String(Math.ceil((T + 600_123) / 1000)));
    expect((await raw())?.openShard?.S).toBe('open');
    expect(await store.claimDecision(door, visit, visitDecision(), T + 1)).toBe(true);
    expect((await raw())?.openShard).toBeUndefined();
  });

  it('refuses a seq beyond the protocol cap before writing anything', async () => {
    const store = new DynamoVisitStore({ client: dynamo.client, tableName: tables.visits });
    await expect(
      store.addFrame('door-cap', 'visit-cap-00', T, visitFrame(4), { now: T, decideBy: T, expiresAt: T + 1 }),
    ).rejects.toThrow(/seq 4/);
    expect(await store.get('door-cap', 'visit-cap-00', T)).toBeNull();
  });
});
