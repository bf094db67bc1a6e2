/**
 * The door ⇄ back end contract, protocol version 2. Every message is JSON with `v: 2`, validated
 * with these schemas on receipt; times are epoch milliseconds (UTC).
 *
 * Version 2 (this one): the door decides what is worth sending. It finds faces itself, groups the
 * frames of one person walking up into a *visit*, and sends only the best few frames of it, each
 * tagged with the visit; the back end answers each visit exactly once (one unlock or one deny, one
 * log entry). Events carry an id of the door's making, so an event replayed from the door's
 * offline queue is recognised and recorded once.
 *
 * Version 1 (per-frame decisions, topics without a site) is not accepted: its topics are refused
 * by the broker and the IoT policy, and a v1 payload reaching a v2 back end is refused with the
 * reason "protocol v1 is not supported". The door stays locked and the back end records one
 * door event per minute asking for the agent to be updated.
 */
import { z } from 'zod';
import { describeIssues } from '../lib/zod-issues.js';
import { DOOR_ID_PATTERN } from './topics.js';
import { MAX_FRAME_JPEG_BYTES, MAX_FRAMES_PER_VISIT, MAX_PULSE_MS, MIN_PULSE_MS } from './limits.js';

export const PROTOCOL_VERSION = 2;
const Version = z.literal(PROTOCOL_VERSION);

export const DoorId = z.string().regex(DOOR_ID_PATTERN, 'door id must be 1-64 chars of a-z, 0-9 and -');
export const EpochMs = z.number().int().nonnegative();
export const MessageId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'id must be url-safe');
const Id = MessageId;

/** base64 whose decoded size is within the JPEG budget; the bytes themselves are checked by the back end. */
const Base64Jpeg = z
  .string()
  .max(Math.ceil((MAX_FRAME_JPEG_BYTES * 4) / 3) + 4, `jpeg must be at most ${MAX_FRAME_JPEG_BYTES} bytes`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'jpeg must be base64');

const Pixels = z.number().int().min(0).max(16_384);

/** Where the door saw the face, in pixels of the JPEG it sent, and how good it looked there. */
export const FrameFace = z.object({
  box: z.object({ x: Pixels, y: Pixels, width: Pixels.min(1), height: Pixels.min(1) }),
  /** Detector confidence, 0..1. */
  score: z.number().min(0).max(1),
  /** Sharpness of the face crop, 0..100 (the back end's scale). */
  sharpness: z.number().min(0).max(100),
});
export type FrameFace = z.infer<typeof FrameFace>;

/** Which visit a frame belongs to. */
export const VisitRef = z.object({
  id: Id,
  /** 0 for the first frame the door sends in this visit, then 1, 2… */
  seq: z
    .number()
    .int()
    .min(0)
    .max(MAX_FRAMES_PER_VISIT - 1),
  /** When the door first saw a usable face in this visit. */
  startedAt: EpochMs,
  /** The door sends no further frame for this visit: the back end decides now. */
  last: z.boolean(),
});
export type VisitRef = z.infer<typeof VisitRef>;

/** door → back end, on `facegate/{site}/doors/{doorId}/frames`: one of the best frames of a visit. */
export const FrameMessage = z.object({
  v: Version,
  type: z.literal('frame'),
  doorId: DoorId,
  frameId: Id,
  capturedAt: EpochMs,
  jpeg: Base64Jpeg,
  visit: VisitRef,
  face: FrameFace,
});
export type FrameMessage = z.infer<typeof FrameMessage>;

export const VisitEndReason = z.enum([
  'face_gone', // no face seen for the configured idle time
  'max_duration', // the visit lasted as long as one may
  'stopped', // the agent is stopping
  'offline', // the link dropped during the visit
]);
export type VisitEndReason = z.infer<typeof VisitEndReason>;

/**
 * door → back end, on the frames topic (so it arrives after the visit's frames): the visit is
 * over. A back end still waiting for frames of this visit decides with what it has.
 */
export const VisitEndMessage = z.object({
  v: Version,
  type: z.literal('visit_end'),
  doorId: DoorId,
  visitId: Id,
  endedAt: EpochMs,
  framesSent: z.number().int().min(0).max(MAX_FRAMES_PER_VISIT),
  reason: VisitEndReason,
});
export type VisitEndMessage = z.infer<typeof VisitEndMessage>;

/** Everything a door may publish on its frames topic. */
export const FramesTopicMessage = z.discriminatedUnion('type', [FrameMessage, VisitEndMessage]);
export type FramesTopicMessage = z.infer<typeof FramesTopicMessage>;

export const DenyReason = z.enum([
  'unknown', // no enrolled face matched
  'inactive', // person deactivated
  'not_yet_valid', // before the person's access validity
  'expired', // after the person's access validity
  'door_not_allowed', // person may not use this door
  'door_disabled', // door is disabled by an admin
  'rate_limited', // the door sent more visits than its ceiling allows (cost guard)
]);
export type DenyReason = z.infer<typeof DenyReason>;

const CommandBase = z.object({
  v: Version,
  doorId: DoorId,
  decisionId: Id,
  issuedAt: EpochMs,
  expiresAt: EpochMs,
  /** The visit this decision answers (absent for remote unlocks). */
  visitId: Id.optional(),
  /** The frame that decided it (absent for remote unlocks and visit ends): lets doors and benchmarks trace latency. */
  frameId: Id.optional(),
});

/** back end → door, on `facegate/{site}/doors/{doorId}/commands`. Only `unlock` ever moves the relay. */
export const UnlockCommand = CommandBase.extend({
  type: z.literal('unlock'),
  pulseMs: z.number().int().min(MIN_PULSE_MS).max(MAX_PULSE_MS),
  /** 'face' for a recognised person, 'remote' for an admin's remote unlock. */
  source: z.enum(['face', 'remote']),
});
export type UnlockCommand = z.infer<typeof UnlockCommand>;

/** Tells the door a visit was refused (for a red light / beep); never moves the relay. */
export const DenyCommand = CommandBase.extend({
  type: z.literal('deny'),
  reason: DenyReason,
});
export type DenyCommand = z.infer<typeof DenyCommand>;

export const DoorCommand = z.discriminatedUnion('type', [UnlockCommand, DenyCommand]);
export type DoorCommand = z.infer<typeof DoorCommand>;

export const LockState = z.enum(['locked', 'unlocked', 'unknown']);
export type LockState = z.infer<typeof LockState>;

export const ContactState = z.enum(['open', 'closed', 'unknown']);
export type ContactState = z.infer<typeof ContactState>;

/** door → back end, retained, on `facegate/{site}/doors/{doorId}/status`; also the door's last will (online: false). */
export const DoorStatusMessage = z.object({
  v: Version,
  doorId: DoorId,
  online: z.boolean(),
  lock: LockState,
  /** The door contact, when one is wired. */
  contact: ContactState.optional(),
  agentVersion: z.string().max(64).optional(),
  /** Events waiting in the door's offline queue. */
  queuedEvents: z.number().int().min(0).optional(),
  at: EpochMs,
});
export type DoorStatusMessage = z.infer<typeof DoorStatusMessage>;

export const DoorEventType = z.enum([
  'unlocked', // relay energised for a pulse
  'locked', // relay released
  'command_rejected', // expired, duplicate, malformed or for another door
  'door_opened', // door contact: opened after a granted unlock
  'door_closed',
  'door_forced_open', // opened while no unlock was granted
  'door_held_open', // still open after the configured time
  'exit_button', // request-to-exit pressed (the door unlocks locally, also offline)
  'agent_error',
]);
export type DoorEventType = z.infer<typeof DoorEventType>;

/** What moved the relay, on `unlocked` events. */
export const UnlockSource = z.enum(['face', 'remote', 'exit_button']);
export type UnlockSource = z.infer<typeof UnlockSource>;

/** door → back end, on `facegate/{site}/doors/{doorId}/events`. */
export const DoorEventMessage = z.object({
  v: Version,
  doorId: DoorId,
  /** Made by the door, unique per event: a replay from its offline queue is recorded once. */
  eventId: Id,
  type: DoorEventType,
  /** When it happened at the door (not when it was delivered). */
  at: EpochMs,
  decisionId: Id.optional(),
  source: UnlockSource.optional(),
  detail: z.string().max(500).optional(),
});
export type DoorEventMessage = z.infer<typeof DoorEventMessage>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** The `v` of a JSON object, or null when it has none. */
function versionOf(json: unknown): unknown {
  return json !== null && typeof json === 'object' && 'v' in json ? json.v : null;
}

/**
 * Validates an already-parsed message. A message of another protocol version gets an error
 * saying so (an outdated agent is a different problem from a malformed message).
 */
export function validateMessage<T extends z.ZodTypeAny>(schema: T, json: unknown): ParseResult<z.infer<T>> {
  const v = versionOf(json);
  if (typeof v === 'number' && v !== PROTOCOL_VERSION) {
    return { ok: false, error: `protocol v${v} is not supported (this side speaks v${PROTOCOL_VERSION})` };
  }
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, error: `invalid message: ${describeIssues(result.error)}` };
  return { ok: true, value: result.data };
}

/** True when a parse error is about the protocol version rather than the message. */
export function isVersionError(error: string): boolean {
  return error.startsWith('protocol v');
}

/**
 * Parses an MQTT payload as JSON and validates it: never throws, so a bad message can be logged
 * and dropped by whoever received it.
 */
export function parseMessage<T extends z.ZodTypeAny>(schema: T, payload: Uint8Array | string): ParseResult<z.infer<T>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  return validateMessage(schema, json);
}
