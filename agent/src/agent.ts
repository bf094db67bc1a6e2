/**
 * The door agent: composes the camera, frame gate, command guard, relay, contact sensor and link
 * into one feature with start/stop. Fail-secure throughout — the relay is locked at start before
 * anything connects, whenever the link goes offline, on any error in the unlock path, at the end of
 * every pulse, and on stop. Only a fresh, valid unlock command for this door moves the relay.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import type {
  DenyCommand,
  DoorEventMessage,
  DoorEventType,
  DoorStatusMessage,
  UnlockCommand,
  UnlockSource,
} from '../../protocol/index.js';
import type { Camera, DoorContact, DoorLink, ExitButton, Relay } from './ports/index.js';
import { AgentConfigSchema, type AgentConfig } from './config.js';
import { CommandGuard, type GuardResult } from './command-guard.js';
import type { DoorMonitorSettings } from './door/door-monitor.js';
import { DEFAULT_DOOR_SETTINGS, DoorWatch } from './door/door-watch.js';
import { errorMessage } from './errors.js';
import type { FaceGate } from './face-gate/face-gate.js';
import { VisitPipeline, type VisitPipelineStats } from './visit/visit-pipeline.js';
import { EventDelivery, type DeliveryPace } from './outbox/event-delivery.js';
import { EventOutbox } from './outbox/event-outbox.js';
import { SerialQueue } from './serial-queue.js';
import { agentVersion as readAgentVersion } from './version.js';

export interface AgentDeps {
  camera: Camera;
  relay: Relay;
  link: DoorLink;
  contact?: DoorContact;
  exitButton?: ExitButton;
  /** The door's event queue (on disk on a Pi); default an in-memory one. The caller closes it. */
  outbox?: EventOutbox;
  /** How fast a backlog is delivered (below the back end's per-door limit). */
  deliveryPace?: DeliveryPace;
  /** Finds the face in each frame; frames without a usable one never leave the door. */
  faceGate: FaceGate;
  clock?: () => number;
  logger: Logger;
  /** Told about every deny command (a red light, a beep, the virtual door's UI). Never touches the relay. */
  onDeny?: (command: DenyCommand) => void;
  agentVersion?: string;
}

/** The config fields the agent itself uses (the rest is for building adapters). */
export type AgentSettings = Pick<AgentConfig, 'doorId' | 'frames' | 'unlock'> & {
  door?: Partial<DoorMonitorSettings>;
  /** Default: the config file's defaults. */
  visit?: Partial<AgentConfig['visit']>;
};

export interface AgentState {
  running: boolean;
  connected: boolean;
  lock: 'locked' | 'unlocked';
  /** When the current pulse ends (epoch ms), or null when locked. */
  pulseEndsAt: number | null;
  contact: 'open' | 'closed' | 'unknown';
  frames: VisitPipelineStats;
  commands: { unlocked: number; denied: number; rejected: number };
}

export interface DoorAgent {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly state: AgentState;
}

/** How soon a failed lock is tried again. */
const LOCK_RETRY_MS = 1000;

export function createAgent(settings: AgentSettings, deps: AgentDeps): DoorAgent {
  const { camera, relay, link, logger: rootLogger } = deps;
  const clock = deps.clock ?? Date.now;
  const doorId = settings.doorId;
  const log = rootLogger.child({ component: 'agent' }); // the composition root binds doorId
  const version = deps.agentVersion ?? readAgentVersion();
  const guard = new CommandGuard({ doorId, maxPulseMs: settings.unlock.maxPulseMs, clock });
  const relayOps = new SerialQueue();
  const commands = { unlocked: 0, denied: 0, rejected: 0 };
  const outbox = deps.outbox ?? EventOutbox.open({ dir: null, logger: log });
  const delivery = new EventDelivery({
    outbox,
    link,
    logger: log,
    pace: deps.deliveryPace,
    clock,
    onOverflowDrained: (dropped) =>
      publishEvent('agent_error', { detail: `event queue was full during an outage: ${dropped} oldest events lost` }),
  });

  let running = false;
  let pulseTimer: NodeJS.Timeout | null = null;
  let pulseEndsAt: number | null = null;
  let lockRetryTimer: NodeJS.Timeout | null = null;

  const gate = new VisitPipeline(
    {
      doorId,
      ...settings.frames,
      visit: { ...AgentConfigSchema.shape.visit.parse(undefined), ...settings.visit },
      faceGate: deps.faceGate,
      logger: rootLogger,
      clock,
    },
    async (message) => {
      // Frames are never queued while offline: a face from a minute ago must not open the door now.
      if (!running || !link.connected) return false;
      try {
        await link.publishFrame(message);
        return true;
      } catch (err) {
        log.warn({ err }, 'frame publish failed');
        return false;
      }
    },
  );

  function publishEvent(
    type: DoorEventType,
    extra: { decisionId?: string; detail?: string; source?: UnlockSource } = {},
  ): void {
    const event: DoorEventMessage = { v: 2, doorId, eventId: randomUUID(), type, at: clock(), ...extra };
    if (event.detail) event.detail = event.detail.slice(0, 500);
    // Through the outbox, online or not: in order, kept across outages and restarts.
    try {
      outbox.append(event);
    } catch (err) {
      log.error({ err, type }, 'event could not be queued');
      return;
    }
    delivery.kick();
  }

  function publishStatus(): void {
    if (!link.connected) return;
    const status: DoorStatusMessage = {
      v: 2,
      doorId,
      online: true,
      lock: relay.state,
      ...(doorWatch.contact !== 'unknown' ? { contact: doorWatch.contact } : {}),
      agentVersion: version,
      queuedEvents: outbox.size,
      at: clock(),
    };
    link.publishStatus(status).catch((err) => log.warn({ err }, 'status publish failed'));
  }

  /** Locks now (cancelling any pulse). Never throws: a failure to lock is logged as fatal and reported. */
  function lockNow(reason: string): Promise<void> {
    if (pulseTimer) clearTimeout(pulseTimer);
    pulseTimer = null;
    pulseEndsAt = null;
    return relayOps.run(async () => {
      // Again inside the queue: an unlock that was already in flight may have set a new pulse.
      if (pulseTimer) clearTimeout(pulseTimer);
      pulseTimer = null;
      pulseEndsAt = null;
      const wasUnlocked = relay.state === 'unlocked';
      try {
        await relay.lock();
      } catch (err) {
        log.fatal({ err, reason }, 'relay failed to lock; retrying');
        publishEvent('agent_error', { detail: `relay failed to lock: ${errorMessage(err)}` });
        // Fail secure means never giving up on locking: try again until the relay obeys.
        if (!lockRetryTimer) {
          lockRetryTimer = setTimeout(() => {
            lockRetryTimer = null;
            void lockNow(`retry after lock failure (${reason})`);
          }, LOCK_RETRY_MS);
        }
        return;
      }
      doorWatch.locked();
      if (wasUnlocked) {
        log.info({ reason }, 'door locked');
        publishEvent('locked', { detail: reason });
        publishStatus();
      }
    });
  }

  /** A back-end command needs the link; the exit button (source 'exit_button', no command) works offline. */
  async function unlockFor(command: UnlockCommand | null, pulseMs: number): Promise<void> {
    const source = command?.source ?? 'exit_button';
    await relayOps.run(async () => {
      // Re-checked inside the queue: the link may have dropped or stop() begun since the command arrived.
      if (!running || (command && !link.connected)) {
        log.warn({ decisionId: command?.decisionId }, 'unlock skipped: agent offline or stopping');
        return;
      }
      const wasLocked = relay.state === 'locked';
      try {
        await relay.unlock();
      } catch (err) {
        log.error({ err, decisionId: command?.decisionId }, 'relay failed to unlock');
        publishEvent('agent_error', {
          ...(command ? { decisionId: command.decisionId } : {}),
          detail: `relay failed to unlock: ${errorMessage(err)}`,
        });
        throw err;
      }
      // A second unlock during a pulse extends it; it never shortens it.
      const endsAt = clock() + pulseMs;
      if (pulseEndsAt === null || endsAt > pulseEndsAt) {
        pulseEndsAt = endsAt;
        if (pulseTimer) clearTimeout(pulseTimer);
        pulseTimer = setTimeout(() => void lockNow('pulse ended'), pulseMs);
      }
      doorWatch.unlocked(pulseEndsAt ?? endsAt);
      if (command) commands.unlocked += 1;
      log.info({ decisionId: command?.decisionId, source, pulseMs }, 'door unlocked');
      publishEvent('unlocked', {
        ...(command ? { decisionId: command.decisionId } : {}),
        source,
        detail: `${source}, ${pulseMs} ms`,
      });
      if (wasLocked) publishStatus();
    });
  }

  function handleCommand(payload: Buffer): void {
    let verdict: GuardResult;
    try {
      verdict = guard.check(payload);
    } catch (err) {
      // The guard does not throw; this only keeps a bug there from crashing the door.
      log.error({ err }, 'command check failed');
      return;
    }
    if (!verdict.ok) {
      commands.rejected += 1;
      log.warn({ reason: verdict.reason, detail: verdict.detail, decisionId: verdict.decisionId }, 'command rejected');
      publishEvent('command_rejected', {
        ...(verdict.decisionId ? { decisionId: verdict.decisionId } : {}),
        detail: `${verdict.reason}: ${verdict.detail}`,
      });
      return;
    }
    if (!running) return;
    const { command: accepted } = verdict;
    log.debug(
      { decisionId: accepted.decisionId, visitId: accepted.visitId, type: accepted.type, issuedAt: accepted.issuedAt },
      'command received',
    );
    // The back end has answered this visit: the door sends no more frames of it.
    if (verdict.command.visitId) gate.answered(verdict.command.visitId);
    if (verdict.command.type === 'deny') {
      commands.denied += 1;
      log.info(
        { decisionId: verdict.command.decisionId, reason: verdict.command.reason },
        'access denied by the back end',
      );
      try {
        deps.onDeny?.(verdict.command);
      } catch (err) {
        log.warn({ err }, 'deny listener failed');
      }
      return;
    }
    const { command, pulseMs } = verdict as Extract<GuardResult, { ok: true; pulseMs: number }>;
    unlockFor(command, pulseMs).catch(() => void lockNow('error in unlock path'));
  }

  function handleConnectionChange(connected: boolean): void {
    if (!running) return;
    if (connected) {
      log.info('link online');
      publishStatus();
      delivery.kick();
    } else {
      log.warn('link offline: locking');
      // The frames of a visit that began before the outage are lost; the next face starts a new one.
      gate.endVisit('offline');
      void lockNow('offline');
    }
  }

  const doorWatch = new DoorWatch({
    settings: { ...DEFAULT_DOOR_SETTINGS, ...settings.door },
    contact: deps.contact,
    exitButton: deps.exitButton,
    clock,
    logger: log,
    onEvent: (event) => {
      publishEvent(event.type, {
        ...(event.detail ? { detail: event.detail } : {}),
        ...(event.source ? { source: event.source } : {}),
      });
    },
    onLocalUnlock: (_source, pulseMs) => {
      unlockFor(null, pulseMs).catch(() => void lockNow('error in exit-button unlock'));
    },
  });

  let handlersInstalled = false;
  return {
    async start() {
      if (running) return;
      // Locked before anything can connect or deliver a command.
      await relay.lock();
      guard.acceptOnlyIssuedSince(clock());
      running = true;
      delivery.start();
      if (!handlersInstalled) {
        handlersInstalled = true;
        link.onCommand(handleCommand);
        link.onConnectionChange(handleConnectionChange);
      }
      await doorWatch.start();
      try {
        await camera.start(
          (frame) => {
            if (running) gate.offer(frame);
          },
          (err) => log.warn({ err }, 'camera error'),
        );
      } catch (err) {
        log.error({ err }, 'camera failed to start; the door works for remote unlocks only');
      }
      log.info({ version }, 'agent started, door locked');
      // The link retries on its own; start does not wait for the first connection.
      // A link that gave up says why through its own listeners (main.ts turns a refusal into an exit).
      link.connect().catch((err) => log.error({ reason: errorMessage(err) }, 'link failed to connect'));
    },

    async stop() {
      if (!running) {
        await lockNow('stop');
        return;
      }
      running = false;
      gate.stop();
      await lockNow('stop');
      delivery.stop(); // what is still queued stays in the outbox for the next start
      await Promise.allSettled([camera.stop(), doorWatch.stop()]);
      if (link.connected) {
        // A clean goodbye; the last will covers the unclean ones.
        const status: DoorStatusMessage = {
          v: 2,
          doorId,
          online: false,
          lock: relay.state,
          agentVersion: version,
          at: clock(),
        };
        await link.publishStatus(status).catch((err) => log.warn({ err }, 'offline status publish failed'));
      }
      await link.disconnect().catch((err) => log.warn({ err }, 'link disconnect failed'));
      log.info('agent stopped, door locked');
    },

    get state(): AgentState {
      return {
        running,
        connected: link.connected,
        lock: relay.state,
        pulseEndsAt,
        contact: doorWatch.contact,
        frames: { ...gate.stats },
        commands: { ...commands },
      };
    },
  };
}
