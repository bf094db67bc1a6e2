/** What the agent's composition root needs from a relay beyond the port: a lock that works inside process 'exit'. */
import type { Relay } from '../ports/index.js';

export type RelayState = Relay['state'];

export interface FailSecureRelay extends Relay {
  /** Synchronous, idempotent, never throws: for process 'exit' and crash handlers. */
  lockSync(): void;
}
