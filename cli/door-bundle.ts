/**
 * Writes a door's credentials to a folder (the form the simulated and virtual doors use; doors in
 * the field get the single-file bundle, cloud/src/app/door-bundle.ts): the agent config plus the CA certificate,
 * the door's certificate and its private key (0600, folder 0700). This is what a field tech
 * copies to /etc/facegate on the Pi.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILES } from '../cloud/src/app/door-bundle.js';
import type { DoorBundle } from '../cloud/src/app/services.js';

export function writeDoorBundle(
  dir: string,
  bundle: Pick<DoorBundle, 'credentials' | 'agentConfig'>,
  configOverrides: Record<string, unknown> = {},
): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, text: string, mode: number) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode); // writeFileSync keeps an existing file's mode
  };
  write(BUNDLE_FILES.ca, bundle.credentials.caPem, 0o644);
  write(BUNDLE_FILES.cert, bundle.credentials.certificatePem, 0o644);
  // Absent when the door made its own key: it is already in the folder, and never leaves it.
  if (bundle.credentials.privateKeyPem !== undefined) write(BUNDLE_FILES.key, bundle.credentials.privateKeyPem, 0o600);
  const configFile = path.join(dir, BUNDLE_FILES.config);
  write(BUNDLE_FILES.config, `${JSON.stringify({ ...bundle.agentConfig, ...configOverrides }, null, 2)}\n`, 0o644);
  return configFile;
}
