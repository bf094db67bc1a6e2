/** `facegate provision DOOR_ID`: register a door, issue its certificate and write its config bundle. */
import path from 'node:path';
import type { Logger } from '../../lib/logger.js';
import { openOfflineServices } from '../offline-services.js';
import { writeDoorBundle } from '../door-bundle.js';
import type { LocalSettings } from '../settings.js';

export async function provisionCommand(
  settings: LocalSettings,
  logger: Logger,
  doorId: string,
  options: { name?: string; out?: string; pulseMs?: number },
): Promise<number> {
  const { services, close } = await openOfflineServices(settings, logger);
  try {
    const { door, bundle } = await services.doors.create(
      { doorId, name: options.name ?? doorId, ...(options.pulseMs !== undefined && { pulseMs: options.pulseMs }) },
      { name: 'cli' },
    );
    const out = path.resolve(options.out ?? path.join(settings.dataDir, 'doors', door.doorId));
    const configFile = writeDoorBundle(out, bundle);
    console.log(`Door ${door.doorId} registered; its bundle is in ${out}`);
    console.log(`  ${path.basename(configFile)}, ca.pem, door.crt, door.key (private key, mode 0600: keep it secret)`);
    console.log(`The door connects to ${bundle.credentials.endpoint}:${bundle.credentials.port}.`);
    console.log(
      'On the Pi: copy the folder to /etc/facegate and run: npx facegate agent --config /etc/facegate/agent.json',
    );
    return 0;
  } finally {
    await close();
  }
}
