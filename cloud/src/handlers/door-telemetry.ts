/**
 * What doors report about themselves: status (online, lock, agent version; retained, and the
 * last will on a lost connection), events (relay moved, command rejected, door opened, agent
 * error) and broker-side presence. Updates the door's live state and leaves 'door_event' audit
 * events. Written once for the local broker and the AWS IoT rule; never throws for bad input.
 */
import { DoorEventMessage, DoorStatusMessage, type DoorEventType } from '../../../protocol/index.js';
import type { Logger } from '../../../lib/logger.js';
import { auditEvent } from '../domain/audit-event.js';
import { alarmAfterEvent } from '../domain/door-alarm.js';
import { doorEventTime } from '../domain/door-event-time.js';
import { RecentIds, TokenBuckets } from '../domain/token-bucket.js';
import type { Door } from '../domain/types.js';
import type { Clock } from '../ports/clock.js';
import type { DoorStatePatch, Records } from '../ports/records.js';
import { parseDoorPayload } from './parse-payload.js';
import { checkUnlockProvenance, DEFAULT_RECHECK_DELAY_MS } from './unlock-provenance.js';

export interface DoorTelemetryDeps {
  records: Records;
  logger: Logger;
  clock: Clock;
  /** Called with the door's new state after every change (the admin site's live view). */
  onDoorChange?: (door: Door) => void;
  limits?: Partial<TelemetryLimits>;
  /** Pause before an unlock's decision is looked up a second time (it may not be on record yet). */
  provenanceRecheckMs?: number;
}

/** Starts the detail of a door's unlock that no issued decision backs, so the log can be searched for it. */
export const SUSPICIOUS_UNLOCK = 'SUSPICIOUS';

/**
 * What one door may send. A door's agent sends a status on change and a heartbeat, and an event
 * per door movement: the bursts leave room for an offline queue being flushed; anything beyond is
 * a broken or hostile door and is dropped (counted, and one audit event per minute says so).
 */
export interface TelemetryLimits {
  eventBurst: number;
  eventsPerSecond: number;
  statusBurst: number;
  statusPerSecond: number;
  /** How many recent event ids per door are remembered to drop a resent event. */
  recentEventIds: number;
}

export const DEFAULT_TELEMETRY_LIMITS: TelemetryLimits = {
  eventBurst: 50,
  eventsPerSecond: 2,
  statusBurst: 10,
  statusPerSecond: 1,
  recentEventIds: 1000,
};

const RATE_LIMIT_NOTICE_MS = 60_000;

export type TelemetryOutcome =
  { status: 'applied' } | { status: 'duplicate' } | { status: 'rate_limited' } | { status: 'rejected'; reason: string };

export interface DoorMessageInput {
  topicDoorId: string;
  payload: unknown;
}

export interface DoorTelemetryHandler {
  handleStatus(input: DoorMessageInput): Promise<TelemetryOutcome>;
  handleEvent(input: DoorMessageInput): Promise<TelemetryOutcome>;
  /** The broker saw the door's session connect or drop (more timely than the last will). */
  handlePresence(doorId: string, online: boolean): Promise<TelemetryOutcome>;
}

/** Routine relay releases follow every unlock; the log keeps the unlock and leaves these out. */
const UNLOGGED_EVENT_TYPES: ReadonlySet<DoorEventType> = new Set(['locked']);

export function createDoorTelemetryHandler(deps: DoorTelemetryDeps): DoorTelemetryHandler {
  const log = deps.logger.child({ component: 'door-telemetry' });
  const limits = { ...DEFAULT_TELEMETRY_LIMITS, ...deps.limits };
  const eventBuckets = new TokenBuckets({ burst: limits.eventBurst, perSecond: limits.eventsPerSecond });
  const statusBuckets = new TokenBuckets({ burst: limits.statusBurst, perSecond: limits.statusPerSecond });
  const recentEvents = new RecentIds(limits.recentEventIds);
  /** Per door: messages dropped since the last notice, and when that notice was written. */
  const dropped = new Map<string, { count: number; noticedAt: number | null }>();

  /**
   * Counts a dropped message; at most once a minute per door, leaves a 'door_event' saying how
   * many were dropped (the audit log records the flood without becoming it).
   */
  async function rateLimited(kind: string, doorId: string): Promise<TelemetryOutcome> {
    const now = deps.clock();
    const entry = dropped.get(doorId) ?? { count: 0, noticedAt: null };
    entry.count += 1;
    dropped.set(doorId, entry);
    if (entry.noticedAt === null || now - entry.noticedAt >= RATE_LIMIT_NOTICE_MS) {
      const count = entry.count;
      entry.count = 0;
      entry.noticedAt = now;
      log.warn({ doorId, kind, dropped: count }, 'door rate limited: messages dropped');
      await deps.records.appendEvent(
        auditEvent({
          at: now,
          kind: 'door_event',
          doorId,
          detail: `rate limited: ${count} ${kind} message(s) dropped`,
        }),
      );
    }
    return { status: 'rate_limited' };
  }

  /** Validated message, matching ids, known door: or a logged rejection. */
  async function accept<T extends { doorId: string }>(
    kind: string,
    schema: typeof DoorStatusMessage | typeof DoorEventMessage,
    input: DoorMessageInput,
  ): Promise<{ ok: true; message: T; door: Door } | { ok: false; outcome: TelemetryOutcome }> {
    const parsed = parseDoorPayload(schema, input.payload);
    if (!parsed.ok) return reject(kind, input.topicDoorId, parsed.error);
    const message = parsed.value as unknown as T;
    if (message.doorId !== input.topicDoorId) {
      return reject(
        kind,
        input.topicDoorId,
        `doorId ${JSON.stringify(message.doorId)} does not match the topic's door`,
      );
    }
    const door = await deps.records.getDoor(message.doorId);
    if (!door) return reject(kind, input.topicDoorId, 'unknown door');
    return { ok: true, message, door };
  }

  function reject(kind: string, doorId: string, reason: string): { ok: false; outcome: TelemetryOutcome } {
    log.warn({ doorId, kind, reason }, `door ${kind} rejected: ${reason}`);
    return { ok: false, outcome: { status: 'rejected', reason } };
  }

  async function applyPatch(doorId: string, patch: DoorStatePatch): Promise<void> {
    await deps.records.updateDoorState(doorId, patch);
    const updated = await deps.records.getDoor(doorId);
    if (updated && deps.onDoorChange) {
      try {
        deps.onDoorChange(updated);
      } catch (err) {
        log.warn({ err, doorId }, 'door change listener failed');
      }
    }
  }

  /** Storage failures are logged and reported, never thrown into the MQTT client's callback. */
  async function guarded(
    kind: string,
    doorId: string,
    work: () => Promise<TelemetryOutcome>,
  ): Promise<TelemetryOutcome> {
    try {
      return await work();
    } catch (err) {
      log.error({ err, doorId, kind }, `door ${kind} could not be applied`);
      return { status: 'rejected', reason: 'internal error' };
    }
  }

  return {
    handleStatus: (input) =>
      guarded('status', input.topicDoorId, async () => {
        const accepted = await accept<DoorStatusMessage>('status', DoorStatusMessage, input);
        if (!accepted.ok) return accepted.outcome;
        if (!statusBuckets.take(accepted.door.doorId, deps.clock())) return rateLimited('status', accepted.door.doorId);
        const { message } = accepted;
        const patch: DoorStatePatch = { online: message.online, lock: message.lock, lastSeenAt: deps.clock() };
        if (message.agentVersion !== undefined) patch.agentVersion = message.agentVersion;
        await applyPatch(message.doorId, patch);
        log.debug({ doorId: message.doorId, online: message.online, lock: message.lock }, 'door status');
        return { status: 'applied' };
      }),

    handleEvent: (input) =>
      guarded('event', input.topicDoorId, async () => {
        const accepted = await accept<DoorEventMessage>('event', DoorEventMessage, input);
        if (!accepted.ok) return accepted.outcome;
        const { message } = accepted;
        // A resent event (QoS 1 redelivery, the door's offline queue) is recorded once; it costs no token.
        if (recentEvents.has(message.doorId, message.eventId)) {
          log.debug({ doorId: message.doorId, eventId: message.eventId }, 'door event already recorded');
          return { status: 'duplicate' };
        }
        if (!eventBuckets.take(message.doorId, deps.clock())) return rateLimited('event', message.doorId);
        recentEvents.remember(message.doorId, message.eventId);
        const now = deps.clock();
        const patch: DoorStatePatch = { lastSeenAt: now, online: true };
        if (message.type === 'unlocked') patch.lock = 'unlocked';
        if (message.type === 'locked') patch.lock = 'locked';
        const alarm = alarmAfterEvent(accepted.door, message.type, message.at);
        if (alarm) Object.assign(patch, alarm);
        await applyPatch(message.doorId, patch);
        let detail = message.detail ? `${message.type}: ${message.detail}` : message.type;
        const logged = doorEventTime(message.at, now);
        if (message.type === 'unlocked') {
          const provenance = await checkUnlockProvenance(
            deps.records,
            message,
            deps.provenanceRecheckMs ?? DEFAULT_RECHECK_DELAY_MS,
          );
          if (!provenance.backed) {
            // The relay moved (or the door says so) without a grant from us: a tampered or forged door.
            detail = `${SUSPICIOUS_UNLOCK}: ${provenance.why}; ${detail}`;
            log.warn(
              { doorId: message.doorId, decisionId: message.decisionId, eventId: message.eventId, why: provenance.why },
              'suspicious unlock: the door reports an unlock no decision of ours backs',
            );
          }
        }
        if (!UNLOGGED_EVENT_TYPES.has(message.type)) {
          await deps.records.appendEvent(
            auditEvent({
              at: logged.at,
              kind: 'door_event',
              doorId: message.doorId,
              decisionId: message.decisionId ?? null,
              // The note last, past the truncation of a long detail, so it is never cut off.
              detail: logged.note ? `${detail.slice(0, 900)} (${logged.note})` : detail.slice(0, 1000),
            }),
          );
        }
        const level = message.type === 'agent_error' || message.type === 'command_rejected' ? 'warn' : 'info';
        log[level](
          { doorId: message.doorId, type: message.type, decisionId: message.decisionId },
          `door event ${message.type}`,
        );
        return { status: 'applied' };
      }),

    handlePresence: (doorId, online) =>
      guarded('presence', doorId, async () => {
        const door = await deps.records.getDoor(doorId);
        if (!door) {
          reject('presence', doorId, 'unknown door');
          return { status: 'rejected', reason: 'unknown door' };
        }
        // Offline: the relay is fail-secure but we can no longer see it, so the lock is unknown.
        await applyPatch(
          doorId,
          online ? { online: true, lastSeenAt: deps.clock() } : { online: false, lock: 'unknown' },
        );
        log.info({ doorId, online }, online ? 'door connected' : 'door disconnected');
        return { status: 'applied' };
      }),
  };
}
