/**
 * Each door's messages in order. A door sends a few chosen frames per visit and then the visit's
 * end, and every one of them counts (the last frame and visit_end are what close a visit), so
 * nothing is replaced: a door's messages wait in a short queue, and only beyond its bound (a door
 * sending far more than visits need) is the oldest dropped and counted; the handler drops what
 * has grown too old to search. At most `concurrency` messages are handled at once overall, and at
 * most one per door, so one busy door cannot starve the rest and a visit's frames never race.
 */
import type { Logger } from '../../../lib/logger.js';
import { MAX_FRAMES_PER_VISIT } from '../../../protocol/index.js';

/** Two visits' frames and ends: what a door with a queue of people can have in flight. */
export const DEFAULT_MAX_QUEUED_PER_DOOR = 2 * (MAX_FRAMES_PER_VISIT + 1);

export interface FrameDispatcherOptions {
  handle: (input: { topicDoorId: string; payload: unknown }) => Promise<unknown>;
  concurrency: number;
  /** Messages a door may have waiting; beyond it its oldest is dropped. */
  maxQueuedPerDoor?: number;
  logger: Logger;
}

export interface FrameDispatcherStats {
  /** Frames whose handling finished (whatever the outcome). */
  processed: number;
  /** Messages dropped unhandled because their door's queue was full. */
  droppedStale: number;
  inFlight: number;
}

export interface FrameDispatcher {
  submit(doorId: string, payload: unknown): void;
  stats(): FrameDispatcherStats;
  /** Resolves once nothing is pending or in flight. */
  drain(): Promise<void>;
}

export function createFrameDispatcher(options: FrameDispatcherOptions): FrameDispatcher {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new Error(`frame dispatcher concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const log = options.logger.child({ component: 'frame-dispatcher' });
  const maxQueued = options.maxQueuedPerDoor ?? DEFAULT_MAX_QUEUED_PER_DOOR;
  const pending = new Map<string, unknown[]>(); // insertion order = the door waiting longest first
  const busyDoors = new Set<string>();
  let processed = 0;
  let droppedStale = 0;
  let drainWaiters: (() => void)[] = [];

  function pump(): void {
    while (busyDoors.size < options.concurrency) {
      const next = [...pending.keys()].find((doorId) => !busyDoors.has(doorId));
      if (next === undefined) break;
      const queue = pending.get(next)!;
      const payload = queue.shift();
      pending.delete(next);
      if (queue.length > 0) pending.set(next, queue); // back of the line: other doors go first
      busyDoors.add(next);
      void run(next, payload);
    }
    if (busyDoors.size === 0 && pending.size === 0) {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  async function run(doorId: string, payload: unknown): Promise<void> {
    try {
      await options.handle({ topicDoorId: doorId, payload });
    } catch (err) {
      // Handlers are meant not to throw; if one does, keep dispatching.
      log.error({ err, doorId }, 'frame handler threw');
    } finally {
      processed++;
      busyDoors.delete(doorId);
      pump();
    }
  }

  return {
    submit(doorId, payload) {
      const queue = pending.get(doorId);
      if (!queue) pending.set(doorId, [payload]);
      else {
        queue.push(payload);
        if (queue.length > maxQueued) {
          queue.shift();
          droppedStale++;
          log.warn({ doorId, maxQueued }, "door's message queue full: oldest message dropped");
        }
      }
      pump();
    },
    stats: () => ({ processed, droppedStale, inFlight: busyDoors.size }),
    drain() {
      if (busyDoors.size === 0 && pending.size === 0) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
  };
}
