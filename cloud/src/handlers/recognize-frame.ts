/**
 * The recognition handler, written once as the future Lambda handler with its dependencies
 * injected: frame → largest face → search the enrolled faces → access rules → command to the
 * door → snapshot + audit event. It never throws: bad input is logged and rejected without
 * changing anything, and any failure of the engine or a store ends without an unlock (fail secure).
 */
import {
  DEFAULT_COMMAND_TTL_MS,
  DoorCommand,
  FrameMessage,
  MAX_CLOCK_SKEW_MS,
  MAX_FRAME_JPEG_BYTES,
  MAX_PULSE_MS,
  MIN_PULSE_MS,
  type DenyReason,
} from '../../../protocol/index.js';
import type { Logger } from '../../../lib/logger.js';
import { ImageDecodeError } from '../errors.js';
import { decideAccess } from '../domain/access-rules.js';
import { auditEvent } from '../domain/audit-event.js';
import { newId } from '../domain/ids.js';
import { sniffImageType } from '../domain/image-format.js';
import type { AuditEvent, Door, Person } from '../domain/types.js';
import type { Clock } from '../ports/clock.js';
import type { DoorMessaging } from '../ports/door-messaging.js';
import type { FaceIndex, FaceSearchResult } from '../ports/face-index.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Records } from '../ports/records.js';
import { parseDoorPayload } from './parse-payload.js';
import { checkImagePixels } from '../domain/image-limits.js';
import { RepeatWindow } from './repeat-window.js';
import { snapshotKey } from './snapshot-key.js';

export interface RecognizeSettings {
  /** Frames older than this (capturedAt vs the back end's clock) are dropped: the person has moved on. */
  maxFrameAgeMs: number;
  /** Lifetime of the command sent to the door. */
  commandTtlMs: number;
  /** Same person + door + denial within this window: command sent again, no new event (grants are always logged). */
  repeatEventWindowMs: number;
}

export const DEFAULT_RECOGNIZE_SETTINGS: RecognizeSettings = {
  maxFrameAgeMs: 5_000,
  commandTtlMs: DEFAULT_COMMAND_TTL_MS,
  repeatEventWindowMs: 10_000,
};

export interface RecognizeFrameDeps {
  faceIndex: FaceIndex;
  records: Records;
  images: ImageStore;
  messaging: DoorMessaging;
  clock: Clock;
  logger: Logger;
  settings?: Partial<RecognizeSettings>;
}

export type RecognizeOutcome =
  | { status: 'rejected'; reason: string } // bad input or a failure: logged, nothing changed
  | { status: 'stale'; ageMs: number }
  | { status: 'no_face' }
  | {
      status: 'decided';
      result: 'granted' | 'denied';
      reason: DenyReason | 'match';
      personId: string | null;
      similarity: number | null;
      decisionId: string;
      eventId: string | null;
    };

export interface RecognizeFrameInput {
  topicDoorId: string;
  /** Buffer or string from MQTT, or the object an IoT rule passes to a Lambda. */
  payload: unknown;
}

export type RecognizeFrameHandler = (input: RecognizeFrameInput) => Promise<RecognizeOutcome>;

/** Bad frames from one door leave at most one audit event per problem in this window. */
export const PROBLEM_EVENT_WINDOW_MS = 60_000;

export function createRecognizeFrameHandler(deps: RecognizeFrameDeps): RecognizeFrameHandler {
  const settings: RecognizeSettings = { ...DEFAULT_RECOGNIZE_SETTINGS, ...deps.settings };
  const baseLog = deps.logger.child({ component: 'recognize-frame' });
  const repeats = new RepeatWindow(settings.repeatEventWindowMs);
  const problems = new RepeatWindow(PROBLEM_EVENT_WINDOW_MS);

  async function reportProblem(doorId: string, problem: string, reason: string): Promise<void> {
    try {
      const now = deps.clock();
      if (problems.isRepeat(`${doorId}|${problem}`, now)) return;
      if (!(await deps.records.getDoor(doorId))) return;
      await deps.records.appendEvent(
        auditEvent({ at: now, kind: 'door_event', doorId, detail: `frame rejected: ${reason}`.slice(0, 500) }),
      );
    } catch (err) {
      baseLog.error({ err, doorId }, 'could not record a rejected frame in the audit log');
    }
  }

  return async function recognizeFrame(input: RecognizeFrameInput): Promise<RecognizeOutcome> {
    const log = baseLog.child({ doorId: input.topicDoorId });
    /**
     * Logs the refusal; with a `problem`, also leaves a 'door_event' in the audit log for the
     * topic's door (authentic: the broker/IoT policy bound it to the door's certificate), at most
     * once a minute per door and problem, so an admin sees a faulty or tampered door without a
     * flood of events. Never on behalf of a door that is not registered.
     */
    const rejected = async (
      reason: string,
      extra: Record<string, unknown> = {},
      problem?: string,
    ): Promise<RecognizeOutcome> => {
      log.warn(extra, `frame rejected: ${reason}`);
      if (problem) await reportProblem(input.topicDoorId, problem, reason);
      return { status: 'rejected', reason };
    };

    try {
      // 1. The message itself.
      const parsed = parseDoorPayload(FrameMessage, input.payload);
      if (!parsed.ok) return rejected(parsed.error, {}, 'malformed');
      const frame = parsed.value;
      const frameLog = log.child({ frameId: frame.frameId });
      // Topic ACLs make the topic's door authentic; a payload naming another door is a bug or a forgery.
      if (frame.doorId !== input.topicDoorId) {
        return rejected(
          `payload doorId ${JSON.stringify(frame.doorId)} does not match the topic's door`,
          { frameId: frame.frameId },
          'door_mismatch',
        );
      }
      const door = await deps.records.getDoor(frame.doorId);
      if (!door) return rejected('unknown door', { frameId: frame.frameId });

      // 2. Freshness: a busy back end drops what is no longer worth answering.
      const now = deps.clock();
      const ageMs = now - frame.capturedAt;
      if (ageMs < -MAX_CLOCK_SKEW_MS)
        return rejected(`capturedAt is ${-ageMs} ms in the future`, { frameId: frame.frameId }, 'clock');
      if (ageMs > settings.maxFrameAgeMs) {
        frameLog.info({ ageMs }, 'stale frame dropped');
        return { status: 'stale', ageMs };
      }

      // 3. The image: size and content before any decoder sees it.
      const jpeg = Buffer.from(frame.jpeg, 'base64');
      if (jpeg.length === 0 || jpeg.length > MAX_FRAME_JPEG_BYTES) {
        return rejected(
          `image is ${jpeg.length} bytes (1-${MAX_FRAME_JPEG_BYTES} allowed)`,
          { frameId: frame.frameId },
          'image_size',
        );
      }
      const contentType = sniffImageType(jpeg);
      if (!contentType) return rejected('frame is not a JPEG or PNG image', { frameId: frame.frameId }, 'not_an_image');
      // A 92 KB JPEG can declare 64 megapixels: refuse by its header before anything decodes it.
      const pixels = checkImagePixels(jpeg);
      if (!pixels.ok) return rejected(pixels.message, { frameId: frame.frameId, ...pixels.size }, 'image_too_large');

      // 4. Search. Any failure here ends without a command: fail secure.
      let search: FaceSearchResult;
      try {
        search = await deps.faceIndex.search(jpeg);
      } catch (err) {
        if (err instanceof ImageDecodeError)
          return rejected(`image could not be decoded: ${err.message}`, { frameId: frame.frameId }, 'undecodable');
        frameLog.error({ err }, 'face search failed; no decision (door stays locked)');
        return { status: 'rejected', reason: 'face search failed' };
      }
      if (!search.face) {
        frameLog.debug('no face in frame');
        return { status: 'no_face' };
      }

      // 5. Who, and may they pass.
      const best = search.matches[0];
      const matched = best && best.similarity >= deps.faceIndex.threshold ? best : null;
      const person = matched ? await deps.records.getPerson(matched.personId) : null;
      const decision = decideAccess(person, door, now);
      const reason: DenyReason | 'match' = decision.result === 'granted' ? 'match' : decision.reason;
      const similarity = matched ? matched.similarity : null;
      const decisionId = newId();

      // 6. Tell the door first: the person is waiting; the log can follow.
      // Issued now, after the search: the expiry window must not be eaten by the time recognition took.
      const command = buildCommand(
        door,
        decision.result,
        reason,
        decisionId,
        deps.clock(),
        settings.commandTtlMs,
        frame.frameId,
      );
      let delivered = true;
      try {
        await deps.messaging.publishCommand(command);
      } catch (err) {
        delivered = false;
        frameLog.error({ err, decisionId }, 'command could not be published (door stays locked)');
      }

      const personId = person?.personId ?? null;
      const repeatKey = `${personId ?? 'unknown'}|${door.doorId}|${decision.result}|${reason}`;
      const outcome = { status: 'decided' as const, result: decision.result, reason, personId, similarity, decisionId };
      // Only denials are collapsed: every unlock we send stays on record, so a door's report of an
      // unlock can be matched to the grant behind it (unlock-provenance.ts).
      if (decision.result === 'denied' && repeats.isRepeat(repeatKey, now)) {
        frameLog.debug({ decisionId, result: decision.result, reason }, 'repeat decision: command sent, no new event');
        return { ...outcome, eventId: null };
      }

      // 7. Snapshot + audit event.
      const eventId = newId();
      const key = snapshotKey(door.doorId, now, eventId);
      let storedKey: string | null = key;
      try {
        await deps.images.put(key, jpeg, contentType);
      } catch (err) {
        storedKey = null;
        frameLog.error({ err, eventId }, 'snapshot could not be stored; event kept without it');
      }
      const event = accessEvent(eventId, now, door, person, decision.result, reason, similarity, storedKey, decisionId);
      if (!delivered) event.detail = 'command not delivered to the door';
      await deps.records.appendEvent(event);
      frameLog.info(
        { decisionId, eventId, result: decision.result, reason, personId, similarity },
        `access ${decision.result}${decision.result === 'denied' ? `: ${reason}` : ''}`,
      );
      return { ...outcome, eventId };
    } catch (err) {
      log.error({ err }, 'frame handling failed; no decision (door stays locked)');
      return { status: 'rejected', reason: 'internal error' };
    }
  };
}

function buildCommand(
  door: Door,
  result: 'granted' | 'denied',
  reason: DenyReason | 'match',
  decisionId: string,
  now: number,
  ttlMs: number,
  frameId: string,
): DoorCommand {
  const base = { v: 2 as const, doorId: door.doorId, decisionId, issuedAt: now, expiresAt: now + ttlMs, frameId };
  const command: DoorCommand =
    result === 'granted'
      ? {
          ...base,
          type: 'unlock',
          source: 'face',
          pulseMs: Math.min(Math.max(door.pulseMs, MIN_PULSE_MS), MAX_PULSE_MS),
        }
      : { ...base, type: 'deny', reason: reason as DenyReason };
  return DoorCommand.parse(command); // the contract the door enforces, checked on our side too
}

function accessEvent(
  eventId: string,
  at: number,
  door: Door,
  person: Person | null,
  result: 'granted' | 'denied',
  reason: DenyReason | 'match',
  score: number | null,
  snapshotKey: string | null,
  decisionId: string,
): AuditEvent {
  return {
    ...auditEvent({ at, kind: 'access', doorId: door.doorId, result, reason, score, snapshotKey, decisionId }),
    eventId,
    personId: person?.personId ?? null,
    personName: person?.name ?? null,
  };
}
