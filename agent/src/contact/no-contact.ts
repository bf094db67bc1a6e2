/** A door without a contact sensor: its state is always unknown and it never reports a change. */
import type { DoorContact } from '../ports/index.js';

export class NoContact implements DoorContact {
  readonly state = 'unknown' as const;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
