/**
 * Relay port: the lock. Fail-secure means "de-energised = locked": lock() must be safe to call at
 * any time, any number of times, including from an exit handler.
 */
export interface Relay {
  readonly state: 'locked' | 'unlocked';
  lock(): Promise<void>;
  unlock(): Promise<void>;
  /** Locks, then releases the hardware. */
  close(): Promise<void>;
}
