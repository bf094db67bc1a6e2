/**
 * A DoorMessaging that keeps what was published. The handlers' job ends at the port; the
 * broker adapter that carries commands to real doors has its own tests against aedes.
 */
import type { DoorCommand } from '../../../protocol/index.js';
import type { DoorMessaging } from '../../../cloud/src/ports/door-messaging.js';

export class RecordingMessaging implements DoorMessaging {
  readonly published: DoorCommand[] = [];
  failNext = false;

  async publishCommand(command: DoorCommand): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker unavailable (test)');
    }
    this.published.push(command);
  }
}
