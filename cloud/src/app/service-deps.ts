/** What the application services are built from: the ports, plus the process's clock, logger and door feed. */
import type { Logger } from '../../../lib/logger.js';
import type { Clock } from '../ports/clock.js';
import type { DoorMessaging } from '../ports/door-messaging.js';
import type { DoorProvisioner } from '../ports/door-provisioner.js';
import type { FaceIndex } from '../ports/face-index.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Records } from '../ports/records.js';
import type { DoorChangeFeed } from './door-change-feed.js';

export interface ServiceDeps {
  records: Records;
  faceIndex: FaceIndex;
  images: ImageStore;
  messaging: DoorMessaging;
  provisioner: DoorProvisioner;
  clock: Clock;
  logger: Logger;
  doorFeed: DoorChangeFeed;
  /**
   * Where doors should connect, when it differs from what the provisioner reports (e.g. the
   * local broker's LAN hostname rather than the name it was started with).
   */
  endpointForDoors?: { endpoint: string; port: number };
  /** Removes what the process keeps of a deleted door outside the ports (the local data directory's door folder). */
  onDoorRemoved?: (doorId: string) => void;
}
