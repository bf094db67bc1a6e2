/**
 * `facegate migrate-to-aws` as an operator runs it (the real CLI, a child process) from a local
 * installation made through the real services, into dynalite and s3rver standing in for the
 * stack: records arrive as the AWS adapters read them, a second run duplicates nothing, a run
 * stopped midway (--limit) is finished by the next, and --dry-run writes nothing. Issue 8 item 8.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import type { TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import type { AuditEvent } from '../../cloud/src/domain/types.js';
import type { Records } from '../../cloud/src/ports/records.js';
import { openOfflineServices } from '../../cli/offline-services.js';
import { readLocalSettings } from '../../cli/settings.js';
import { REPO_ROOT } from '../face/faces-dataset.js';
import { makeEvent, T0 } from '../support/records.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { startDynalite, startS3rver, type LocalDynamo, type LocalS3 } from './local-aws.js';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin/facegate.mjs');
const KMS_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000';
const ACCESS_EVENTS = 1_100; // more than two of the migration's 500-event pages

let dynamo: LocalDynamo;
let s3: LocalS3;
let root: string;
let dataDir: string;
const endpoints = { dynamo: '', s3: '' };
let localEvents: AuditEvent[];

/** The helpers do not expose their ports: read back the endpoint their own client was given. */
async function endpointOf(client: { config: { endpoint?: unknown } }): Promise<string> {
  const provider = client.config.endpoint as () => Promise<{ protocol: string; hostname: string; port?: number }>;
  const e = await provider();
  return `${e.protocol}//${e.hostname}:${e.port}`;
}

/** Runs the CLI against a fresh set of tables (prefix) and bucket, pointed at the stand-ins. */
async function migrate(
  tables: TableNames,
  bucket: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_MAX_ATTEMPTS: '1',
    FACEGATE_TABLE_PEOPLE: tables.people,
    FACEGATE_TABLE_FACES: tables.faces,
    FACEGATE_TABLE_DOORS: tables.doors,
    FACEGATE_BUCKET: bucket,
    FACEGATE_KMS_KEY_ID: KMS_KEY,
    FACEGATE_COLLECTION_ID: undefined,
    FACEGATE_EVENT_RETENTION_DAYS: undefined,
    FACEGATE_MATCH_THRESHOLD: undefined,
    FACEGATE_DATA_DIR: undefined,
    FACEGATE_LOG_LEVEL: 'warn',
  };
  try {
    // The events table by flag, the rest by variable: both ways of configuring the target.
    const { stdout, stderr } = await run(
      process.execPath,
      [BIN, 'migrate-to-aws', '--site', 'paris', '--data-dir', dataDir, '--events-table', tables.events, ...args],
      { env, timeout: 180_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function targetRecords(tables: TableNames): Records {
  return new DynamoRecords({ client: dynamo.client, tables, eventRetentionDays: null, logger: silentLogger() });
}

async function allEvents(records: Records): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const page: { events: AuditEvent[]; cursor: string | null } = await records.listEvents({
      limit: 1000,
      ...(cursor !== null && { cursor }),
    });
    events.push(...page.events);
    cursor = page.cursor;
  } while (cursor !== null);
  return events;
}

async function itemCount(table: string): Promise<number> {
  const res = await dynamo.client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
  return res.Count ?? 0;
}

async function freshTarget(): Promise<{ tables: TableNames; bucket: string }> {
  const tables = await dynamo.createTables(`m${randomUUID().slice(0, 8)}`);
  const bucket = `facegate-${randomUUID().slice(0, 8)}`;
  await s3.createBucket(bucket);
  return { tables, bucket };
}

beforeAll(async () => {
  [dynamo, s3] = await Promise.all([startDynalite(), startS3rver()]);
  endpoints.dynamo = await endpointOf(dynamo.client);
  endpoints.s3 = await endpointOf(s3.client);

  // A local installation made the way an operator makes one: doors and people through the
  // services (which write their own audit events), access decisions through the records adapter
  // the recognition handler appends them with.
  root = makeTempDir('migrate');
  dataDir = path.join(root, 'data');
  const settings = { ...readLocalSettings({}), dataDir };
  const { services, backend, close } = await openOfflineServices(settings, silentLogger());
  try {
    const admin = { name: 'ops' };
    await services.doors.create({ doorId: 'front-door', name: 'Front door' }, admin);
    await services.doors.create({ doorId: 'back-door', name: 'Back door', pulseMs: 5000 }, admin);
    await services.doors.setEnabled('back-door', false, admin);
    const ada = await services.people.create({ name: 'Ada', allowedDoors: ['front-door'] }, admin);
    const bob = await services.people.create({ name: 'Bob', validUntil: T0 + 86_400_000 }, admin);
    await services.people.update(bob.personId, { status: 'inactive' }, admin);
    for (let i = 0; i < ACCESS_EVENTS; i++) {
      const who = i % 2 === 0 ? ada : bob;
      await backend.records.appendEvent(
        makeEvent(`ev-${String(i).padStart(5, '0')}`, {
          at: T0 + i * 1000,
          doorId: 'front-door',
          personId: who.personId,
          personName: who.name,
          result: i % 2 === 0 ? 'granted' : 'denied',
          reason: i % 2 === 0 ? 'match' : 'inactive',
          score: 0.8,
          decisionId: `d-${i}`,
        }),
      );
    }
    localEvents = await allEvents(backend.records);
  } finally {
    await close();
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([dynamo?.stop(), s3?.stop()]);
  if (root) removeDir(root);
});

describe('facegate migrate-to-aws (records)', () => {
  it('moves doors, people and the whole audit log, and a second run adds nothing', async () => {
    const { tables, bucket } = await freshTarget();
    const first = await migrate(tables, bucket);
    expect(first.stderr).not.toMatch(/facegate:|error|\n\s+at /i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^doors: 2 of 2 \(moved 2, 0 already there\)$/m);
    expect(first.stdout).toMatch(/^people: 2 of 2 \(moved 2, 0 already there\)$/m);
    expect(first.stdout).toContain(`events: ${localEvents.length} of ${localEvents.length}`);
    // The operator is told which doors need a certificate from IoT Core.
    expect(first.stdout).toMatch(/Door certificates do not move/);
    expect(first.stdout).toMatch(/^ {2}- back-door \(Back door\)$/m);
    expect(first.stdout).toMatch(/^ {2}- front-door \(Front door\)$/m);

    const records = targetRecords(tables);
    const people = await records.listPeople();
    expect(people.map((p) => [p.name, p.status, p.allowedDoors])).toEqual([
      ['Ada', 'active', ['front-door']],
      ['Bob', 'inactive', null],
    ]);
    expect(people[1]!.validUntil).toBe(T0 + 86_400_000);
    const doors = await records.listDoors();
    expect(doors.map((d) => [d.doorId, d.name, d.enabled, d.pulseMs, d.online, d.lock])).toEqual([
      ['back-door', 'Back door', false, 5000, false, 'unknown'],
      ['front-door', 'Front door', true, 3000, false, 'unknown'],
    ]);
    const moved = await allEvents(records);
    expect(moved).toEqual(localEvents);
    expect(await records.listEvents({ personId: people[0]!.personId, limit: 1000 })).toMatchObject({
      events: localEvents.filter((e) => e.personId === people[0]!.personId),
    });

    const second = await migrate(tables, bucket);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^doors: 2 of 2 \(moved 0, 2 already there\)$/m);
    expect(second.stdout).toMatch(/^people: 2 of 2 \(moved 0, 2 already there\)$/m);
    expect(second.stdout).toMatch(
      new RegExp(`^events: ${localEvents.length} of ${localEvents.length} \\(moved 0,`, 'm'),
    );
    expect(await itemCount(tables.people)).toBe(2);
    expect(await itemCount(tables.doors)).toBe(2);
    expect(await itemCount(tables.events)).toBe(localEvents.length);
  }, 300_000);

  it('a run stopped midway is finished by the next one, with no duplicates', async () => {
    const { tables, bucket } = await freshTarget();
    // 2 doors + 2 people + 700 events: stops inside the second page of events.
    const stopped = await migrate(tables, bucket, '--limit', '704');
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toMatch(/Stopped after 704 writes/);
    expect(await itemCount(tables.events)).toBe(700);

    const rest = await migrate(tables, bucket);
    expect(rest.code).toBe(0);
    // The first page was recorded as done; the interrupted second page is written again.
    expect(rest.stdout).toMatch(
      new RegExp(
        `^events: ${localEvents.length} of ${localEvents.length} \\(moved ${localEvents.length - 500}, 500 already there\\)$`,
        'm',
      ),
    );
    expect(await allEvents(targetRecords(tables))).toEqual(localEvents);
    expect(await itemCount(tables.events)).toBe(localEvents.length);
    expect(await itemCount(tables.people)).toBe(2);
  }, 300_000);

  it('--dry-run counts what would move and writes nothing', async () => {
    const { tables, bucket } = await freshTarget();
    const dry = await migrate(tables, bucket, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^doors: 2 found \(would move 2, 0 already there\)$/m);
    expect(dry.stdout).toMatch(/^people: 2 found \(would move 2, 0 already there\)$/m);
    expect(dry.stdout).toContain(
      `events: ${localEvents.length} found (would move ${localEvents.length}, 0 already there)`,
    );
    expect(dry.stdout).toMatch(/nothing was written/);
    for (const table of [tables.people, tables.doors, tables.events]) expect(await itemCount(table)).toBe(0);
  }, 300_000);

  it('names a missing target setting and a missing installation in one sentence', async () => {
    const { tables, bucket } = await freshTarget();
    const noBucket = await migrate(tables, '', '--dry-run');
    expect(noBucket.code).toBe(1);
    expect(noBucket.stderr).toMatch(/FACEGATE_BUCKET must be set \(or pass --bucket\)/);
    expect(noBucket.stderr).not.toMatch(/\n\s+at /);
    const elsewhere = await run(
      process.execPath,
      [BIN, 'migrate-to-aws', '--site', 'paris', '--data-dir', path.join(root, 'none'), '--bucket', bucket],
      {
        env: {
          ...process.env,
          AWS_REGION: 'eu-west-1',
          FACEGATE_TABLE_PEOPLE: 'p',
          FACEGATE_TABLE_FACES: 'f',
          FACEGATE_TABLE_DOORS: 'd',
          FACEGATE_TABLE_EVENTS: 'e',
          FACEGATE_KMS_KEY_ID: KMS_KEY,
        },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/no local installation in .*none/);
  }, 60_000);
});
