/**
 * Services for one-shot CLI commands: the same application services as the server, over the same
 * data directory, but with no broker connection — commands to doors go through the running
 * server (the admin site), never from a CLI process.
 */
import type { Logger } from '../lib/logger.js';
import { systemClock } from '../cloud/src/ports/clock.js';
import { UpstreamError } from '../cloud/src/errors.js';
import { LocalDoorProvisioner } from '../cloud/src/adapters/local/ca/local-door-provisioner.js';
import { createDoorChangeFeed } from '../cloud/src/app/door-change-feed.js';
import { createServices } from '../cloud/src/app/create-services.js';
import type { FacegateServices } from '../cloud/src/app/services.js';
import { openLocalBackend, type LocalBackend } from './local-backend.js';
import type { LocalSettings } from './settings.js';
import { removeDoorFiles } from './door-files.js';

export async function openOfflineServices(
  settings: LocalSettings,
  logger: Logger,
): Promise<{ services: FacegateServices; backend: LocalBackend; close: () => Promise<void> }> {
  const backend = await openLocalBackend({
    dataDir: settings.dataDir,
    logger,
    engineWorkers: 1,
    ...(settings.matchThreshold !== undefined && { matchThreshold: settings.matchThreshold }),
  });
  const provisioner = new LocalDoorProvisioner(
    backend.ca,
    { siteId: settings.siteId, host: settings.publicHost, port: settings.mqttPort },
    settings.doorCertDays,
  );
  const services = createServices({
    records: backend.records,
    faceIndex: backend.faceIndex,
    images: backend.images,
    messaging: {
      async publishCommand() {
        throw new UpstreamError(
          'mqtt',
          'the command line does not talk to doors; use the admin site of the running server',
        );
      },
    },
    provisioner,
    clock: systemClock,
    logger,
    doorFeed: createDoorChangeFeed(logger),
    onDoorRemoved: (doorId) => removeDoorFiles(settings.dataDir, doorId),
  });
  return { services, backend, close: () => backend.close() };
}
