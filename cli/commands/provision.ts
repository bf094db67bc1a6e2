/**
 * `facegate provision DOOR_ID`: register a door (or provision again a door whose certificates were
 * revoked or expired), issue its certificate and write its single-file bundle. With --csr the
 * certificate is signed from the door's own request and the bundle holds no private key.
 */
import fs from 'node:fs';
import type { Logger } from '../../lib/logger.js';
import { InvalidInputError } from '../../lib/errors.js';
import { openOfflineServices } from '../offline-services.js';
import { bundleInstructions, defaultBundlePath, writeBundleFile } from '../bundle-file.js';
import type { LocalSettings } from '../settings.js';
import { DEFAULT_DOOR_WIRING, describeWiring } from '../../cloud/src/domain/door-wiring.js';
import { wiringFromOptions, type WiringCliOptions } from '../wiring-options.js';

export interface CertificateCliOptions {
  out?: string;
  csr?: string;
  simulated?: boolean;
}

/** Reads the door's CSR file (bounded: a request is about 1 KB). */
export function readCsrFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (cause) {
    throw new InvalidInputError(`cannot read the certificate request ${file}`, { cause });
  }
  if (size > 16_384) throw new InvalidInputError(`${file} is ${size} bytes: not a certificate request`);
  return fs.readFileSync(file, 'utf8');
}

export async function provisionCommand(
  settings: LocalSettings,
  logger: Logger,
  doorId: string,
  options: CertificateCliOptions & WiringCliOptions & { name?: string; pulseMs?: number },
): Promise<number> {
  const csrPem = readCsrFile(options.csr);
  const offline = await openOfflineServices(settings, logger);
  const { services } = offline;
  try {
    const existing = await services.doors.get(doorId);
    // A door provisioned again keeps its wiring; each option changes one line of it.
    const wiring = wiringFromOptions(existing?.wiring ?? DEFAULT_DOOR_WIRING, options);
    const { door, bundle } = await services.doors.create(
      {
        doorId,
        name: options.name ?? doorId,
        ...(options.pulseMs !== undefined && { pulseMs: options.pulseMs }),
        ...(wiring && { wiring }),
      },
      { name: 'cli' },
      { ...(csrPem !== undefined && { csrPem }), ...(options.simulated && { hardware: 'simulated' as const }) },
    );
    const file = writeBundleFile(
      options.out ?? defaultBundlePath(settings.dataDir, door.doorId),
      bundle.file,
      options.simulated ?? false,
    );
    console.log(
      existing ? `Door ${door.doorId} provisioned again with a new certificate.` : `Door ${door.doorId} registered.`,
    );
    if (!options.simulated) console.log(`Wiring: ${describeWiring(door.wiring)}.`);
    console.log(bundleInstructions(file, bundle.file, options.simulated ?? false).join('\n'));
    return 0;
  } finally {
    await offline.close();
  }
}
