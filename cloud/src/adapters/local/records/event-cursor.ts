/**
 * Opaque keyset cursor for the audit log: the (at, eventId) of the last event on a page,
 * base64url JSON. Keyset paging stays correct while new events are appended.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../../errors.js';

const CursorShape = z.object({ at: z.number().int(), id: z.string().min(1).max(200) }).strict();
export type EventCursor = z.infer<typeof CursorShape>;

export function encodeEventCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeEventCursor(raw: string): EventCursor {
  let json: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch (err) {
    throw new InvalidInputError('malformed events cursor', { cause: err });
  }
  const parsed = CursorShape.safeParse(json);
  if (!parsed.success) throw new InvalidInputError('malformed events cursor');
  return parsed.data;
}
