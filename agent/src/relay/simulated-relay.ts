/** A relay with no hardware: logs every state change and tells listeners (the simulated door, the admin UI, tests). */
import type { Logger } from '../../../lib/logger.js';
import type { Relay } from '../ports/index.js';
import type { FailSecureRelay, RelayState } from './fail-secure-relay.js';

export class SimulatedRelay implements Relay, FailSecureRelay {
  private current: RelayState = 'locked';
  private readonly listeners = new Set<(state: RelayState) => void>();
  /** Every state the relay went through, oldest first (bounded): what a test or a UI wants to see. */
  readonly history: { state: RelayState; at: number }[] = [];

  constructor(private readonly logger: Logger) {}

  get state(): RelayState {
    return this.current;
  }

  onChange(listener: (state: RelayState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async lock(): Promise<void> {
    this.set('locked');
  }

  lockSync(): void {
    this.set('locked');
  }

  async unlock(): Promise<void> {
    this.set('unlocked');
  }

  async close(): Promise<void> {
    this.set('locked');
  }

  private set(state: RelayState): void {
    if (state === this.current) return;
    this.current = state;
    this.history.push({ state, at: Date.now() });
    if (this.history.length > 1000) this.history.shift();
    this.logger.info(
      { relay: state },
      state === 'unlocked' ? 'simulated relay energised: door UNLOCKED' : 'simulated relay released: door locked',
    );
    for (const listener of this.listeners) {
      try {
        listener(state);
      } catch (err) {
        this.logger.error({ err }, 'relay listener failed');
      }
    }
  }
}
