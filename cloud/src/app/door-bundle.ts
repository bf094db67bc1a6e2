/**
 * The door bundle: one JSON file that is a complete agent config (agent/src/config.ts) with the
 * door's certificates inline, so `facegate agent --config BUNDLE` runs it as it is and the door
 * kit's installer needs nothing else. `facegate provision` and the admin site's Add door and Renew
 * both produce it. See docs/door-bundle.md for the format.
 *
 * When the door made its own key (a certificate signing request), the bundle carries no private
 * key: `mqtt.keyFile` names the key file the door already holds, relative to the bundle.
 */
import type { DoorCredentials } from '../ports/door-provisioner.js';
import { DEFAULT_DOOR_WIRING, type DoorWiring } from '../domain/door-wiring.js';

export const DOOR_BUNDLE_FORMAT = 'facegate-door-bundle';
export const DOOR_BUNDLE_VERSION = 1;
/** Where the door kit keeps the key it made, next to the bundle. */
export const DOOR_KEY_FILE = 'door.key';

/** File names of the folder form (the simulated and virtual doors), pointed at by relative path. */
export const BUNDLE_FILES = { ca: 'ca.pem', cert: 'door.crt', key: DOOR_KEY_FILE, config: 'door.json' } as const;

/** A Raspberry Pi door's camera as shipped: streamed by ffmpeg from /dev/video0. */
const PI_CAMERA = { type: 'stream', source: 'ffmpeg', device: '/dev/video0', width: 640, height: 480, fps: 5 } as const;

/**
 * A Raspberry Pi door's hardware section for its wiring (docs/installing-a-door.md): relay, and the
 * door contact and exit button when fitted, both to ground on inputs pulled up by config.txt.
 */
export function piDoorHardware(wiring: DoorWiring = DEFAULT_DOOR_WIRING): Record<string, unknown> {
  return {
    camera: PI_CAMERA,
    relay: { type: 'gpio', pin: wiring.relayPin, activeLow: wiring.relayActiveLow },
    ...(wiring.contactPin !== null && {
      contact: { type: 'gpio', pin: wiring.contactPin, openWhen: 'high', debounceMs: 50 },
    }),
    ...(wiring.exitButtonPin !== null && {
      exitButton: { type: 'gpio', pin: wiring.exitButtonPin, pressedWhen: 'low' },
    }),
  };
}

/** A door on a PC for trying FaceGate: photos dropped in a folder next to the bundle, no relay wired. */
export const SIMULATED_DOOR_HARDWARE = {
  camera: { type: 'directory', path: 'camera', mode: 'watch' },
  relay: { type: 'simulated' },
} as const;

export type DoorHardware = 'pi' | 'simulated';

/** The agent config with the certificates as files in the same folder (BUNDLE_FILES). */
export function agentConfigFor(
  siteId: string,
  doorId: string,
  endpoint: string,
  port: number,
  options: { clientId?: string; hardware?: DoorHardware; wiring?: DoorWiring } = {},
): Record<string, unknown> {
  return {
    siteId,
    doorId,
    mqtt: {
      endpoint,
      port,
      ...(options.clientId && { clientId: options.clientId }),
      caFile: BUNDLE_FILES.ca,
      certFile: BUNDLE_FILES.cert,
      keyFile: BUNDLE_FILES.key,
    },
    ...(options.hardware === 'simulated' ? SIMULATED_DOOR_HARDWARE : piDoorHardware(options.wiring)),
  };
}

export interface DoorBundleFile {
  bundle: {
    format: typeof DOOR_BUNDLE_FORMAT;
    version: typeof DOOR_BUNDLE_VERSION;
    createdAt: string;
    certificateNotAfter: string;
    /** Whether the private key is inline (false: the door made it and keeps it in mqtt.keyFile). */
    privateKeyIncluded: boolean;
  };
  siteId: string;
  doorId: string;
  mqtt: Record<string, unknown>;
  [setting: string]: unknown;
}

/** The single-file bundle: `agentConfig` with its certificate files replaced by the PEM texts. */
export function doorBundleFile(
  credentials: DoorCredentials,
  agentConfig: Record<string, unknown>,
  now: number,
): DoorBundleFile {
  const FILE_KEYS = new Set(['caFile', 'certFile', 'keyFile']);
  const mqtt = Object.fromEntries(
    Object.entries((agentConfig.mqtt ?? {}) as Record<string, unknown>).filter(([k]) => !FILE_KEYS.has(k)),
  );
  const hasKey = credentials.privateKeyPem !== undefined;
  return {
    bundle: {
      format: DOOR_BUNDLE_FORMAT,
      version: DOOR_BUNDLE_VERSION,
      createdAt: new Date(now).toISOString(),
      certificateNotAfter: new Date(credentials.notAfter).toISOString(),
      privateKeyIncluded: hasKey,
    },
    ...agentConfig,
    siteId: credentials.siteId,
    doorId: credentials.doorId,
    mqtt: {
      ...mqtt,
      caPem: credentials.caPem,
      certPem: credentials.certificatePem,
      ...(hasKey ? { keyPem: credentials.privateKeyPem } : { keyFile: DOOR_KEY_FILE }),
    },
  };
}

/** The bundle's usual file name. */
export function doorBundleFileName(doorId: string): string {
  return `facegate-door-${doorId}.json`;
}
