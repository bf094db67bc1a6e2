/**
 * Real local stand-ins for the AWS services that can run here: dynalite (DynamoDB API) and
 * s3rver (S3 API), each on a free port, with the clients configured as the adapters need.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error dynalite ships no types
import dynalite from 'dynalite';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import {
  createTableInput,
  TABLE_ROLES,
  TABLES,
  type TableNames,
  type TableRole,
} from '../../cloud/src/adapters/aws/dynamo-schema.js';
import { s3ClientConfig } from '../../cloud/src/adapters/aws/s3-image-store.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'eu-west-1';

export interface LocalDynamo {
  /** Where it listens, e.g. for AWS_ENDPOINT_URL_DYNAMODB. */
  url: string;
  client: DynamoDBClient;
  /** Creates the FaceGate tables under a fresh prefix, exactly as dynamo-schema.ts describes them. */
  createTables(prefix: string): Promise<TableNames>;
  /** Creates one of those tables (for a test that needs a fresh, empty one per case). */
  createTable(role: TableRole, name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  // No CREATING delay: every test gets its own tables.
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', () => resolve()).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ region, credentials, endpoint: url, maxAttempts: 2 });
  return {
    url,
    client,
    async createTables(prefix) {
      const names = Object.fromEntries(TABLE_ROLES.map((role) => [role, `${prefix}-${role}`])) as TableNames;
      for (const role of TABLE_ROLES) {
        await client.send(new CreateTableCommand(createTableInput(names[role], TABLES[role])));
        await waitForActive(client, names[role]);
      }
      return names;
    },
    async createTable(role, name) {
      await client.send(new CreateTableCommand(createTableInput(name, TABLES[role])));
      await waitForActive(client, name);
      return name;
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The SDK waiter polls once a second at best; dynalite is ready within milliseconds. */
async function waitForActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

export interface LocalS3 {
  /**
   * Where it listens, e.g. for AWS_ENDPOINT_URL_S3: an IP address, so the SDK's S3 endpoint rules
   * use the path-style addressing s3rver needs even in clients built with no forcePathStyle.
   */
  url: string;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3rver(): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = (await server.run()) as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, // s3rver's built-in account
    endpoint: url,
    forcePathStyle: true,
    maxAttempts: 2,
    ...s3ClientConfig,
  });
  return {
    url,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
