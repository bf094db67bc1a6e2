/**
 * The DynamoDB tables FaceGate uses, described once: the CDK stack builds them from this and the
 * tests create the same tables on dynalite, so the adapter is tested against the deployed shape.
 *
 * Four small tables rather than one overloaded table: each has one access pattern set, the IAM
 * grants stay per table, and erasure is a plain delete per table (no transactions needed).
 *
 * - people  pk personId                   (list = Scan; a site has hundreds to thousands of people)
 * - faces   pk faceId,  GSI byPerson (personId, createdAt)
 * - doors   pk doorId                     (list = Scan)
 * - events  pk feed (constant), sk atId = zero-padded `at` + '#' + eventId, newest first;
 *           GSI byDoor (doorId, atId), GSI byPerson (personId, atId); both sparse: an event
 *           without a door or person (or erased) simply is not in that index.
 *           TTL attribute expiresAtSec (epoch seconds) when a retention period is configured.
 * - visits  pk visitKey = doorId + '#' + visitId: one item per visit (its frames are attributes
 *           f0…f3, at most MAX_FRAMES_PER_VISIT), claimed once by a conditional write;
 *           GSI openByDeadline (openShard, decideBy), sparse: only undecided visits carry
 *           openShard, so the sweeper reads exactly the visits it may have to close.
 *           TTL attribute expiresAtSec: a visit is kept minutes, not days (readers also ignore
 *           an expired item that TTL has not deleted yet).
 * - budgets pk doorId: one token bucket per door (tokens, at, rev), updated by compare-and-swap on
 *           rev (dynamo-search-budget.ts); a few hundred bytes per door, never expired.
 * - admins  pk key = 'user#' + username | 'session#' + SHA-256 of the session id: the admin site's
 *           accounts and sessions, so replacing the admin host loses nothing. GSI sessionsByUser
 *           (sessionUser), sparse: only sessions carry it (sign-out everywhere on a password change).
 *           TTL attribute expiresAtSec on sessions (their absolute lifetime).
 */

export type TableRole = 'people' | 'faces' | 'doors' | 'events' | 'visits' | 'budgets' | 'admins';
export const TABLE_ROLES: readonly TableRole[] = ['people', 'faces', 'doors', 'events', 'visits', 'budgets', 'admins'];

export type TableNames = Record<TableRole, string>;

/** The tables Records uses (the visits table belongs to recognition and the sweeper alone). */
export type RecordsTableRole = Exclude<TableRole, 'visits' | 'budgets' | 'admins'>;
export const RECORDS_TABLE_ROLES: readonly RecordsTableRole[] = ['people', 'faces', 'doors', 'events'];
export type RecordsTableNames = Pick<TableNames, RecordsTableRole>;

type AttributeType = 'S' | 'N';

export interface KeyDescription {
  partitionKey: { name: string; type: AttributeType };
  sortKey?: { name: string; type: AttributeType };
}

export interface TableDescription extends KeyDescription {
  indexes: (KeyDescription & { indexName: string })[];
  /** Attribute DynamoDB's TTL deletes by (epoch seconds), if the table expires items. */
  ttlAttribute?: string;
}

/** Every event shares one partition of the main feed so a newest-first listing is one Query. */
export const EVENT_FEED = 'all';

export const FACES_BY_PERSON = 'byPerson';
export const EVENTS_BY_DOOR = 'byDoor';
export const EVENTS_BY_PERSON = 'byPerson';
export const EVENT_TTL_ATTRIBUTE = 'expiresAtSec';
export const VISITS_OPEN_BY_DEADLINE = 'openByDeadline';
export const VISIT_TTL_ATTRIBUTE = 'expiresAtSec';
export const ADMIN_SESSIONS_BY_USER = 'sessionsByUser';
export const ADMIN_SESSION_TTL_ATTRIBUTE = 'expiresAtSec';

export const TABLES: Record<TableRole, TableDescription> = {
  people: {
    partitionKey: { name: 'personId', type: 'S' },
    indexes: [],
  },
  faces: {
    partitionKey: { name: 'faceId', type: 'S' },
    indexes: [
      {
        indexName: FACES_BY_PERSON,
        partitionKey: { name: 'personId', type: 'S' },
        sortKey: { name: 'createdAt', type: 'N' },
      },
    ],
  },
  doors: {
    partitionKey: { name: 'doorId', type: 'S' },
    indexes: [],
  },
  events: {
    partitionKey: { name: 'feed', type: 'S' },
    sortKey: { name: 'atId', type: 'S' },
    indexes: [
      { indexName: EVENTS_BY_DOOR, partitionKey: { name: 'doorId', type: 'S' }, sortKey: { name: 'atId', type: 'S' } },
      {
        indexName: EVENTS_BY_PERSON,
        partitionKey: { name: 'personId', type: 'S' },
        sortKey: { name: 'atId', type: 'S' },
      },
    ],
    ttlAttribute: EVENT_TTL_ATTRIBUTE,
  },
  visits: {
    partitionKey: { name: 'visitKey', type: 'S' },
    indexes: [
      {
        indexName: VISITS_OPEN_BY_DEADLINE,
        partitionKey: { name: 'openShard', type: 'S' },
        sortKey: { name: 'decideBy', type: 'N' },
      },
    ],
    ttlAttribute: VISIT_TTL_ATTRIBUTE,
  },
  budgets: {
    partitionKey: { name: 'doorId', type: 'S' },
    indexes: [],
  },
  admins: {
    partitionKey: { name: 'key', type: 'S' },
    indexes: [{ indexName: ADMIN_SESSIONS_BY_USER, partitionKey: { name: 'sessionUser', type: 'S' } }],
    ttlAttribute: ADMIN_SESSION_TTL_ATTRIBUTE,
  },
};

/** The attribute definitions a CreateTable call needs (every key attribute of the table and its indexes, once). */
export function attributeDefinitions(
  table: TableDescription,
): { AttributeName: string; AttributeType: AttributeType }[] {
  const seen = new Map<string, AttributeType>();
  for (const key of [table, ...table.indexes]) {
    seen.set(key.partitionKey.name, key.partitionKey.type);
    if (key.sortKey) seen.set(key.sortKey.name, key.sortKey.type);
  }
  return [...seen].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

function keySchema(key: KeyDescription): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] {
  return [
    { AttributeName: key.partitionKey.name, KeyType: 'HASH' },
    ...(key.sortKey ? [{ AttributeName: key.sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

/** A CreateTable request for this description (on-demand billing, all attributes projected). */
export function createTableInput(tableName: string, table: TableDescription) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeDefinitions(table),
    KeySchema: keySchema(table),
    ...(table.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
