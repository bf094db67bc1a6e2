/** DynamoAdminUserStore on a real dynalite server, with the admins table built from the description the CDK uses. */
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminUserStore } from '../../admin-web/src/users/dynamo-admin-user-store.js';
import { ensureFirstAdmin } from '../../admin-web/src/users/first-admin.js';
import { hashSessionId, SessionManager } from '../../admin-web/src/users/sessions.js';
import { adminUserStoreContract } from '../contracts/admin-user-store.contract.js';
import { startDynalite, type LocalDynamo } from './local-aws.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const freshStore = async (lifetimeMs?: number) => {
  const tableName = await dynamo.createTable('admins', `admins-${randomUUID().slice(0, 8)}`);
  return {
    tableName,
    store: new DynamoAdminUserStore({
      client: dynamo.client,
      tableName,
      ...(lifetimeMs !== undefined && { sessionLifetimeMs: lifetimeMs }),
    }),
  };
};

adminUserStoreContract('DynamoDB (dynalite)', { open: async () => (await freshStore()).store });

describe('DynamoAdminUserStore specifics', () => {
  it('survives a new host: a second store over the same table sees the admin and the live session', async () => {
    const { store, tableName } = await freshStore();
    const otp = await ensureFirstAdmin(store);
    expect(otp).not.toBeNull();
    const { id } = await new SessionManager(store.sessions).start('admin');
    // "Replace the instance": nothing but the table name carries over.
    const replacement = new DynamoAdminUserStore({ client: dynamo.client, tableName });
    expect(await ensureFirstAdmin(replacement)).toBeNull();
    expect((await new SessionManager(replacement.sessions).resolve(id))?.username).toBe('admin');
  });

  it("stamps a session's absolute end as its TTL (epoch seconds) and stores no session id, only its hash", async () => {
    const { store, tableName } = await freshStore(3_600_000);
    await store.create({ username: 'ana', passwordHash: 'h', mustChangePassword: false }, 0);
    const now = 1_800_000_000_123;
    const { id } = await new SessionManager(store.sessions, undefined, () => now).start('ana');
    const item = (
      await dynamo.client.send(
        new GetItemCommand({ TableName: tableName, Key: { key: { S: `session#${hashSessionId(id)}` } } }),
      )
    ).Item;
    expect(item?.expiresAtSec?.N).toBe(String(Math.ceil((now + 3_600_000) / 1000)));
    expect(JSON.stringify(item)).not.toContain(id);
  });
});
