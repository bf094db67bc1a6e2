/**
 * DynamoDB adapter of AdminUserStore: the admin site's accounts and sessions in the stack's
 * `admins` table (dynamo-schema.ts), so the EC2 host keeps no state and can be replaced without
 * losing an account or signing anyone out.
 *
 * One table, two kinds of item told apart by their key's prefix: `user#<username>` and
 * `session#<sha256 of the session id>`. Sessions carry `sessionUser` (the sparse index that ends a
 * user's sessions on a password change) and `expiresAtSec`, their absolute end, for DynamoDB's
 * TTL; purgeExpired also deletes idle ones (TTL cannot know about idleness, and dynalite has no
 * TTL). The table is small (a few admins, their live sessions), so list and purge scan it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ConflictError } from '../../../cloud/src/errors.js';
import { ADMIN_SESSIONS_BY_USER } from '../../../cloud/src/adapters/aws/dynamo-schema.js';
import { asUpstream, callAws, isAwsError } from '../../../cloud/src/adapters/aws/aws-errors.js';
import type { AdminSession, AdminUser, AdminUserStore, SessionStore } from './admin-user-store.js';
import { DEFAULT_SESSION_POLICY } from './sessions.js';

const USER = 'user#';
const SESSION = 'session#';

/** Items are read back through these schemas: a malformed item is an error, never a half-filled account. */
const UserItem = z.object({
  key: z.string().startsWith(USER),
  username: z.string(),
  passwordHash: z.string(),
  mustChangePassword: z.boolean(),
  createdAt: z.number(),
  lastLoginAt: z.number().nullable(),
});

const SessionItem = z.object({
  key: z.string().startsWith(SESSION),
  sessionUser: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
});

function toUser(item: unknown): AdminUser {
  const { key: _key, ...user } = UserItem.parse(item);
  return user;
}

function toSession(item: unknown): AdminSession {
  const s = SessionItem.parse(item);
  return {
    idHash: s.key.slice(SESSION.length),
    username: s.sessionUser,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
  };
}

export interface DynamoAdminUserStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** A session's absolute lifetime, written as its TTL (the SessionManager enforces it too). */
  sessionLifetimeMs?: number;
}

type Doc = DynamoDBDocumentClient;

/** Every item of the table matching a filter (`#k` names the key attribute, a reserved word), one page at a time (the table holds a few hundred items at most). */
async function scanKeys(doc: Doc, tableName: string, filter: string, values: Record<string, unknown>) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await callAws('DynamoDB', 'Scan', () =>
      doc.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: filter,
          ExpressionAttributeNames: { '#k': 'key' },
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly doc: Doc,
    private readonly tableName: string,
    private readonly lifetimeMs: number,
  ) {}

  async insert(s: AdminSession): Promise<void> {
    await callAws('DynamoDB', 'PutItem', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            key: SESSION + s.idHash,
            sessionUser: s.username,
            createdAt: s.createdAt,
            lastSeenAt: s.lastSeenAt,
            expiresAtSec: Math.ceil((s.createdAt + this.lifetimeMs) / 1000),
          },
          // Session ids are 256 random bits; a collision is a bug, never a silent takeover.
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': 'key' },
        }),
      ),
    );
  }

  async find(idHash: string): Promise<AdminSession | null> {
    const { Item } = await callAws('DynamoDB', 'GetItem', () =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { key: SESSION + idHash }, ConsistentRead: true }),
      ),
    );
    return Item ? toSession(Item) : null;
  }

  async touch(idHash: string, at: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: SESSION + idHash },
          UpdateExpression: 'SET lastSeenAt = :at',
          // Never resurrect a session that was signed out meanwhile as a bare item.
          ConditionExpression: 'attribute_exists(#k)',
          ExpressionAttributeNames: { '#k': 'key' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return;
      throw asUpstream('DynamoDB', 'UpdateItem', err);
    }
  }

  async delete(idHash: string): Promise<void> {
    await callAws('DynamoDB', 'DeleteItem', () =>
      this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { key: SESSION + idHash } })),
    );
  }

  async deleteForUser(username: string): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await callAws('DynamoDB', 'Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: ADMIN_SESSIONS_BY_USER,
            KeyConditionExpression: 'sessionUser = :u',
            ExpressionAttributeValues: { ':u': username },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) await this.deleteKey(String(item.key));
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async purgeExpired(idleBefore: number, createdBefore: number): Promise<number> {
    const expired = await scanKeys(
      this.doc,
      this.tableName,
      'begins_with(#k, :session) AND (lastSeenAt < :idle OR createdAt < :created)',
      { ':session': SESSION, ':idle': idleBefore, ':created': createdBefore },
    );
    for (const item of expired) await this.deleteKey(String(item.key));
    return expired.length;
  }

  private async deleteKey(key: string): Promise<void> {
    await callAws('DynamoDB', 'DeleteItem', () =>
      this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { key } })),
    );
  }
}

export class DynamoAdminUserStore implements AdminUserStore {
  readonly sessions: SessionStore;
  private readonly doc: Doc;
  private readonly tableName: string;

  constructor(options: DynamoAdminUserStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.sessions = new DynamoSessionStore(
      this.doc,
      this.tableName,
      options.sessionLifetimeMs ?? DEFAULT_SESSION_POLICY.absoluteMs,
    );
  }

  async create(
    user: { username: string; passwordHash: string; mustChangePassword: boolean },
    at: number,
  ): Promise<AdminUser> {
    const created: AdminUser = { ...user, createdAt: at, lastLoginAt: null };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { key: USER + user.username, ...created },
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': 'key' },
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) {
        throw new ConflictError(`admin user ${JSON.stringify(user.username)} already exists`);
      }
      throw asUpstream('DynamoDB', 'PutItem', err);
    }
    return created;
  }

  async findByUsername(username: string): Promise<AdminUser | null> {
    const { Item } = await callAws('DynamoDB', 'GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { key: USER + username }, ConsistentRead: true })),
    );
    return Item ? toUser(Item) : null;
  }

  async setPassword(username: string, passwordHash: string, mustChangePassword: boolean): Promise<void> {
    await this.updateExisting(username, 'SET passwordHash = :h, mustChangePassword = :m', {
      ':h': passwordHash,
      ':m': mustChangePassword,
    });
  }

  async list(): Promise<AdminUser[]> {
    const items = await scanKeys(this.doc, this.tableName, 'begins_with(#k, :user)', { ':user': USER });
    return items.map(toUser).sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  async recordLogin(username: string, at: number): Promise<void> {
    await this.updateExisting(username, 'SET lastLoginAt = :at', { ':at': at });
  }

  /** The client belongs to the composition root, which destroys it. */
  async close(): Promise<void> {}

  /** Like SQLite's UPDATE … WHERE: a user that does not exist is left not existing. */
  private async updateExisting(username: string, update: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: USER + username },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(#k)',
          ExpressionAttributeNames: { '#k': 'key' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return;
      throw asUpstream('DynamoDB', 'UpdateItem', err);
    }
  }
}
