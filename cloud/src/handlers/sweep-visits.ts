/**
 * The sweeper: answers the visits whose door went quiet before saying the visit was over (an
 * agent that stopped, a link that dropped, a last frame lost). Each is re-read before it is
 * closed (the open-visits listing may lag on DynamoDB) and closed through the same claim as a
 * frame would, so a visit answered meanwhile is left alone. Run every ~2 s by the local stack,
 * and by a scheduled Lambda on AWS.
 */
import type { Logger } from '../../../lib/logger.js';
import { DEFAULT_FUSION_RULE, type FusionRule } from '../domain/visit-fusion.js';
import type { Clock } from '../ports/clock.js';
import type { DoorMessaging } from '../ports/door-messaging.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Records } from '../ports/records.js';
import type { VisitStore } from '../ports/visit-store.js';
import { closeVisit, type CloseVisitDeps } from './close-visit.js';
import { DEFAULT_RECOGNIZE_SETTINGS } from './recognize-frame.js';

export interface SweepVisitsDeps {
  records: Records;
  images: ImageStore;
  messaging: DoorMessaging;
  visits: VisitStore;
  clock: Clock;
  logger: Logger;
  /** The face index's threshold (the sweeper searches nothing; it only fuses what frames found). */
  threshold: number;
  fusion?: FusionRule;
  commandTtlMs?: number;
  /** Most visits closed per run (the next run takes the rest). */
  batch?: number;
}

export interface SweepResult {
  /** Visits answered (one command and one row each). */
  decided: number;
  /** Visits closed without an answer: no face in any frame, or their door is gone. */
  closed: number;
  /** Visits that could not be closed this time (left for the next run). */
  failed: number;
}

export type VisitSweeper = () => Promise<SweepResult>;

export function createVisitSweeper(deps: SweepVisitsDeps): VisitSweeper {
  const log = deps.logger.child({ component: 'visit-sweeper' });
  const closeDeps: CloseVisitDeps = {
    records: deps.records,
    images: deps.images,
    messaging: deps.messaging,
    visits: deps.visits,
    clock: deps.clock,
    logger: log,
    threshold: deps.threshold,
    fusion: deps.fusion ?? DEFAULT_FUSION_RULE,
    commandTtlMs: deps.commandTtlMs ?? DEFAULT_RECOGNIZE_SETTINGS.commandTtlMs,
  };

  return async function sweep(): Promise<SweepResult> {
    const result: SweepResult = { decided: 0, closed: 0, failed: 0 };
    const now = deps.clock();
    const due = await deps.visits.listExpired(now, deps.batch ?? 100);
    for (const listed of due) {
      try {
        const visit = await deps.visits.get(listed.doorId, listed.visitId, now);
        if (!visit || visit.decision || visit.decideBy > now) continue;
        const door = await deps.records.getDoor(visit.doorId);
        if (!door) {
          await deps.visits.forget(visit.doorId, visit.visitId);
          result.closed++;
          continue;
        }
        const outcome = await closeVisit(closeDeps, visit, door, { by: 'sweep', frameId: null });
        if (outcome.status === 'decided') result.decided++;
        else if (outcome.status === 'no_face') result.closed++;
      } catch (err) {
        result.failed++;
        log.error({ err, doorId: listed.doorId, visitId: listed.visitId }, 'visit could not be swept');
      }
    }
    if (result.decided + result.closed + result.failed > 0) log.info(result, 'visits swept');
    return result;
  };
}
