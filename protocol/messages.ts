/**
 * The door ⇄ back end contract. Every message is JSON, versioned (`v: 1`), validated with these
 * schemas on receipt, and times are epoch milliseconds (UTC).
 */
import { z } from 'zod';
import { describeIssues } from '../lib/zod-issues.js';
import { DOOR_ID_PATTERN } from './topics.js';
import { MAX_FRAME_JPEG_BYTES, MAX_PULSE_MS, MIN_PULSE_MS } from './limits.js';

export const DoorId = z.string().regex(DOOR_ID_PATTERN, 'door id must be 1-64 chars of a-z, 0-9 and -');
export const EpochMs = z.number().int().nonnegative();
const Id = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'id must be url-safe');

/** base64 whose decoded size is within the JPEG budget; the bytes themselves are checked by the back end. */
const Base64Jpeg = z
  .string()
  .max(Math.ceil((MAX_FRAME_JPEG_BYTES * 4) / 3) + 4, `jpeg must be at most ${MAX_FRAME_JPEG_BYTES} bytes`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'jpeg must be base64');

/** door → back end, on `facegate/doors/{doorId}/frames`. */
export const FrameMessage = z.object({
  v: z.literal(1),
  doorId: DoorId,
  frameId: Id,
  capturedAt: EpochMs,
  jpeg: Base64Jpeg,
});
export type FrameMessage = z.infer<typeof FrameMessage>;

export const DenyReason = z.enum([
  'unknown', // no enrolled face matched
  'inactive', // person deactivated
  'not_yet_valid', // before the person's access validity
  'expired', // after the person's access validity
  'door_not_allowed', // person may not use this door
  'door_disabled', // door is disabled by an admin
]);
export type DenyReason = z.infer<typeof DenyReason>;

const CommandBase = z.object({
  v: z.literal(1),
  doorId: DoorId,
  decisionId: Id,
  issuedAt: EpochMs,
  expiresAt: EpochMs,
  /** The frame this decision answers (absent for remote unlocks): lets doors and benchmarks trace latency. */
  frameId: Id.optional(),
});

/** back end → door, on `facegate/doors/{doorId}/commands`. Only `unlock` ever moves the relay. */
export const UnlockCommand = CommandBase.extend({
  type: z.literal('unlock'),
  pulseMs: z.number().int().min(MIN_PULSE_MS).max(MAX_PULSE_MS),
  /** 'face' for a recognised person, 'remote' for an admin's remote unlock. */
  source: z.enum(['face', 'remote']),
});
export type UnlockCommand = z.infer<typeof UnlockCommand>;

/** Tells the door a face was seen and refused (for a red light / beep); never moves the relay. */
export const DenyCommand = CommandBase.extend({
  type: z.literal('deny'),
  reason: DenyReason,
});
export type DenyCommand = z.infer<typeof DenyCommand>;

export const DoorCommand = z.discriminatedUnion('type', [UnlockCommand, DenyCommand]);
export type DoorCommand = z.infer<typeof DoorCommand>;

export const LockState = z.enum(['locked', 'unlocked', 'unknown']);
export type LockState = z.infer<typeof LockState>;

/** door → back end, retained, on `facegate/doors/{doorId}/status`; also the door's last will (online: false). */
export const DoorStatusMessage = z.object({
  v: z.literal(1),
  doorId: DoorId,
  online: z.boolean(),
  lock: LockState,
  agentVersion: z.string().max(64).optional(),
  at: EpochMs,
});
export type DoorStatusMessage = z.infer<typeof DoorStatusMessage>;

export const DoorEventType = z.enum([
  'unlocked', // relay energised for a pulse
  'locked', // relay released
  'command_rejected', // expired, duplicate, malformed or for another door
  'door_opened', // door contact sensor
  'door_closed',
  'agent_error',
]);
export type DoorEventType = z.infer<typeof DoorEventType>;

/** door → back end, on `facegate/doors/{doorId}/events`. */
export const DoorEventMessage = z.object({
  v: z.literal(1),
  doorId: DoorId,
  type: DoorEventType,
  at: EpochMs,
  decisionId: Id.optional(),
  detail: z.string().max(500).optional(),
});
export type DoorEventMessage = z.infer<typeof DoorEventMessage>;

/**
 * Parses an MQTT payload as JSON and validates it: never throws, so a bad message can be logged
 * and dropped by whoever received it.
 */
export function parseMessage<T extends z.ZodTypeAny>(
  schema: T,
  payload: Uint8Array | string,
): { ok: true; value: z.infer<T> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    return { ok: false, error: `invalid message: ${describeIssues(result.error)}` };
  }
  return { ok: true, value: result.data };
}
