/**
 * Answers a visit, once: fuse its frames, apply the access rules, claim the decision in the visit
 * store (the one atomic step: whoever loses the claim does nothing more), tell the door, keep the
 * best snapshot and drop the others, write one access-log row. Shared by the frame handler (a
 * frame cleared the threshold, or the visit is complete) and the sweeper (the visit timed out).
 */
import { DoorCommand, MAX_PULSE_MS, MIN_PULSE_MS, type DenyReason } from '../../../protocol/index.js';
import type { Logger } from '../../../lib/logger.js';
import { decideAccess } from '../domain/access-rules.js';
import { auditEvent } from '../domain/audit-event.js';
import { newId } from '../domain/ids.js';
import { fuseVisit, type FusedCandidate, type FusionRule } from '../domain/visit-fusion.js';
import type { AuditEvent, Door, Person } from '../domain/types.js';
import type { Clock } from '../ports/clock.js';
import type { DoorMessaging } from '../ports/door-messaging.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Records } from '../ports/records.js';
import type { Visit, VisitDecision, VisitFrame, VisitStore } from '../ports/visit-store.js';

export interface CloseVisitDeps {
  records: Records;
  images: ImageStore;
  messaging: DoorMessaging;
  visits: VisitStore;
  clock: Clock;
  logger: Logger;
  /** Fused score at or above which the visit is the person (the face index's calibrated threshold). */
  threshold: number;
  fusion: FusionRule;
  commandTtlMs: number;
}

export type CloseTrigger = VisitDecision['by'];

export type CloseOutcome =
  | {
      status: 'decided';
      visitId: string;
      result: 'granted' | 'denied';
      reason: DenyReason | 'match';
      personId: string | null;
      similarity: number | null;
      decisionId: string;
      eventId: string;
    }
  /** Someone else (another frame, another container, the sweeper) answered the visit first. */
  | { status: 'already_decided'; visitId: string }
  /** No frame of the visit showed the engine a face: nothing to answer, nothing logged. */
  | { status: 'no_face'; visitId: string };

/** What the fused frames say so far: the person above the threshold, if any. */
export function visitMatch(visit: Visit, threshold: number, fusion: FusionRule): FusedCandidate | null {
  const best = fuseVisit(
    facesOf(visit).map((f) => f.candidates),
    fusion,
  )[0];
  return best && best.score >= threshold ? best : null;
}

/**
 * Decides the visit with the frames it holds. `forcedDenial` answers without looking at faces
 * (rate_limited: the door's search budget is spent).
 */
export async function closeVisit(
  deps: CloseVisitDeps,
  visit: Visit,
  door: Door,
  trigger: { by: CloseTrigger; frameId: string | null; forcedDenial?: DenyReason },
): Promise<CloseOutcome> {
  const log = deps.logger.child({ doorId: door.doorId, visitId: visit.visitId });
  const faces = facesOf(visit);
  // A disabled door answers every visit, face or not; a visit in which the engine found no face
  // at an enabled door is someone the door's detector mistook for a face: no answer, no row.
  if (faces.length === 0 && door.enabled && !trigger.forcedDenial) {
    await deps.visits.forget(door.doorId, visit.visitId);
    await deleteSnapshots(deps, log, visit.frames, null);
    log.info({ frames: visit.frames.length, by: trigger.by }, 'visit closed: no face found in any frame');
    return { status: 'no_face', visitId: visit.visitId };
  }

  const now = deps.clock();
  const matched = trigger.forcedDenial || !door.enabled ? null : visitMatch(visit, deps.threshold, deps.fusion);
  const person: Person | null = matched ? await deps.records.getPerson(matched.personId) : null;
  const access = trigger.forcedDenial
    ? { result: 'denied' as const, reason: trigger.forcedDenial }
    : decideAccess(person, door, now);
  const reason: DenyReason | 'match' = access.result === 'granted' ? 'match' : access.reason;
  const similarity = person && matched ? matched.score : null;
  // A visit nobody searched (disabled door, spent budget) still shows who stood there.
  const snapshotFrame =
    person && matched ? bestFrameFor(faces, matched.personId) : clearestFace(faces.length > 0 ? faces : visit.frames);
  const decision: VisitDecision = {
    decisionId: newId(),
    eventId: newId(),
    result: access.result,
    reason,
    personId: person?.personId ?? null,
    score: similarity,
    snapshotKey: snapshotFrame?.snapshotKey ?? null,
    frameId: trigger.frameId,
    decidedAt: now,
    by: trigger.by,
  };
  if (!(await deps.visits.claimDecision(door.doorId, visit.visitId, decision, now))) {
    log.debug({ by: trigger.by }, 'visit already answered elsewhere');
    return { status: 'already_decided', visitId: visit.visitId };
  }

  // Tell the door first: the person is waiting; the log can follow. Issued now, after the
  // search, so the command's lifetime is not eaten by the time recognition took.
  const command = buildCommand(door, decision, visit.visitId, deps.clock(), deps.commandTtlMs);
  let delivered = true;
  try {
    await deps.messaging.publishCommand(command);
  } catch (err) {
    delivered = false;
    log.error({ err, decisionId: decision.decisionId }, 'command could not be published (door stays locked)');
  }

  await deleteSnapshots(deps, log, visit.frames, decision.snapshotKey);
  const event: AuditEvent = {
    ...auditEvent({
      at: now,
      kind: 'access',
      doorId: door.doorId,
      result: decision.result,
      reason,
      score: similarity,
      snapshotKey: decision.snapshotKey,
      decisionId: decision.decisionId,
    }),
    eventId: decision.eventId,
    personId: person?.personId ?? null,
    personName: person?.name ?? null,
  };
  if (!delivered) event.detail = 'command not delivered to the door';
  await deps.records.appendEvent(event);
  log.info(
    {
      decisionId: decision.decisionId,
      eventId: decision.eventId,
      result: decision.result,
      reason,
      personId: decision.personId,
      similarity,
      frames: visit.frames.length,
      by: trigger.by,
    },
    `access ${decision.result}${decision.result === 'denied' ? `: ${reason}` : ''}`,
  );
  return {
    status: 'decided',
    visitId: visit.visitId,
    result: decision.result,
    reason,
    personId: decision.personId,
    similarity,
    decisionId: decision.decisionId,
    eventId: decision.eventId,
  };
}

/** Frames in which the engine found a face: the only ones that propose anyone. */
function facesOf(visit: Visit): VisitFrame[] {
  return visit.frames.filter((f) => f.faceFound);
}

/** The frame that showed the recognised person best: the log shows the face the decision rests on. */
function bestFrameFor(frames: VisitFrame[], personId: string): VisitFrame | null {
  let best: VisitFrame | null = null;
  let bestScore = -Infinity;
  for (const frame of frames) {
    const score = frame.candidates.find((c) => c.personId === personId)?.similarity ?? -1;
    if (frame.snapshotKey && score > bestScore) [best, bestScore] = [frame, score];
  }
  return best;
}

/** For an unknown face, the one an admin can best recognise: the largest, then the sharpest. */
function clearestFace(frames: VisitFrame[]): VisitFrame | null {
  const stored = frames.filter((f) => f.snapshotKey !== null);
  stored.sort((a, b) => b.faceArea - a.faceArea || b.sharpness - a.sharpness || a.seq - b.seq);
  return stored[0] ?? null;
}

/**
 * Only the decision's snapshot outlives the visit: the other frames are biometric data with no
 * log row pointing at them, which erasure could not find.
 */
async function deleteSnapshots(
  deps: CloseVisitDeps,
  log: Logger,
  frames: VisitFrame[],
  keep: string | null,
): Promise<void> {
  for (const frame of frames) {
    if (!frame.snapshotKey || frame.snapshotKey === keep) continue;
    try {
      await deps.images.delete(frame.snapshotKey);
    } catch (err) {
      log.error({ err, key: frame.snapshotKey }, 'unused visit snapshot could not be deleted');
    }
  }
}

function buildCommand(door: Door, decision: VisitDecision, visitId: string, now: number, ttlMs: number): DoorCommand {
  const base = {
    v: 2 as const,
    doorId: door.doorId,
    decisionId: decision.decisionId,
    issuedAt: now,
    expiresAt: now + ttlMs,
    visitId,
    ...(decision.frameId ? { frameId: decision.frameId } : {}),
  };
  const command: DoorCommand =
    decision.result === 'granted'
      ? {
          ...base,
          type: 'unlock',
          source: 'face',
          pulseMs: Math.min(Math.max(door.pulseMs, MIN_PULSE_MS), MAX_PULSE_MS),
        }
      : { ...base, type: 'deny', reason: decision.reason as DenyReason };
  return DoorCommand.parse(command); // the contract the door enforces, checked on our side too
}
