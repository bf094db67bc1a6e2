/** Door messaging port, back end side: publish a command to one door (aedes locally, IoT Data Plane on AWS). */
import type { DoorCommand } from '../../../protocol/index.js';

export interface DoorMessaging {
  publishCommand(command: DoorCommand): Promise<void>;
}
