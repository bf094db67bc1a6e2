/**
 * Whether a door's report that it unlocked is backed by a decision the back end issued to that
 * door: a granted 'access' or 'remote_unlock' audit event with the same decisionId and door,
 * around the time the door says it unlocked. An exit-button unlock is local and names none.
 *
 * The back end tells the door first and writes the event after (the person is waiting), so a
 * prompt report may arrive before its decision is on record: a miss is looked up once more after
 * a short pause before the unlock is called suspicious.
 */
import { DEFAULT_COMMAND_TTL_MS, MAX_CLOCK_SKEW_MS, type DoorEventMessage } from '../../../protocol/index.js';
import type { Records } from '../ports/records.js';

/** How far before the door's unlock its decision may have been made: a command's life plus clock skew, with room. */
const LOOK_BEFORE_MS = DEFAULT_COMMAND_TTL_MS + MAX_CLOCK_SKEW_MS + 60_000;
const LOOK_AFTER_MS = MAX_CLOCK_SKEW_MS;
/** Pages of the door's events read at most (1,000 each): a door's log within three minutes is far smaller. */
const MAX_PAGES = 5;
export const DEFAULT_RECHECK_DELAY_MS = 2_000;

export type Provenance = { backed: true } | { backed: false; why: string };

async function decisionOnRecord(records: Records, doorId: string, decisionId: string, at: number): Promise<boolean> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await records.listEvents({
      doorId,
      from: at - LOOK_BEFORE_MS,
      to: at + LOOK_AFTER_MS,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    const found = result.events.some(
      (e) =>
        e.decisionId === decisionId && e.result === 'granted' && (e.kind === 'access' || e.kind === 'remote_unlock'),
    );
    if (found) return true;
    if (!result.cursor) return false;
    cursor = result.cursor;
  }
  return false;
}

export async function checkUnlockProvenance(
  records: Records,
  message: DoorEventMessage,
  recheckDelayMs = DEFAULT_RECHECK_DELAY_MS,
): Promise<Provenance> {
  if (message.source === 'exit_button') return { backed: true };
  const decisionId = message.decisionId;
  if (!decisionId) return { backed: false, why: 'the unlock names no decision' };
  if (await decisionOnRecord(records, message.doorId, decisionId, message.at)) return { backed: true };
  await new Promise((resolve) => setTimeout(resolve, recheckDelayMs));
  if (await decisionOnRecord(records, message.doorId, decisionId, message.at)) return { backed: true };
  return {
    backed: false,
    why: `decision ${decisionId} is not a grant the back end issued to this door`,
  };
}
