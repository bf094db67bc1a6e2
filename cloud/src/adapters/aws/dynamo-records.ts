/**
 * Records over DynamoDB (tables described in dynamo-schema.ts). No transactions: every write is
 * a single-item operation, ordered so a failure half-way leaves nothing that grants access
 * (faces are deleted before their person; events are redacted one by one and the call can be
 * repeated).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Logger } from '../../../../lib/logger.js';
import type { AuditEvent, Door, EnrolledFace, EventFilter, Person } from '../../domain/types.js';
import { InvalidInputError, NotFoundError, UpstreamError } from '../../errors.js';
import type { DoorStatePatch, PersonFilter, Records } from '../../ports/records.js';
import { asUpstream, callAws, forEachLimited, isAwsError } from './aws-errors.js';
import {
  AuditEventKindSchema,
  doorFromItem,
  doorToItem,
  eventFromItem,
  eventSortKeyCeiling,
  eventToItem,
  faceFromItem,
  faceToItem,
  padAt,
  personFromItem,
  personToItem,
  type Item,
} from './dynamo-items.js';
import {
  EVENT_FEED,
  EVENTS_BY_DOOR,
  EVENTS_BY_PERSON,
  FACES_BY_PERSON,
  type RecordsTableNames,
} from './dynamo-schema.js';
import { decodeCursor, encodeCursor, type CursorKey } from './event-cursor.js';

export interface DynamoRecordsOptions {
  client: DynamoDBClient;
  tables: RecordsTableNames;
  /** Audit events expire (DynamoDB TTL) this many days after they happened; null keeps them forever. */
  eventRetentionDays: number | null;
  logger: Logger;
}

const DEFAULT_EVENT_LIMIT = 100;
const MAX_EVENT_LIMIT = 1000;
const BATCH_WRITE_MAX = 25;

const EventFilterSchema = z
  .object({
    doorId: z.string().min(1).max(64).optional(),
    personId: z.string().min(1).max(200).optional(),
    result: z.enum(['granted', 'denied']).optional(),
    kind: AuditEventKindSchema.optional(),
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    limit: z.number().int().positive().optional(),
    cursor: z.string().optional(),
  })
  .strict();

export class DynamoRecords implements Records {
  private readonly db: DynamoDBDocumentClient;
  private readonly tables: RecordsTableNames;
  private readonly retentionDays: number | null;
  private readonly log: Logger;

  constructor(options: DynamoRecordsOptions) {
    this.db = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tables = options.tables;
    this.retentionDays = options.eventRetentionDays;
    this.log = options.logger.child({ component: 'dynamo-records' });
  }

  // people

  async putPerson(person: Person): Promise<void> {
    await callAws('dynamodb', 'PutItem(person)', () =>
      this.db.send(new PutCommand({ TableName: this.tables.people, Item: personToItem(person) })),
    );
  }

  async getPerson(personId: string): Promise<Person | null> {
    const res = await callAws('dynamodb', 'GetItem(person)', () =>
      this.db.send(new GetCommand({ TableName: this.tables.people, Key: { personId }, ConsistentRead: true })),
    );
    return res.Item ? personFromItem(res.Item) : null;
  }

  async listPeople(filter: PersonFilter = {}): Promise<Person[]> {
    const search = filter.search?.toLowerCase();
    // Case-insensitive substring search is not something DynamoDB can do; a site's people fit
    // in a few Scan pages, so filter and sort here.
    const people = (await this.scanAll(this.tables.people)).map(personFromItem).filter((p) => {
      if (filter.status !== undefined && p.status !== filter.status) return false;
      return search === undefined || p.name.toLowerCase().includes(search);
    });
    return people.sort(
      (a, b) => compareText(a.name.toLowerCase(), b.name.toLowerCase()) || compareText(a.personId, b.personId),
    );
  }

  async deletePerson(personId: string): Promise<EnrolledFace[]> {
    const faces = await this.listFaces(personId);
    // Faces first: a person whose faces are gone can no longer match, whatever happens next.
    for (let i = 0; i < faces.length; i += BATCH_WRITE_MAX) {
      const batch = faces.slice(i, i + BATCH_WRITE_MAX);
      await this.batchDelete(
        this.tables.faces,
        batch.map((f) => ({ faceId: f.faceId })),
      );
    }
    await callAws('dynamodb', 'DeleteItem(person)', () =>
      this.db.send(new DeleteCommand({ TableName: this.tables.people, Key: { personId } })),
    );
    return faces;
  }

  // faces

  async addFace(face: EnrolledFace): Promise<void> {
    if (!(await this.getPerson(face.personId))) throw new NotFoundError('person', face.personId);
    await callAws('dynamodb', 'PutItem(face)', () =>
      this.db.send(new PutCommand({ TableName: this.tables.faces, Item: faceToItem(face) })),
    );
  }

  async listFaces(personId: string): Promise<EnrolledFace[]> {
    const items = await this.queryAll({
      TableName: this.tables.faces,
      IndexName: FACES_BY_PERSON,
      KeyConditionExpression: 'personId = :p',
      ExpressionAttributeValues: { ':p': personId },
    });
    return items.map(faceFromItem).sort((a, b) => a.createdAt - b.createdAt || compareText(a.faceId, b.faceId));
  }

  async getFace(faceId: string): Promise<EnrolledFace | null> {
    const res = await callAws('dynamodb', 'GetItem(face)', () =>
      this.db.send(new GetCommand({ TableName: this.tables.faces, Key: { faceId }, ConsistentRead: true })),
    );
    return res.Item ? faceFromItem(res.Item) : null;
  }

  async deleteFace(faceId: string): Promise<EnrolledFace | null> {
    const res = await callAws('dynamodb', 'DeleteItem(face)', () =>
      this.db.send(new DeleteCommand({ TableName: this.tables.faces, Key: { faceId }, ReturnValues: 'ALL_OLD' })),
    );
    return res.Attributes ? faceFromItem(res.Attributes) : null;
  }

  // doors

  async putDoor(door: Door): Promise<void> {
    await callAws('dynamodb', 'PutItem(door)', () =>
      this.db.send(new PutCommand({ TableName: this.tables.doors, Item: doorToItem(door) })),
    );
  }

  async getDoor(doorId: string): Promise<Door | null> {
    const res = await callAws('dynamodb', 'GetItem(door)', () =>
      this.db.send(new GetCommand({ TableName: this.tables.doors, Key: { doorId }, ConsistentRead: true })),
    );
    return res.Item ? doorFromItem(res.Item) : null;
  }

  async listDoors(): Promise<Door[]> {
    return (await this.scanAll(this.tables.doors)).map(doorFromItem).sort((a, b) => compareText(a.doorId, b.doorId));
  }

  async deleteDoor(doorId: string): Promise<void> {
    await callAws('dynamodb', 'DeleteItem(door)', () =>
      this.db.send(new DeleteCommand({ TableName: this.tables.doors, Key: { doorId } })),
    );
  }

  async updateDoorState(doorId: string, patch: DoorStatePatch): Promise<void> {
    const set: string[] = [];
    const remove: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const fields = [
      'enabled',
      'online',
      'lock',
      'lastSeenAt',
      'agentVersion',
      'alarm',
      'alarmSince',
      'wiring',
    ] as const;
    for (const field of fields) {
      if (!(field in patch) || patch[field] === undefined) continue;
      names[`#${field}`] = field;
      if (patch[field] === null) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = patch[field];
      }
    }
    if (set.length === 0 && remove.length === 0) return;
    const expression = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.doors,
          Key: { doorId },
          UpdateExpression: expression,
          // An update must never create a door: only admins register doors.
          ConditionExpression: 'attribute_exists(doorId)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) {
        this.log.debug({ doorId }, 'state update for an unknown door ignored');
        return;
      }
      throw asUpstream('dynamodb', 'UpdateItem(door state)', err);
    }
  }

  // audit log

  async appendEvent(event: AuditEvent): Promise<void> {
    await callAws('dynamodb', 'PutItem(event)', () =>
      this.db.send(new PutCommand({ TableName: this.tables.events, Item: eventToItem(event, this.retentionDays) })),
    );
  }

  async listEvents(filter: EventFilter = {}): Promise<{ events: AuditEvent[]; cursor: string | null }> {
    const parsed = EventFilterSchema.safeParse(filter);
    if (!parsed.success) {
      throw new InvalidInputError(`invalid event filter: ${parsed.error.issues[0]?.message ?? 'bad value'}`, {
        cause: parsed.error,
      });
    }
    const f = parsed.data;
    const limit = Math.min(f.limit ?? DEFAULT_EVENT_LIMIT, MAX_EVENT_LIMIT);
    const start = f.cursor === undefined ? undefined : decodeCursor(f.cursor);
    const query = buildEventQuery(this.tables.events, f);
    if (start) query.ExclusiveStartKey = startKeyFor(query.IndexName, start);

    const events: AuditEvent[] = [];
    const keys: CursorKey[] = [];
    let more = false;
    let exclusiveStartKey = query.ExclusiveStartKey;
    do {
      // Read one more than needed to know whether another page exists; filters drop rows after
      // the read, so read generously when filtering.
      const wanted = limit + 1 - events.length;
      const res = await this.queryEventsPage({
        ...query,
        ExclusiveStartKey: exclusiveStartKey,
        Limit: query.FilterExpression ? Math.min(MAX_EVENT_LIMIT, Math.max(wanted * 4, 100)) : wanted,
      });
      for (const item of res.Items ?? []) {
        if (events.length === limit) {
          more = true;
          break;
        }
        events.push(eventFromItem(item));
        keys.push(cursorKeyOf(item));
      }
      exclusiveStartKey = res.LastEvaluatedKey;
    } while (!more && exclusiveStartKey !== undefined);

    const last = keys[keys.length - 1];
    return { events, cursor: more && last ? encodeCursor(last) : null };
  }

  async redactPersonEvents(personId: string): Promise<string[]> {
    const items = await this.queryAll({
      TableName: this.tables.events,
      IndexName: EVENTS_BY_PERSON,
      KeyConditionExpression: 'personId = :p',
      ExpressionAttributeValues: { ':p': personId },
      ProjectionExpression: 'feed, atId, snapshotKey',
    });
    const snapshotKeys = new Set<string>();
    await forEachLimited(items, 8, async (item) => {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tables.events,
            Key: { feed: item.feed, atId: item.atId },
            UpdateExpression: 'REMOVE personId, personName, snapshotKey',
            // Never resurrect an event that expired or was removed meanwhile.
            ConditionExpression: 'personId = :p',
            ExpressionAttributeValues: { ':p': personId },
          }),
        );
        if (typeof item.snapshotKey === 'string') snapshotKeys.add(item.snapshotKey);
      } catch (err) {
        if (isAwsError(err, 'ConditionalCheckFailedException')) return;
        throw asUpstream('dynamodb', 'UpdateItem(redact event)', err);
      }
    });
    this.log.info({ events: items.length, snapshots: snapshotKeys.size }, 'person unlinked from the audit log');
    return [...snapshotKeys];
  }

  async close(): Promise<void> {
    // The SDK client is injected and owned by the composition root, which destroys it.
  }

  // helpers

  private async queryEventsPage(input: QueryCommandInput) {
    try {
      return await this.db.send(new QueryCommand(input));
    } catch (err) {
      // A cursor from another filter names keys of another index.
      if (input.ExclusiveStartKey && isAwsError(err, 'ValidationException')) {
        throw new InvalidInputError('events cursor does not belong to this filter', { cause: err });
      }
      throw asUpstream('dynamodb', 'Query(events)', err);
    }
  }

  private async scanAll(table: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await callAws('dynamodb', `Scan(${table})`, () =>
        this.db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start })),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await callAws('dynamodb', `Query(${input.TableName})`, () =>
        this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async batchDelete(table: string, keys: Item[]): Promise<void> {
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      if (attempt > 8) throw new UpstreamError('dynamodb', `BatchWriteItem(${table}) kept returning unprocessed items`);
      const res = await callAws('dynamodb', `BatchWriteItem(${table})`, () =>
        this.db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } })),
      );
      requests = (res.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Code-point order, the same order DynamoDB and SQLite's BINARY collation use for ASCII ids. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type ParsedEventFilter = z.infer<typeof EventFilterSchema>;

/** Picks the index that narrows the read most, and turns the rest of the filter into a FilterExpression. */
function buildEventQuery(table: string, f: ParsedEventFilter): QueryCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let indexName: string | undefined;
  let keyCondition: string;
  if (f.doorId !== undefined) {
    indexName = EVENTS_BY_DOOR;
    keyCondition = 'doorId = :door';
    values[':door'] = f.doorId;
  } else if (f.personId !== undefined) {
    indexName = EVENTS_BY_PERSON;
    keyCondition = 'personId = :person';
    values[':person'] = f.personId;
  } else {
    keyCondition = 'feed = :feed';
    values[':feed'] = EVENT_FEED;
  }
  if (f.from !== undefined && f.to !== undefined) {
    keyCondition += ' AND atId BETWEEN :from AND :to';
    values[':from'] = padAt(f.from);
    values[':to'] = eventSortKeyCeiling(f.to);
  } else if (f.from !== undefined) {
    keyCondition += ' AND atId >= :from';
    values[':from'] = padAt(f.from);
  } else if (f.to !== undefined) {
    keyCondition += ' AND atId <= :to';
    values[':to'] = eventSortKeyCeiling(f.to);
  }

  const filters: string[] = [];
  if (f.personId !== undefined && indexName !== EVENTS_BY_PERSON) {
    filters.push('personId = :person');
    values[':person'] = f.personId;
  }
  if (f.result !== undefined) {
    filters.push('#result = :result');
    names['#result'] = 'result';
    values[':result'] = f.result;
  }
  if (f.kind !== undefined) {
    filters.push('#kind = :kind');
    names['#kind'] = 'kind';
    values[':kind'] = f.kind;
  }
  return {
    TableName: table,
    ...(indexName ? { IndexName: indexName } : {}),
    KeyConditionExpression: keyCondition,
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ScanIndexForward: false, // newest first
  };
}

function cursorKeyOf(item: Item): CursorKey {
  const key: CursorKey = { feed: String(item.feed), atId: String(item.atId) };
  if (typeof item.doorId === 'string') key.doorId = item.doorId;
  if (typeof item.personId === 'string') key.personId = item.personId;
  return key;
}

/** The ExclusiveStartKey a query on `indexName` needs: the table key plus that index's key. */
function startKeyFor(indexName: string | undefined, key: CursorKey): Record<string, unknown> {
  const start: Record<string, unknown> = { feed: key.feed, atId: key.atId };
  if (indexName === EVENTS_BY_DOOR) {
    if (key.doorId === undefined) throw new InvalidInputError('events cursor does not belong to this filter');
    start.doorId = key.doorId;
  }
  if (indexName === EVENTS_BY_PERSON) {
    if (key.personId === undefined) throw new InvalidInputError('events cursor does not belong to this filter');
    start.personId = key.personId;
  }
  return start;
}
