/**
 * Latest frame wins. Each door has one pending slot: a frame arriving while the door's previous
 * frame still waits replaces it (the older one is dropped and counted), because answering a
 * face that has already walked on is worse than useless. At most `concurrency` frames are
 * handled at once overall, and at most one per door, so one busy door cannot starve the rest
 * and a door never gets two decisions racing each other.
 */
import type { Logger } from '../../../lib/logger.js';

export interface FrameDispatcherOptions {
  handle: (input: { topicDoorId: string; payload: unknown }) => Promise<unknown>;
  concurrency: number;
  logger: Logger;
}

export interface FrameDispatcherStats {
  /** Frames whose handling finished (whatever the outcome). */
  processed: number;
  /** Frames replaced by a newer one from the same door before they were handled. */
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
  const pending = new Map<string, unknown>(); // insertion order = oldest waiting door first
  const busyDoors = new Set<string>();
  let processed = 0;
  let droppedStale = 0;
  let drainWaiters: (() => void)[] = [];

  function pump(): void {
    while (busyDoors.size < options.concurrency) {
      const next = [...pending.keys()].find((doorId) => !busyDoors.has(doorId));
      if (next === undefined) break;
      const payload = pending.get(next);
      pending.delete(next);
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
      if (pending.has(doorId)) {
        droppedStale++;
        log.debug({ doorId }, 'newer frame replaced a waiting one');
        pending.delete(doorId); // re-insert so the door keeps its place fairly behind others waiting
      }
      pending.set(doorId, payload);
      pump();
    },
    stats: () => ({ processed, droppedStale, inFlight: busyDoors.size }),
    drain() {
      if (busyDoors.size === 0 && pending.size === 0) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
  };
}
