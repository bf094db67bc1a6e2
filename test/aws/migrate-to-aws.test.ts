/**
 * `facegate migrate-to-aws` as an operator runs it (the real CLI, a child process) from a local
 * installation made through the real services, into dynalite, s3rver and rekognition-local
 * standing in for the stack: records arrive as the AWS adapters read them, photos and snapshots
 * as S3 objects written with SSE-KMS, each enrolment photo indexed once into the collection (a
 * search finds the person), a second run duplicates nothing, a run stopped midway (--limit, or S3
 * failing) is finished by the next, and --dry-run writes nothing. Issue 8 item 8.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateCollectionCommand, ListFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DynamoRecords } from '../../cloud/src/adapters/aws/dynamo-records.js';
import { RekognitionFaceIndex } from '../../cloud/src/adapters/aws/rekognition-face-index.js';
import {
  startRekognitionLocal,
  type RekognitionLocal,
} from '../../cloud/src/adapters/local/rekognition-local/index.js';
import type { TableNames } from '../../cloud/src/adapters/aws/dynamo-schema.js';
import type { AuditEvent } from '../../cloud/src/domain/types.js';
import type { Records } from '../../cloud/src/ports/records.js';
import { openOfflineServices } from '../../cli/offline-services.js';
import { readLocalSettings } from '../../cli/settings.js';
import { HAVE_FACES, photo, REPO_ROOT, SKIP_REASON } from '../face/faces-dataset.js';
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
const endpoints = { dynamo: '', s3: '', rekognition: '' };
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
  return migrateFrom(dataDir, endpoints.s3, tables, bucket, ...args);
}

async function migrateFrom(
  from: string,
  s3Endpoint: string,
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
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_REKOGNITION: endpoints.rekognition,
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
      [BIN, 'migrate-to-aws', '--site', 'paris', '--data-dir', from, '--events-table', tables.events, ...args],
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

    // Erased or removed on AWS after the move: a later run does not bring them back.
    const bob = people.find((p) => p.name === 'Bob')!;
    await records.deletePerson(bob.personId);
    await records.deleteDoor('back-door');
    const third = await migrate(tables, bucket);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(
      /^people: 2 of 2 \(moved 0, 1 already there, 1 deleted on AWS since and left deleted\)$/m,
    );
    expect(third.stdout).toMatch(
      /^doors: 2 of 2 \(moved 0, 1 already there, 1 deleted on AWS since and left deleted\)$/m,
    );
    expect(third.stdout).not.toMatch(/- back-door/);
    expect((await records.listPeople()).map((p) => p.name)).toEqual(['Ada']);
    expect((await records.listDoors()).map((d) => d.doorId)).toEqual(['front-door']);
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

  it('a person erased on AWS between two runs is not brought back, and the rest of their events arrive unlinked', async () => {
    const { tables, bucket } = await freshTarget();
    // Doors and people only (4 writes), then Bob is erased on the AWS admin site.
    expect((await migrate(tables, bucket, '--limit', '4')).code).toBe(3);
    const records = targetRecords(tables);
    const bob = (await records.listPeople()).find((p) => p.name === 'Bob')!;
    await records.deletePerson(bob.personId);

    const rest = await migrate(tables, bucket);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toMatch(
      /^people: 2 of 2 \(moved 0, 1 already there, 1 deleted on AWS since and left deleted\)$/m,
    );
    expect((await records.listPeople()).map((p) => p.name)).toEqual(['Ada']);
    const moved = await allEvents(records);
    expect(moved).toHaveLength(localEvents.length);
    expect(moved.filter((e) => e.personId === bob.personId || e.personName === 'Bob')).toEqual([]);
    const bobsLocal = localEvents.filter((e) => e.personId === bob.personId);
    expect(bobsLocal.length).toBeGreaterThan(500);
    for (const e of bobsLocal) {
      expect(moved.find((m) => m.eventId === e.eventId)).toEqual({
        ...e,
        personId: null,
        personName: null,
        snapshotKey: null,
      });
    }
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

/**
 * A pass-through in front of s3rver that records each object PUT's headers (s3rver accepts and
 * ignores SSE headers, so this is where the encryption request is seen) and, when told, answers
 * PUTs after the first `okPuts` with 503 as an S3 outage would.
 */
async function s3Proxy(upstream: string) {
  const target = new URL(upstream);
  const puts: { key: string; headers: http.IncomingHttpHeaders }[] = [];
  let failAfter: number | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isObjectPut = req.method === 'PUT' && (req.url ?? '').split('?')[0]!.split('/').length > 2;
      if (isObjectPut) {
        if (failAfter !== null && puts.length >= failAfter) {
          res.writeHead(503, { 'content-type': 'application/xml' });
          res.end('<Error><Code>ServiceUnavailable</Code><Message>stand-in outage</Message></Error>');
          return;
        }
        puts.push({
          key: decodeURIComponent((req.url ?? '').split('?')[0]!.split('/').slice(2).join('/')),
          headers: req.headers,
        });
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    puts,
    failPutsAfter(n: number | null) {
      failAfter = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!HAVE_FACES)(`facegate migrate-to-aws (photos; ${HAVE_FACES ? 'photos found' : SKIP_REASON})`, () => {
  let rekognition: RekognitionLocal;
  let rekClient: RekognitionClient;
  let proxy: Awaited<ReturnType<typeof s3Proxy>>;
  let photoDir: string;
  let alanId: string;
  let ajId: string;
  const snapshotKey = 'snapshots/front-door/2026-01-01/visit-1-0.jpg';
  /** photo key → the decrypted bytes the local store holds. */
  const localPhotos = new Map<string, Buffer>();

  beforeAll(async () => {
    rekognition = await startRekognitionLocal({ port: 0, dataKey: randomBytes(32), logger: silentLogger() });
    endpoints.rekognition = rekognition.url;
    rekClient = new RekognitionClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint: rekognition.url,
      maxAttempts: 1,
    });
    proxy = await s3Proxy(endpoints.s3);

    // Enrolled through the services with the local face engine, as `facegate enroll` does.
    photoDir = path.join(root, 'photos-data');
    const settings = { ...readLocalSettings({}), dataDir: photoDir };
    const { services, backend, close } = await openOfflineServices(settings, silentLogger());
    try {
      const admin = { name: 'ops' };
      await services.doors.create({ doorId: 'front-door', name: 'Front door' }, admin);
      alanId = (await services.people.create({ name: 'Alan' }, admin)).personId;
      ajId = (await services.people.create({ name: 'Al' }, admin)).personId;
      const alan = [1, 2, 3].map((n) => photo('Alan_Greenspan', n));
      const aj = [1, 2].map((n) => photo('Al_Sharpton', n));
      for (const result of [
        ...(await services.enrollment.enroll(alanId, alan, admin)),
        ...(await services.enrollment.enroll(ajId, aj, admin)),
      ]) {
        expect(result.faceId, JSON.stringify(result.issues)).not.toBeNull();
      }
      // A door snapshot as the recognition handler stores it, named by an access event.
      await backend.images.put(snapshotKey, photo('Alan_Greenspan', 4), 'image/jpeg');
      await backend.records.appendEvent(
        makeEvent('ev-snap', { doorId: 'front-door', personId: alanId, personName: 'Alan', snapshotKey }),
      );
      for (const id of [alanId, ajId]) {
        for (const face of await backend.records.listFaces(id)) {
          localPhotos.set(face.photoKey, (await backend.images.get(face.photoKey))!.bytes);
        }
      }
    } finally {
      await close();
    }
    expect(localPhotos.size).toBe(5);
  }, 600_000);

  afterAll(async () => {
    await proxy?.close();
    rekClient?.destroy();
    await rekognition?.close();
  });

  async function collectionFaces(collectionId: string) {
    const res = await rekClient.send(new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096 }));
    return res.Faces ?? [];
  }

  it('moves photos and snapshots encrypted, indexes each photo once, survives an S3 outage midway', async () => {
    const { tables, bucket } = await freshTarget();
    await rekClient.send(new CreateCollectionCommand({ CollectionId: 'facegate-paris' }));
    const faceIndex = new RekognitionFaceIndex({
      client: rekClient,
      collectionId: 'facegate-paris',
      logger: silentLogger(),
    });
    // What a run killed between IndexFaces and its journal leaves: a face of Alan nothing names.
    const stray = await faceIndex.index(alanId, photo('Alan_Greenspan', 5));

    // A dry run counts the photos and snapshot; it indexes and stores nothing.
    const dry = await migrateFrom(photoDir, proxy.url, tables, bucket, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^photos: 5 found \(would move 5, 0 already there\)$/m);
    expect(dry.stdout).toMatch(/^snapshots: 1 found \(would move 1, 0 already there\)$/m);
    expect((await collectionFaces('facegate-paris')).map((f) => f.FaceId)).toEqual([stray.faceId]);
    expect(proxy.puts).toHaveLength(0);

    // S3 fails after two photos: the run stops with a plain message, having indexed what it stored.
    proxy.failPutsAfter(2);
    const broken = await migrateFrom(photoDir, proxy.url, tables, bucket);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^facegate: .*PutObject failed/m);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(proxy.puts).toHaveLength(2);

    proxy.failPutsAfter(null);
    const rest = await migrateFrom(photoDir, proxy.url, tables, bucket);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toMatch(/^photos: 5 of 5 \(moved 3, 2 already there\)$/m);
    expect(rest.stdout).toMatch(/^snapshots: 1 of 1 \(moved 1, 0 already there\)$/m);
    // Nothing printed holds image bytes or a key: no long base64 or hex runs.
    expect(broken.stdout + broken.stderr + rest.stdout + rest.stderr).not.toMatch(/[A-Za-z0-9+/=]{120,}/);

    // Every face row names a face of the collection, one per photo, and nothing else is there.
    const records = targetRecords(tables);
    const rows = [...(await records.listFaces(alanId)), ...(await records.listFaces(ajId))];
    expect(rows.map((r) => r.photoKey).sort()).toEqual([...localPhotos.keys()].sort());
    const inCollection = await collectionFaces('facegate-paris');
    expect(inCollection.map((f) => f.FaceId).sort()).toEqual(rows.map((r) => r.faceId).sort());
    expect(inCollection.map((f) => f.FaceId)).not.toContain(stray.faceId);
    for (const row of rows) {
      expect(inCollection.find((f) => f.FaceId === row.faceId)?.ExternalImageId).toBe(row.personId);
    }

    // Objects: the local photos' plain bytes (decrypted from the sealed files), each PUT asking
    // S3 for SSE-KMS under the stack's key with a bucket key, as S3ImageStore is configured.
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([...localPhotos.keys(), snapshotKey].sort());
    for (const [key, bytes] of localPhotos) {
      const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes), key).toBe(true);
    }
    expect(proxy.puts).toHaveLength(6);
    for (const put of proxy.puts) {
      expect(put.headers, put.key).toMatchObject({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KMS_KEY,
        'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      });
    }

    // A photo of Alan that was never enrolled finds him in the collection.
    const found = await faceIndex.search(photo('Alan_Greenspan', 4), { minSimilarity: 0.8 });
    expect(found.matches[0]?.personId).toBe(alanId);

    // The snapshot is erased on AWS (as erasing its person does). Run again: nothing indexed,
    // stored or written twice, and the erased snapshot is not brought back.
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: snapshotKey }));
    const again = await migrateFrom(photoDir, proxy.url, tables, bucket);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^photos: 5 of 5 \(moved 0, 5 already there\)$/m);
    expect(again.stdout).toMatch(/^snapshots: 1 of 1 \(moved 0, 1 already there\)$/m);
    expect(proxy.puts).toHaveLength(6);
    const after = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'snapshots/' }));
    expect(after.Contents ?? []).toEqual([]);
    expect(await collectionFaces('facegate-paris')).toHaveLength(5);
    expect(await itemCount(tables.faces)).toBe(5);
  }, 600_000);
});
