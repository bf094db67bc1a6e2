/**
 * Visits over DynamoDB (the visits table of dynamo-schema.ts). One item per visit; every change
 * is one conditional UpdateItem, so frames racing on several Lambda containers each land once
 * and exactly one caller wins the decision (no transactions needed; dynalite has none).
 *
 * Expiry: DynamoDB's TTL deletes an expired item up to days late (dynalite never), so every read
 * and write treats an item past `expiresAt` as absent, and a write that meets one deletes it first.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DenyReason, MAX_FRAMES_PER_VISIT } from '../../../../protocol/index.js';
import type {
  AddFrameResult,
  Visit,
  VisitDecision,
  VisitFrame,
  VisitStore,
  VisitTimes,
} from '../../ports/visit-store.js';
import { assertFrameSeq, mergeFrame } from '../../domain/visit-frames.js';
import { asUpstream, callAws, isAwsError } from './aws-errors.js';
import { VISITS_OPEN_BY_DEADLINE } from './dynamo-schema.js';

export interface DynamoVisitStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** The constant partition of the open-visits index (one site's doors: a handful of open visits at a time). */
const OPEN = 'open';
/** A write that meets an expired item deletes it and tries again, at most this often. */
const MAX_ATTEMPTS = 3;

const FrameItem = z.object({
  seq: z
    .number()
    .int()
    .min(0)
    .max(MAX_FRAMES_PER_VISIT - 1),
  frameId: z.string(),
  capturedAt: z.number(),
  receivedAt: z.number(),
  last: z.boolean(),
  faceFound: z.boolean(),
  candidates: z.array(z.object({ personId: z.string(), similarity: z.number() })),
  snapshotKey: z.string().nullable(),
  faceArea: z.number(),
  sharpness: z.number(),
});

const DecisionItem = z.object({
  decisionId: z.string(),
  eventId: z.string(),
  result: z.enum(['granted', 'denied']),
  reason: z.union([DenyReason, z.literal('match')]),
  personId: z.string().nullable(),
  score: z.number().nullable(),
  snapshotKey: z.string().nullable(),
  frameId: z.string().nullable(),
  decidedAt: z.number(),
  by: z.enum(['frame', 'visit_end', 'sweep']),
});

const VisitItem = z.object({
  doorId: z.string(),
  visitId: z.string(),
  startedAt: z.number(),
  framesSent: z.number().int().nullable().optional(),
  decideBy: z.number(),
  expiresAt: z.number(),
  decision: DecisionItem.nullable().optional(),
  ...Object.fromEntries(
    Array.from({ length: MAX_FRAMES_PER_VISIT }, (_, seq) => [frameAttribute(seq), FrameItem.optional()]),
  ),
});

function frameAttribute(seq: number): string {
  return `f${seq}`;
}

const visitKey = (doorId: string, visitId: string): string => `${doorId}#${visitId}`;

export class DynamoVisitStore implements VisitStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoVisitStoreOptions) {
    this.db = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
  }

  async addFrame(
    doorId: string,
    visitId: string,
    startedAt: number,
    frame: VisitFrame,
    times: VisitTimes,
  ): Promise<AddFrameResult> {
    assertFrameSeq(frame.seq);
    const sets = ['#frame = :frame', ...this.upsertSets()];
    if (frame.last) sets.push('framesSent = if_not_exists(framesSent, :sent)');
    for (let attempt = 1; ; attempt++) {
      const written = await this.conditionalUpdate('addFrame', {
        TableName: this.table,
        Key: { visitKey: visitKey(doorId, visitId) },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression:
          '(attribute_not_exists(visitKey) OR expiresAt > :now) AND attribute_not_exists(#frame) AND attribute_not_exists(decision)',
        ExpressionAttributeNames: { '#frame': frameAttribute(frame.seq) },
        ExpressionAttributeValues: {
          ':frame': frame,
          ...this.upsertValues(doorId, visitId, startedAt, times),
          ...(frame.last ? { ':sent': frame.seq + 1 } : {}),
        },
        ReturnValues: 'ALL_NEW',
      });
      if (written) return { status: 'added', visit: toVisit(written) };
      // Refused: the shared rule says whether that was the answer (duplicate, decided) or an
      // expired or vanished item in the way ('added' on what is there now: write again).
      const current = await this.getRaw(doorId, visitId);
      const answer = mergeFrame(current, { doorId, visitId, startedAt }, frame, times);
      if (answer.status !== 'added') return answer;
      if (attempt >= MAX_ATTEMPTS) throw asUpstream('DynamoDB', 'addFrame', new Error('visit kept changing'));
      if (current && current.expiresAt <= times.now) await this.deleteExpired(doorId, visitId, current.expiresAt);
    }
  }

  async markEnded(
    doorId: string,
    visitId: string,
    startedAt: number,
    framesSent: number,
    times: VisitTimes,
  ): Promise<Visit> {
    for (let attempt = 1; ; attempt++) {
      const written = await this.conditionalUpdate('markEnded', {
        TableName: this.table,
        Key: { visitKey: visitKey(doorId, visitId) },
        UpdateExpression: `SET ${['framesSent = :sent', ...this.upsertSets()].join(', ')}`,
        ConditionExpression: '(attribute_not_exists(visitKey) OR expiresAt > :now) AND attribute_not_exists(decision)',
        ExpressionAttributeValues: { ':sent': framesSent, ...this.upsertValues(doorId, visitId, startedAt, times) },
        ReturnValues: 'ALL_NEW',
      });
      if (written) return toVisit(written);
      const current = await this.getRaw(doorId, visitId);
      if (current && current.expiresAt > times.now) return current; // decided: left alone
      if (attempt >= MAX_ATTEMPTS) throw asUpstream('DynamoDB', 'markEnded', new Error('visit kept changing'));
      if (current) await this.deleteExpired(doorId, visitId, current.expiresAt);
    }
  }

  async get(doorId: string, visitId: string, now: number): Promise<Visit | null> {
    const visit = await this.getRaw(doorId, visitId);
    return visit && visit.expiresAt > now ? visit : null;
  }

  async claimDecision(doorId: string, visitId: string, decision: VisitDecision, now: number): Promise<boolean> {
    const written = await this.conditionalUpdate('claimDecision', {
      TableName: this.table,
      Key: { visitKey: visitKey(doorId, visitId) },
      // Leaving the open index is part of the claim: a decided visit is never swept.
      UpdateExpression: 'SET decision = :decision REMOVE openShard',
      ConditionExpression: 'attribute_exists(visitKey) AND attribute_not_exists(decision) AND expiresAt > :now',
      ExpressionAttributeValues: { ':decision': decision, ':now': now },
      ReturnValues: 'NONE',
    });
    return written !== null;
  }

  async listExpired(now: number, limit = 100): Promise<Visit[]> {
    const due: Visit[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await callAws('DynamoDB', 'Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: VISITS_OPEN_BY_DEADLINE,
            KeyConditionExpression: 'openShard = :open AND decideBy <= :now',
            FilterExpression: 'expiresAt > :now',
            ExpressionAttributeValues: { ':open': OPEN, ':now': now },
            ExclusiveStartKey: startKey,
            Limit: Math.max(limit, 25),
          }),
        ),
      );
      for (const item of page.Items ?? []) if (due.length < limit) due.push(toVisit(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && due.length < limit);
    return due; // the index's sort key: oldest deadline first
  }

  async forget(doorId: string, visitId: string): Promise<void> {
    await callAws('DynamoDB', 'DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.table, Key: { visitKey: visitKey(doorId, visitId) } })),
    );
  }

  /** What every write sets: identity on creation, deadlines always, and membership of the open index. */
  private upsertSets(): string[] {
    return [
      'doorId = if_not_exists(doorId, :doorId)',
      'visitId = if_not_exists(visitId, :visitId)',
      'startedAt = if_not_exists(startedAt, :startedAt)',
      'decideBy = :decideBy',
      'expiresAt = :expiresAt',
      'expiresAtSec = :expiresAtSec',
      'openShard = :open',
    ];
  }

  private upsertValues(doorId: string, visitId: string, startedAt: number, times: VisitTimes) {
    return {
      ':doorId': doorId,
      ':visitId': visitId,
      ':startedAt': startedAt,
      ':decideBy': times.decideBy,
      ':expiresAt': times.expiresAt,
      ':expiresAtSec': Math.ceil(times.expiresAt / 1000),
      ':open': OPEN,
      ':now': times.now,
    };
  }

  /** The item after the write, or null when the condition did not hold. */
  private async conditionalUpdate(
    operation: string,
    input: UpdateCommandInput,
  ): Promise<Record<string, unknown> | null> {
    try {
      const out = await this.db.send(new UpdateCommand(input));
      return out.Attributes ?? {};
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return null;
      throw asUpstream('DynamoDB', operation, err);
    }
  }

  private async getRaw(doorId: string, visitId: string): Promise<Visit | null> {
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(
        new GetCommand({ TableName: this.table, Key: { visitKey: visitKey(doorId, visitId) }, ConsistentRead: true }),
      ),
    );
    return out.Item ? toVisit(out.Item) : null;
  }

  /** Deletes an expired item, unless someone has renewed it meanwhile. */
  private async deleteExpired(doorId: string, visitId: string, expiresAt: number): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { visitKey: visitKey(doorId, visitId) },
          ConditionExpression: 'expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':expiresAt': expiresAt },
        }),
      );
    } catch (err) {
      if (!isAwsError(err, 'ConditionalCheckFailedException')) throw asUpstream('DynamoDB', 'DeleteItem', err);
    }
  }
}

/** An item as the port's Visit; a malformed item (written by something else) throws rather than deciding on garbage. */
function toVisit(item: Record<string, unknown>): Visit {
  const parsed = VisitItem.parse(item);
  const frames: VisitFrame[] = [];
  for (let seq = 0; seq < MAX_FRAMES_PER_VISIT; seq++) {
    const frame = (parsed as Record<string, unknown>)[frameAttribute(seq)];
    if (frame) frames.push(frame as VisitFrame);
  }
  return {
    doorId: parsed.doorId,
    visitId: parsed.visitId,
    startedAt: parsed.startedAt,
    frames,
    framesSent: parsed.framesSent ?? null,
    decideBy: parsed.decideBy,
    expiresAt: parsed.expiresAt,
    decision: parsed.decision ?? null,
  };
}
