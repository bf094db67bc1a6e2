/**
 * Opaque paging cursor for the events table: the primary and index key of the last event a page
 * returned, as base64url JSON. Starting after a returned event (not after DynamoDB's own
 * LastEvaluatedKey) lets a page stop exactly at `limit` even when a filter skipped rows.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../errors.js';

const CursorKey = z
  .object({
    feed: z.string().min(1).max(64),
    atId: z.string().min(1).max(200),
    doorId: z.string().min(1).max(64).optional(),
    personId: z.string().min(1).max(200).optional(),
  })
  .strict();
export type CursorKey = z.infer<typeof CursorKey>;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidInputError('invalid events cursor');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new InvalidInputError('invalid events cursor', { cause: err });
  }
  const parsed = CursorKey.safeParse(json);
  if (!parsed.success) throw new InvalidInputError('invalid events cursor', { cause: parsed.error });
  return parsed.data;
}
