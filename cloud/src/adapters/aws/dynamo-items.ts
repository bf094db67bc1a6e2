/**
 * Domain records ⇄ DynamoDB items. Nulls are stored as absent attributes: the events indexes are
 * sparse (an event without a door or person must not carry that key), and one rule for every
 * field keeps reads simple. Items read back are validated, so a hand-edited or half-migrated
 * row fails loudly instead of flowing into access decisions.
 */
import { z } from 'zod';
import { DenyReason, LockState } from '../../../../protocol/index.js';
import type { AuditEvent, AuditEventKind, Door, EnrolledFace, Person } from '../../domain/types.js';
import { DEFAULT_DOOR_WIRING, DoorWiringSchema } from '../../domain/door-wiring.js';
import { EVENT_FEED, EVENT_TTL_ATTRIBUTE } from './dynamo-schema.js';
import { FacegateError } from '../../errors.js';

export type Item = Record<string, unknown>;

/** A row in a table does not have the shape FaceGate writes. */
export class CorruptRecordError extends FacegateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('corrupt_record', message, options);
  }
}

const EVENT_KINDS = [
  'access',
  'remote_unlock',
  'person_created',
  'person_updated',
  'person_erased',
  'door_created',
  'door_changed',
  'door_event',
] as const satisfies readonly AuditEventKind[];
export const AuditEventKindSchema = z.enum(EVENT_KINDS);

/** Absent (or stored null) reads back as null. */
const orNull = <T extends z.ZodTypeAny>(schema: T) =>
  schema.nullish().transform((v): z.output<T> | null => (v === undefined ? null : (v as z.output<T> | null)));

const PersonItem = z.object({
  personId: z.string(),
  name: z.string(),
  status: z.enum(['active', 'inactive']),
  validFrom: orNull(z.number()),
  validUntil: orNull(z.number()),
  allowedDoors: orNull(z.array(z.string())),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const FaceItem = z.object({
  faceId: z.string(),
  personId: z.string(),
  photoKey: z.string(),
  createdAt: z.number(),
});

const DoorItem = z.object({
  doorId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  pulseMs: z.number(),
  online: z.boolean(),
  lock: LockState,
  lastSeenAt: orNull(z.number()),
  agentVersion: orNull(z.string()),
  alarm: orNull(z.enum(['forced_open', 'held_open'])),
  alarmSince: orNull(z.number()),
  /** Absent on doors written before wiring was stored: they had the default wiring. */
  wiring: DoorWiringSchema.optional().transform((w) => w ?? { ...DEFAULT_DOOR_WIRING }),
  createdAt: z.number(),
});

const EventItem = z.object({
  eventId: z.string(),
  at: z.number(),
  kind: AuditEventKindSchema,
  doorId: orNull(z.string()),
  personId: orNull(z.string()),
  personName: orNull(z.string()),
  result: orNull(z.enum(['granted', 'denied'])),
  reason: orNull(z.union([DenyReason, z.enum(['match', 'remote'])])),
  score: orNull(z.number()),
  snapshotKey: orNull(z.string()),
  decisionId: orNull(z.string()),
  actor: orNull(z.string()),
  detail: orNull(z.string()),
});

function parseItem<T extends z.ZodTypeAny>(schema: T, item: Item, what: string): z.output<T> {
  const result = schema.safeParse(item);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CorruptRecordError(
      `${what} item is malformed at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      {
        cause: result.error,
      },
    );
  }
  return result.data;
}

/** Drops null and undefined values (absent = null, see above). */
function withoutNulls(record: object): Item {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
}

export const personToItem = (person: Person): Item => withoutNulls(person);
export const personFromItem = (item: Item): Person => parseItem(PersonItem, item, 'person');

export const faceToItem = (face: EnrolledFace): Item => withoutNulls(face);
export const faceFromItem = (item: Item): EnrolledFace => parseItem(FaceItem, item, 'face');

export const doorToItem = (door: Door): Item => withoutNulls(door);
export const doorFromItem = (item: Item): Door => parseItem(DoorItem, item, 'door');

/** Wide enough for any epoch-ms time until the year 33658, so string order is time order. */
const AT_DIGITS = 15;
export function padAt(at: number): string {
  return String(Math.max(0, Math.trunc(at))).padStart(AT_DIGITS, '0');
}

/** Sort key of an event: time then id, both ascending as strings. */
export function eventSortKey(event: Pick<AuditEvent, 'at' | 'eventId'>): string {
  return `${padAt(event.at)}#${event.eventId}`;
}

/** Upper bound of every sort key at time `at` (event ids are printable ASCII, below U+FFFF). */
export function eventSortKeyCeiling(at: number): string {
  return `${padAt(at)}#\uffff`;
}

export function eventToItem(event: AuditEvent, retentionDays: number | null): Item {
  return withoutNulls({
    ...event,
    feed: EVENT_FEED,
    atId: eventSortKey(event),
    // DynamoDB's TTL deletes the row some time (typically within days) after this instant.
    [EVENT_TTL_ATTRIBUTE]: retentionDays === null ? null : Math.ceil(event.at / 1000) + retentionDays * 86_400,
  });
}

export function eventFromItem(item: Item): AuditEvent {
  return parseItem(EventItem, item, 'event');
}
