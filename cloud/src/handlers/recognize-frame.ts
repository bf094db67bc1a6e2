/**
 * The recognition handler, written once as the future Lambda handler with its dependencies
 * injected. It answers *visits*, not frames: each frame of a visit is searched and kept in the
 * visit store; the visit is answered as soon as its fused score clears the threshold (unlock),
 * or, failing that, once its last frame or its visit_end has arrived (deny), or by the sweeper
 * when the door goes quiet. However many frames come, a visit gets one command and one access-log
 * row; frames of an answered visit are not searched at all.
 *
 * It never throws: bad input is logged and rejected without changing anything, and any failure
 * of the engine or a store ends without an unlock (fail secure).
 */
import {
  DEFAULT_COMMAND_TTL_MS,
  FramesTopicMessage,
  MAX_CLOCK_SKEW_MS,
  MAX_FRAME_JPEG_BYTES,
  type FrameMessage,
  type VisitEndMessage,
} from '../../../protocol/index.js';
import type { Logger } from '../../../lib/logger.js';
import { ImageDecodeError } from '../errors.js';
import { auditEvent } from '../domain/audit-event.js';
import { sniffImageType } from '../domain/image-format.js';
import { DEFAULT_FUSION_RULE, type FusionRule } from '../domain/visit-fusion.js';
import type { Door } from '../domain/types.js';
import type { Clock } from '../ports/clock.js';
import type { DoorMessaging } from '../ports/door-messaging.js';
import type { FaceIndex, FaceSearchResult } from '../ports/face-index.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Records } from '../ports/records.js';
import type { SearchBudget } from '../ports/search-budget.js';
import {
  isVisitComplete,
  type Visit,
  type VisitFrame,
  type VisitStore,
  type VisitTimes,
} from '../ports/visit-store.js';
import { closeVisit, visitMatch, type CloseOutcome, type CloseVisitDeps } from './close-visit.js';
import { checkImagePixels } from '../domain/image-limits.js';
import { parseDoorPayload } from './parse-payload.js';
import { ReportThrottle } from './report-throttle.js';
import { visitSnapshotKey } from './snapshot-key.js';

export interface RecognizeSettings {
  /** Frames older than this (capturedAt vs the back end's clock) are not searched: the person has moved on. */
  maxFrameAgeMs: number;
  /** Lifetime of the command sent to the door. */
  commandTtlMs: number;
  /** A visit with no news for this long (no frame marked last, no visit_end) is answered by the sweeper. */
  visitTimeoutMs: number;
  /** After a visit_end, how long frames it announced may still arrive (Lambda invocations are not ordered). */
  visitEndGraceMs: number;
  /** How long an answered visit is remembered, so its late frames are recognised and ignored. */
  visitRetentionMs: number;
  /** Candidates asked of the search per frame (fusion needs the runners-up, below the threshold too). */
  candidatesPerFrame: number;
}

export const DEFAULT_RECOGNIZE_SETTINGS: RecognizeSettings = {
  maxFrameAgeMs: 5_000,
  commandTtlMs: DEFAULT_COMMAND_TTL_MS,
  visitTimeoutMs: 4_000,
  visitEndGraceMs: 1_500,
  visitRetentionMs: 10 * 60_000,
  candidatesPerFrame: 5,
};

export interface RecognizeFrameDeps {
  faceIndex: FaceIndex;
  records: Records;
  images: ImageStore;
  messaging: DoorMessaging;
  visits: VisitStore;
  searchBudget: SearchBudget;
  clock: Clock;
  logger: Logger;
  /** How a visit's frames are fused (benchmarks compare rules); the shipped default otherwise. */
  fusion?: FusionRule;
  settings?: Partial<RecognizeSettings>;
}

export type RecognizeOutcome =
  | { status: 'rejected'; reason: string } // bad input or a failure: logged, nothing changed
  | { status: 'stale'; ageMs: number }
  /** The frame is stored (searched, or refused by a disabled door); the visit waits for more. */
  | { status: 'waiting'; visitId: string; searched: boolean }
  /** The same frame (visit + seq) again: nothing done. */
  | { status: 'duplicate'; visitId: string }
  /** visit_end for a visit with nothing to answer. */
  | { status: 'closed'; visitId: string }
  | (CloseOutcome & { searched?: boolean });

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
  const problems = new ReportThrottle(PROBLEM_EVENT_WINDOW_MS);
  const fusion = deps.fusion ?? DEFAULT_FUSION_RULE;
  const closeDeps: CloseVisitDeps = {
    records: deps.records,
    images: deps.images,
    messaging: deps.messaging,
    visits: deps.visits,
    clock: deps.clock,
    logger: baseLog,
    threshold: deps.faceIndex.threshold,
    fusion,
    commandTtlMs: settings.commandTtlMs,
  };
  const times = (now: number, decideBy = now + settings.visitTimeoutMs): VisitTimes => ({
    now,
    decideBy,
    expiresAt: now + settings.visitRetentionMs,
  });

  async function reportProblem(doorId: string, problem: string, reason: string): Promise<void> {
    try {
      const now = deps.clock();
      if (!problems.shouldReport(`${doorId}|${problem}`, now)) return;
      if (!(await deps.records.getDoor(doorId))) return;
      await deps.records.appendEvent(
        auditEvent({ at: now, kind: 'door_event', doorId, detail: `frame rejected: ${reason}`.slice(0, 500) }),
      );
    } catch (err) {
      baseLog.error({ err, doorId }, 'could not record a rejected frame in the audit log');
    }
  }

  /** Answers the visit now if its frames already say who it is, or if no more frames will come. */
  async function answerIfReady(visit: Visit, door: Door, frameId: string | null, by: 'frame' | 'visit_end') {
    if (visitMatch(visit, closeDeps.threshold, fusion) || isVisitComplete(visit)) {
      return closeVisit(closeDeps, visit, door, { by, frameId });
    }
    return null;
  }

  async function handleVisitEnd(message: VisitEndMessage, door: Door, log: Logger): Promise<RecognizeOutcome> {
    const now = deps.clock();
    const known = await deps.visits.get(door.doorId, message.visitId, now);
    if (known?.decision) return { status: 'already_decided', visitId: message.visitId };
    if (!known && message.framesSent === 0) return { status: 'closed', visitId: message.visitId };
    // Frames it announced may still be on their way (Lambda invocations race): a short grace.
    const visit = await deps.visits.markEnded(
      door.doorId,
      message.visitId,
      known?.startedAt ?? message.endedAt,
      message.framesSent,
      times(now, now + settings.visitEndGraceMs),
    );
    if (visit.decision) return { status: 'already_decided', visitId: message.visitId };
    log.debug({ visitId: message.visitId, reason: message.reason, framesSent: message.framesSent }, 'visit ended');
    if (isVisitComplete(visit)) {
      if (visit.frames.length === 0) {
        await deps.visits.forget(door.doorId, visit.visitId);
        return { status: 'closed', visitId: message.visitId };
      }
      return closeVisit(closeDeps, visit, door, { by: 'visit_end', frameId: null });
    }
    return { status: 'waiting', visitId: message.visitId, searched: false };
  }

  async function handleFrame(
    frame: FrameMessage,
    door: Door,
    log: Logger,
    rejected: (reason: string, problem?: string) => Promise<RecognizeOutcome>,
  ): Promise<RecognizeOutcome> {
    const visitId = frame.visit.id;
    const frameLog = log.child({ frameId: frame.frameId, visitId, seq: frame.visit.seq });
    frameLog.debug('frame received'); // with 'frame searched', how bench:door times the back end's part

    // 1. The image: size and content before any decoder sees it.
    const jpeg = Buffer.from(frame.jpeg, 'base64');
    if (jpeg.length === 0 || jpeg.length > MAX_FRAME_JPEG_BYTES) {
      return rejected(`image is ${jpeg.length} bytes (1-${MAX_FRAME_JPEG_BYTES} allowed)`, 'image_size');
    }
    const contentType = sniffImageType(jpeg);
    if (!contentType) return rejected('frame is not a JPEG or PNG image', 'not_an_image');
    // A 92 KB JPEG can declare 64 megapixels: refuse by its header before anything decodes it.
    const pixels = checkImagePixels(jpeg);
    if (!pixels.ok) return rejected(pixels.message, 'image_too_large');

    // 2. An answered visit, or a frame already seen: nothing to search.
    const now = deps.clock();
    const known = await deps.visits.get(door.doorId, visitId, now);
    if (known?.decision) {
      frameLog.debug('frame of an answered visit: not searched');
      return { status: 'already_decided', visitId };
    }
    if (known?.frames.some((f) => f.seq === frame.visit.seq)) return { status: 'duplicate', visitId };

    // 3. Freshness: a frame the person has walked away from is not searched; if it was the
    //    visit's last, the visit is answered with the frames it has.
    const ageMs = now - frame.capturedAt;
    if (ageMs > settings.maxFrameAgeMs) {
      frameLog.info({ ageMs }, 'stale frame dropped');
      if (frame.visit.last && known) {
        const visit = await deps.visits.markEnded(
          door.doorId,
          visitId,
          frame.visit.startedAt,
          frame.visit.seq + 1,
          times(now, now + settings.visitEndGraceMs),
        );
        if (!visit.decision && isVisitComplete(visit) && visit.frames.length > 0) {
          await closeVisit(closeDeps, visit, door, { by: 'frame', frameId: null });
        }
      }
      return { status: 'stale', ageMs };
    }

    // 4. The budget: a door that has spent its searches gets no more (each is billed on AWS).
    const searchable = door.enabled;
    if (searchable && !(await deps.searchBudget.tryTake(door.doorId, now))) {
      frameLog.warn('search budget spent: frame not searched');
      const visit = known ?? (await placeholderVisit(door.doorId, frame, now));
      const anyFace = visit.frames.some((f) => f.faceFound);
      return closeVisit(closeDeps, visit, door, {
        by: 'frame',
        frameId: frame.frameId,
        ...(anyFace ? {} : { forcedDenial: 'rate_limited' as const }),
      });
    }

    // 5. Keep the frame (it may become the log's snapshot) while the engine searches it. A
    //    disabled door is answered without a search.
    const key = visitSnapshotKey(door.doorId, now, visitId, frame.visit.seq);
    const [stored, searched] = await Promise.allSettled([
      deps.images.put(key, jpeg, contentType),
      searchable
        ? deps.faceIndex.search(jpeg, { minSimilarity: 0, maxMatches: settings.candidatesPerFrame })
        : Promise.resolve(null),
    ]);
    if (stored.status === 'rejected') frameLog.error({ err: stored.reason }, 'frame image could not be stored');
    const snapshotKey = stored.status === 'fulfilled' ? key : null;
    if (searched.status === 'rejected') {
      if (snapshotKey) await deleteQuietly(deps.images, snapshotKey, frameLog);
      const err: unknown = searched.reason;
      if (err instanceof ImageDecodeError) return rejected(`image could not be decoded: ${err.message}`, 'undecodable');
      frameLog.error({ err }, 'face search failed; frame left out of the visit (door stays locked)');
      return { status: 'rejected', reason: 'face search failed' };
    }
    const search: FaceSearchResult | null = searched.value;

    // 6. Into the visit.
    const record: VisitFrame = {
      seq: frame.visit.seq,
      frameId: frame.frameId,
      capturedAt: frame.capturedAt,
      receivedAt: now,
      last: frame.visit.last,
      faceFound: search?.face != null,
      candidates: (search?.matches ?? []).map((m) => ({ personId: m.personId, similarity: m.similarity })),
      snapshotKey,
      faceArea: frame.face.box.width * frame.face.box.height,
      sharpness: frame.face.sharpness,
    };
    const added = await deps.visits.addFrame(door.doorId, visitId, frame.visit.startedAt, record, times(now));
    if (added.status === 'decided') {
      // Answered while this frame was being searched: its image belongs to no row.
      if (snapshotKey && added.visit.decision?.snapshotKey !== snapshotKey) {
        await deleteQuietly(deps.images, snapshotKey, frameLog);
      }
      return { status: 'already_decided', visitId, searched: searchable };
    }
    if (added.status === 'duplicate') return { status: 'duplicate', visitId };
    frameLog.debug(
      { faceFound: record.faceFound, best: record.candidates[0]?.similarity ?? null },
      searchable ? 'frame searched' : 'frame at a disabled door',
    );

    // 7. Answer now when the frames say who it is, the visit is complete, or the door is disabled.
    const answer = searchable
      ? await answerIfReady(added.visit, door, frame.frameId, 'frame')
      : await closeVisit(closeDeps, added.visit, door, { by: 'frame', frameId: frame.frameId });
    if (answer) return { ...answer, searched: searchable };
    return { status: 'waiting', visitId, searched: searchable };
  }

  /** The visit as a placeholder holding just this (unsearched) frame, for a budget denial. */
  async function placeholderVisit(doorId: string, frame: FrameMessage, now: number): Promise<Visit> {
    const record: VisitFrame = {
      seq: frame.visit.seq,
      frameId: frame.frameId,
      capturedAt: frame.capturedAt,
      receivedAt: now,
      last: frame.visit.last,
      faceFound: false,
      candidates: [],
      snapshotKey: null,
      faceArea: frame.face.box.width * frame.face.box.height,
      sharpness: frame.face.sharpness,
    };
    const added = await deps.visits.addFrame(doorId, frame.visit.id, frame.visit.startedAt, record, times(now));
    return added.visit;
  }

  return async function recognizeFrame(input: RecognizeFrameInput): Promise<RecognizeOutcome> {
    const log = baseLog.child({ doorId: input.topicDoorId });
    /**
     * Logs the refusal; with a `problem`, also leaves a 'door_event' in the audit log for the
     * topic's door (authentic: the broker/IoT policy bound it to the door's certificate), at most
     * once a minute per door and problem, so an admin sees a faulty or tampered door without a
     * flood of events. Never on behalf of a door that is not registered.
     */
    let messageId: string | undefined;
    const rejected = async (reason: string, problem?: string): Promise<RecognizeOutcome> => {
      log.warn({ messageId }, `frame rejected: ${reason}`);
      if (problem) await reportProblem(input.topicDoorId, problem, reason);
      return { status: 'rejected', reason };
    };

    try {
      // 1. The message itself.
      const parsed = parseDoorPayload(FramesTopicMessage, input.payload);
      if (!parsed.ok) return rejected(parsed.error, 'malformed');
      const message = parsed.value;
      messageId = message.type === 'frame' ? message.frameId : message.visitId;
      // Topic ACLs make the topic's door authentic; a payload naming another door is a bug or a forgery.
      if (message.doorId !== input.topicDoorId) {
        return rejected(
          `payload doorId ${JSON.stringify(message.doorId)} does not match the topic's door`,
          'door_mismatch',
        );
      }
      // An unknown door is refused before anything is searched or stored.
      const door = await deps.records.getDoor(message.doorId);
      if (!door) return rejected('unknown door');

      const at = message.type === 'frame' ? message.capturedAt : message.endedAt;
      const aheadMs = at - deps.clock();
      if (aheadMs > MAX_CLOCK_SKEW_MS) {
        return rejected(
          `${message.type === 'frame' ? 'capturedAt' : 'endedAt'} is ${aheadMs} ms in the future`,
          'clock',
        );
      }

      if (message.type === 'visit_end') return await handleVisitEnd(message, door, log);
      return await handleFrame(message, door, log, rejected);
    } catch (err) {
      log.error({ err, messageId }, 'frame handling failed; no decision (door stays locked)');
      return { status: 'rejected', reason: 'internal error' };
    }
  };
}

async function deleteQuietly(images: ImageStore, key: string, log: Logger): Promise<void> {
  try {
    await images.delete(key);
  } catch (err) {
    log.error({ err, key }, 'frame image could not be deleted');
  }
}
