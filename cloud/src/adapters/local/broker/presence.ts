/**
 * Door presence from the broker's point of view: online from the moment a door's session is
 * registered until that same connection goes away (clean disconnect, dropped socket, keepalive
 * timeout). A second connection with the same client id takes over the first (MQTT 3.1.1): the
 * old one's disconnect arrives first, then the new one's connect, so listeners see offline→online.
 */
import type { Logger } from '../../../../../lib/logger.js';

export type PresenceListener = (doorId: string, online: boolean) => void;

export class PresenceTracker {
  /** The connection currently holding each door's session (compared by identity, not by id). */
  private readonly current = new Map<string, object>();
  private readonly listeners = new Set<PresenceListener>();

  constructor(private readonly logger: Logger) {}

  onPresence(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connectedDoors(): string[] {
    return [...this.current.keys()].sort();
  }

  doorConnected(doorId: string, connection: object): void {
    this.current.set(doorId, connection);
    this.emit(doorId, true);
  }

  doorDisconnected(doorId: string, connection: object): void {
    // A stale connection (already replaced) going away says nothing about the door.
    if (this.current.get(doorId) !== connection) return;
    this.current.delete(doorId);
    this.emit(doorId, false);
  }

  private emit(doorId: string, online: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(doorId, online);
      } catch (err) {
        // A listener's bug must not break the broker's bookkeeping or the other listeners.
        this.logger.error({ err, doorId, online }, 'presence listener threw');
      }
    }
  }
}
