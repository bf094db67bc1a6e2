/**
 * Boundary parsing for door messages: MQTT hands us bytes, the AWS IoT rule hands the Lambda an
 * already-parsed object. Both go through the same zod schema; oversized raw payloads are refused
 * before JSON.parse ever sees them.
 */
import type { z } from 'zod';
import { MAX_MQTT_MESSAGE_BYTES, parseMessage, validateMessage, type ParseResult } from '../../../protocol/index.js';

export type Parsed<T> = ParseResult<T>;

export function parseDoorPayload<T extends z.ZodTypeAny>(schema: T, payload: unknown): Parsed<z.infer<T>> {
  if (typeof payload === 'string' || payload instanceof Uint8Array) {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
    if (size > MAX_MQTT_MESSAGE_BYTES) {
      return { ok: false, error: `payload is ${size} bytes, over the ${MAX_MQTT_MESSAGE_BYTES}-byte message limit` };
    }
    return parseMessage(schema, payload);
  }
  if (payload === null || typeof payload !== 'object') return { ok: false, error: 'payload is not a JSON object' };
  return validateMessage(schema, payload);
}
