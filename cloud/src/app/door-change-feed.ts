/**
 * In-process feed of door changes (online, lock, last seen): door telemetry publishes, the admin
 * site's live view subscribes. A listener that throws is logged and does not stop the others.
 */
import type { Logger } from '../../../lib/logger.js';
import type { Door } from '../domain/types.js';
import type { DoorChangeListener } from './services.js';

export interface DoorChangeFeed {
  publish(door: Door): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: DoorChangeListener): () => void;
}

export function createDoorChangeFeed(logger?: Logger): DoorChangeFeed {
  const listeners = new Set<DoorChangeListener>();
  const log = logger?.child({ component: 'door-change-feed' });
  return {
    publish(door) {
      for (const listener of [...listeners]) {
        try {
          listener(door);
        } catch (err) {
          log?.warn({ err, doorId: door.doorId }, 'door change listener failed');
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
