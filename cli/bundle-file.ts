/**
 * Writing a door bundle (cloud/src/app/door-bundle.ts) for the command line, and what to tell the
 * person who asked for it: where the file is, until when the certificate is valid, where the door
 * will connect (with the FACEGATE_PUBLIC_HOST hint when that is only this machine), what to run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { doorBundleFileName, type DoorBundleFile } from '../cloud/src/app/door-bundle.js';
import { SIMULATED_DOOR_HARDWARE } from '../cloud/src/app/door-bundle.js';
import { DATA_FILES } from './local-backend.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', 'ip6-localhost']);

/** Default place of a door's bundle: its own folder in the data directory (deleted with the door). */
export function defaultBundlePath(dataDir: string, doorId: string): string {
  return path.join(dataDir, DATA_FILES.doors, doorId, doorBundleFileName(doorId));
}

/** Writes the bundle 0600 (it may hold the door's private key); a simulated door also gets its camera folder. */
export function writeBundleFile(file: string, bundle: DoorBundleFile, simulated: boolean): string {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  fs.writeFileSync(target, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(target, 0o600); // writeFileSync keeps an existing file's mode
  if (simulated)
    fs.mkdirSync(path.join(path.dirname(target), SIMULATED_DOOR_HARDWARE.camera.path), { recursive: true });
  return target;
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || host.startsWith('127.');
}

/** The lines printed after a bundle was written. */
export function bundleInstructions(file: string, bundle: DoorBundleFile, simulated: boolean): string[] {
  const endpoint = String(bundle.mqtt.endpoint);
  const port = String(bundle.mqtt.port);
  const lines = [
    `  Bundle: ${file}`,
    bundle.bundle.privateKeyIncluded
      ? '          (holds the door private key, mode 0600: keep it secret, copy it only to the door)'
      : `          (no private key inside: the door keeps its own ${String(bundle.mqtt.keyFile)} next to the bundle)`,
    `  Certificate valid until ${bundle.bundle.certificateNotAfter.slice(0, 10)}.`,
    `  The door connects to ${endpoint}:${port}.`,
  ];
  if (isLoopbackHost(endpoint)) {
    lines.push(
      `  Hint: ${endpoint} only works for an agent on this computer. For a door elsewhere on your network,`,
      "        set FACEGATE_PUBLIC_HOST to this computer's LAN name or address (and let the broker listen",
      '        there, see the README), restart the server, then provision or renew the door again.',
    );
  }
  if (simulated) {
    const camera = path.join(path.dirname(file), SIMULATED_DOOR_HARDWARE.camera.path);
    lines.push(
      '  Try it on this computer (folder camera, simulated relay):',
      `    npx facegate agent --config ${file}`,
      `    then copy a photo of an enrolled person into ${camera}/`,
    );
  } else {
    lines.push(
      '  On the door (Raspberry Pi): install it with the door kit, or run',
      `    npx facegate agent --config ${path.basename(file)}`,
    );
  }
  return lines;
}
