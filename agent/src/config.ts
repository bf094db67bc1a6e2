/**
 * The door agent's config file (JSON), validated with zod. Relative paths inside it are resolved
 * against the folder of the config file, so a provisioning bundle (config + certificates) can be
 * unpacked anywhere and still work. The single-file door bundle (docs/door-bundle.md) is such a
 * config with the certificates inline (mqtt.caPem/certPem/keyPem).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_SITE_ID,
  DoorId,
  MAX_FRAME_JPEG_BYTES,
  MAX_FRAMES_PER_VISIT,
  MAX_PULSE_MS,
  MIN_PULSE_MS,
  SITE_ID_PATTERN,
} from '../../protocol/index.js';
import { ConfigError } from './errors.js';
import { describeIssues } from '../../lib/zod-issues.js';

const FilePath = z.string().min(1);
const BcmPin = z.number().int().min(0).max(53);
const Pem = z
  .string()
  .max(16_384)
  .regex(/^-----BEGIN [A-Z0-9 ]+-----/, 'must be PEM text (-----BEGIN …)');

/** Exactly one of file or inline PEM for each credential. */
function oneSourceEach(mqtt: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const what of ['ca', 'cert', 'key'] as const) {
    const file = mqtt[`${what}File`] !== undefined;
    const pem = mqtt[`${what}Pem`] !== undefined;
    if (file === pem) {
      ctx.addIssue({
        code: 'custom',
        path: [`${what}${file ? 'Pem' : 'File'}`],
        message: `give either mqtt.${what}File or mqtt.${what}Pem${file ? ', not both' : ''}`,
      });
    }
  }
}

export const DirectoryCameraConfig = z.object({
  type: z.literal('directory'),
  path: FilePath,
  /** replay: cycle through the images every intervalMs; watch: emit each new or changed file once. */
  mode: z.enum(['replay', 'watch']).default('watch'),
  intervalMs: z.number().int().min(50).max(600_000).default(1000),
});

export const WebcamCameraConfig = z.object({
  type: z.literal('webcam'),
  /** node-webcam puts this in a shell command line, so only plain /dev paths are accepted. */
  device: z
    .string()
    .regex(/^\/dev\/[A-Za-z0-9_./-]+$/, 'device must be a /dev path')
    .default('/dev/video0'),
  width: z.number().int().min(16).max(4096).default(640),
  height: z.number().int().min(16).max(4096).default(480),
  /** Pause between fswebcam shots (each shot opens the device, so it is slow anyway). */
  intervalMs: z.number().int().min(0).max(600_000).default(500),
});

export const StreamCameraConfig = z.object({
  type: z.literal('stream'),
  source: z.enum(['ffmpeg', 'rpicam']),
  /** V4L2 device for ffmpeg (default /dev/video0); camera index for rpicam-vid. Passed as one argument, no shell. */
  device: z.string().min(1).max(256).optional(),
  width: z.number().int().min(16).max(4096).default(640),
  height: z.number().int().min(16).max(4096).default(480),
  fps: z.number().min(0.2).max(60).default(5),
  /** ffmpeg input arguments replacing `-f v4l2 … -i device`, e.g. ['-f','lavfi','-i','testsrc=size=320x240:rate=5']. */
  input: z.array(z.string()).max(64).optional(),
});

/** Frames pushed in by code (the admin site's browser-webcam "virtual door"). */
export const PushCameraConfig = z.object({ type: z.literal('push') });

export const CameraConfig = z.discriminatedUnion('type', [
  DirectoryCameraConfig,
  WebcamCameraConfig,
  StreamCameraConfig,
  PushCameraConfig,
]);
export type CameraConfig = z.infer<typeof CameraConfig>;

export const RelayConfig = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('gpio'),
    pin: BcmPin,
    /** Many relay boards energise on a low level; the relay is de-energised (locked) otherwise. */
    activeLow: z.boolean().default(false),
  }),
  z.object({ type: z.literal('simulated') }),
]);
export type RelayConfig = z.infer<typeof RelayConfig>;

export const ContactConfig = z.object({
  type: z.literal('gpio'),
  pin: BcmPin,
  /** Level the input reads when the door is open. */
  openWhen: z.enum(['high', 'low']).default('high'),
  /** A level must hold this long to count (reed switches chatter). */
  debounceMs: z.number().int().min(0).max(1000).default(50),
});
export type ContactConfig = z.infer<typeof ContactConfig>;

/** Request-to-exit button: unlocks locally (also offline) and is reported as exit_button. */
export const ExitButtonConfig = z.object({
  type: z.literal('gpio'),
  pin: BcmPin,
  /** A button to ground with the pin pulled up reads low while pressed. */
  pressedWhen: z.enum(['high', 'low']).default('low'),
  pulseMs: z.number().int().min(MIN_PULSE_MS).max(MAX_PULSE_MS).default(5000),
  debounceMs: z.number().int().min(0).max(1000).default(50),
});
export type ExitButtonConfig = z.infer<typeof ExitButtonConfig>;

export const AgentConfigSchema = z.object({
  /** The site the door belongs to (part of its MQTT topics); bundles always name it. */
  siteId: z.string().regex(SITE_ID_PATTERN, 'site id must be 1-24 chars of a-z, 0-9 and -').default(DEFAULT_SITE_ID),
  doorId: DoorId,
  mqtt: z
    .object({
      endpoint: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).default(8883),
      /** Each of CA, certificate and key is a file (relative to the config) or inline PEM (the single-file bundle). */
      caFile: FilePath.optional(),
      certFile: FilePath.optional(),
      keyFile: FilePath.optional(),
      caPem: Pem.optional(),
      certPem: Pem.optional(),
      keyPem: Pem.optional(),
      /** MQTT client id (on AWS IoT Core: the thing name); default the door id. */
      clientId: z.string().min(1).max(128).optional(),
      keepAliveSec: z.number().int().min(5).max(1200).default(30),
      /** Reconnect backoff bounds handed to the SDK (it doubles from min up to max). */
      reconnectMinSec: z.number().int().min(1).max(3600).default(1),
      reconnectMaxSec: z.number().int().min(1).max(3600).default(60),
    })
    .superRefine(oneSourceEach),
  camera: CameraConfig,
  relay: RelayConfig,
  contact: ContactConfig.optional(),
  exitButton: ExitButtonConfig.optional(),
  /** Door-contact rules: when an open door counts as held open, and how late after a grant an opening is still granted. */
  door: z
    .object({
      heldOpenMs: z.number().int().min(1000).max(3_600_000).default(30_000),
      grantGraceMs: z.number().int().min(0).max(30_000).default(1000),
    })
    .prefault({}),
  /** The door's event queue for outages (see outbox/event-outbox.ts). */
  outbox: z
    .object({
      /** Folder for the queue; default $STATE_DIRECTORY/outbox (systemd's StateDirectory), else memory only. */
      dir: FilePath.optional(),
      maxEvents: z.number().int().min(100).max(100_000).default(10_000),
    })
    .prefault({}),
  frames: z
    .object({
      /** Camera frames judged by the face gate per second at most (the rest are skipped, newest kept). */
      maxFps: z.number().min(0.1).max(30).default(5),
      maxWidth: z.number().int().min(64).max(4096).default(640),
      maxBytes: z.number().int().min(4096).max(MAX_FRAME_JPEG_BYTES).default(MAX_FRAME_JPEG_BYTES),
    })
    .prefault({}),
  /** Visits (visit/visit-tracker.ts): which frames of one person at the door are sent. */
  visit: z
    .object({
      /** A visit ends when no face has been seen for this long. */
      idleEndMs: z.number().int().min(200).max(60_000).default(1500),
      /** …or this long after it began, face or not. */
      maxDurationMs: z.number().int().min(1000).max(300_000).default(15_000),
      /** The first frame goes at once; the best one seen after it this much later. */
      followUpMs: z.number().int().min(0).max(10_000).default(600),
      /** Frames sent per visit at most. */
      maxFrames: z.number().int().min(1).max(MAX_FRAMES_PER_VISIT).default(2),
    })
    .prefault({}),
  /** The door's face gate (face-gate/face-gate.ts): frames it refuses are never sent. */
  faceGate: z
    .object({
      /** Frames are judged (and sent) at most this many px on the longer side. */
      maxSide: z.number().int().min(128).max(1920).default(640),
      /** Smallest face box side in px of the judged frame (BlazeFace's box, ≈ 1.4× the face). */
      minFacePx: z.number().int().min(16).max(1024).default(64),
      /** Lowest BlazeFace confidence taken as a face. */
      minScore: z.number().min(0.3).max(1).default(0.5),
      /**
       * Lowest face sharpness, 0..100 (lib/sharpness.ts). 25 refuses 0.8 % of dev photos as taken
       * and 94 % of them blurred with σ 2 (agent/bench/sharpness-floor.ts, agent/README.md).
       */
      minSharpness: z.number().min(0).max(100).default(25),
    })
    .prefault({}),
  unlock: z
    .object({
      maxPulseMs: z.number().int().min(MIN_PULSE_MS).max(MAX_PULSE_MS).default(10_000),
    })
    .prefault({}),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
/** The config as written in the file (defaults not yet applied). */
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

/** Validates an already-parsed config object; relative paths are resolved against `baseDir`. */
export function parseAgentConfig(raw: unknown, baseDir: string, source = 'agent config'): AgentConfig {
  const result = AgentConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`${source} is invalid: ${describeIssues(result.error, { max: 5 })}`);
  }
  const config = result.data;
  const resolve = (p: string) => path.resolve(baseDir, p);
  if (config.mqtt.caFile !== undefined) config.mqtt.caFile = resolve(config.mqtt.caFile);
  if (config.mqtt.certFile !== undefined) config.mqtt.certFile = resolve(config.mqtt.certFile);
  if (config.mqtt.keyFile !== undefined) config.mqtt.keyFile = resolve(config.mqtt.keyFile);
  if (config.camera.type === 'directory') config.camera.path = resolve(config.camera.path);
  if (config.outbox.dir) config.outbox.dir = resolve(config.outbox.dir);
  if (config.mqtt.reconnectMaxSec < config.mqtt.reconnectMinSec) {
    throw new ConfigError(`${source} is invalid: mqtt.reconnectMaxSec must be >= mqtt.reconnectMinSec`);
  }
  return config;
}

/** A credential's PEM text: inline in the config (the single-file bundle) or read from its file. */
export function readCredential(mqtt: AgentConfig['mqtt'], which: 'ca' | 'cert' | 'key'): string {
  const pem = mqtt[`${which}Pem`];
  if (pem !== undefined) return pem;
  const file = mqtt[`${which}File`];
  if (file === undefined) throw new ConfigError(`mqtt.${which}File or mqtt.${which}Pem is required`);
  return fs.readFileSync(file, 'utf8');
}

/** Where a credential comes from, for messages: its file, or "the config file". */
export function credentialSource(mqtt: AgentConfig['mqtt'], which: 'ca' | 'cert' | 'key'): string {
  return mqtt[`${which}File`] ?? `mqtt.${which}Pem in the config file`;
}

/** Reads and validates a config file; throws ConfigError saying which file and which field. */
export function loadAgentConfig(file: string): AgentConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read agent config ${absolute}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`agent config ${absolute} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseAgentConfig(raw, path.dirname(absolute), `agent config ${absolute}`);
}
