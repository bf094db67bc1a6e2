/**
 * The agent's composition root: reads the config file and builds the real adapters (camera,
 * relay, contact sensor, IoT link) around createAgent. The returned relay is kept so main.ts can
 * lock it synchronously from exit and crash handlers.
 */
import path from 'node:path';
import { envOptional } from '../../lib/env.js';
import type { Logger } from '../../lib/logger.js';
import { createAgent, type AgentDeps, type DoorAgent } from './agent.js';
import { DirectoryCamera, MjpegStreamCamera, PushCamera, WebcamCamera } from './camera/index.js';
import { loadAgentConfig, type AgentConfig } from './config.js';
import { GpioContact, GpioExitButton, type GpioInputFactory } from './contact/index.js';
import { FaceGate } from './face-gate/face-gate.js';
import { HumanFaceDetector } from './face-gate/human-face-detector.js';
import { IotDoorLink } from './link/iot-door-link.js';
import { EventOutbox } from './outbox/event-outbox.js';
import type { Camera, DoorContact, ExitButton } from './ports/index.js';
import { GpioRelay, SimulatedRelay, type FailSecureRelay } from './relay/index.js';
import { agentVersion } from './version.js';

export interface AgentRuntime {
  config: AgentConfig;
  agent: DoorAgent;
  relay: FailSecureRelay;
  camera: Camera;
  /** Set when camera.type is 'push': where the admin site's virtual door hands in frames. */
  pushCamera: PushCamera | null;
  link: IotDoorLink;
  /** Stops the agent (locking the door) and releases the relay hardware. */
  stop(): Promise<void>;
}

export function buildCamera(config: AgentConfig['camera'], logger: Logger): Camera {
  switch (config.type) {
    case 'directory':
      return new DirectoryCamera({ path: config.path, mode: config.mode, intervalMs: config.intervalMs, logger });
    case 'webcam':
      return new WebcamCamera({
        device: config.device,
        width: config.width,
        height: config.height,
        intervalMs: config.intervalMs,
        logger,
      });
    case 'stream':
      return new MjpegStreamCamera({ ...config, logger });
    case 'push':
      return new PushCamera();
  }
}

export async function buildRelay(config: AgentConfig['relay'], logger: Logger): Promise<FailSecureRelay> {
  if (config.type === 'simulated') return new SimulatedRelay(logger.child({ component: 'simulated-relay' }));
  return GpioRelay.open({ pin: config.pin, activeLow: config.activeLow, logger });
}

export interface CreateAgentOptions {
  /** Told about deny commands (a red light, a beep, a UI). */
  onDeny?: AgentDeps['onDeny'];
  /**
   * Where the door contact's and exit button's GPIO inputs come from; by default onoff on the
   * Pi's /sys/class/gpio. A test or a simulated door passes lines it drives.
   */
  gpioInputs?: { sysfsRoot: string; inputFactory: GpioInputFactory };
}

export async function createAgentFromConfig(
  configOrPath: string | AgentConfig,
  logger: Logger,
  options: CreateAgentOptions = {},
): Promise<AgentRuntime> {
  const config = typeof configOrPath === 'string' ? loadAgentConfig(configOrPath) : configOrPath;
  const log = logger.child({ doorId: config.doorId });
  // The relay first: if the lock cannot be driven there is no point connecting.
  const relay = await buildRelay(config.relay, log);
  const camera = buildCamera(config.camera, log);
  const contact: DoorContact | undefined = config.contact
    ? new GpioContact({ ...config.contact, ...options.gpioInputs, logger: log })
    : undefined;
  const exitButton: ExitButton | undefined = config.exitButton
    ? new GpioExitButton({ ...config.exitButton, ...options.gpioInputs, logger: log })
    : undefined;
  // The detector's model loads before the link connects: a door that cannot see faces sends nothing.
  const faceGate = new FaceGate(await HumanFaceDetector.create(), config.faceGate);
  const stateDirectory = envOptional('STATE_DIRECTORY'); // set by systemd's StateDirectory=
  const outboxDir = config.outbox.dir ?? (stateDirectory ? path.join(stateDirectory, 'outbox') : null);
  if (!outboxDir) log.warn('no outbox.dir and no STATE_DIRECTORY: events made offline are kept in memory only');
  const outbox = EventOutbox.open({ dir: outboxDir, maxEvents: config.outbox.maxEvents, logger: log });
  const version = agentVersion();
  const link = new IotDoorLink({
    ...config.mqtt,
    siteId: config.siteId,
    doorId: config.doorId,
    logger: log,
    agentVersion: version,
  });
  const agent = createAgent(
    { ...config, door: { ...config.door, ...(config.exitButton ? { exitPulseMs: config.exitButton.pulseMs } : {}) } },
    {
      camera,
      relay,
      link,
      contact,
      exitButton,
      faceGate,
      logger: log,
      agentVersion: version,
      onDeny: options.onDeny,
    },
  );
  return {
    config,
    agent,
    relay,
    camera,
    pushCamera: camera instanceof PushCamera ? camera : null,
    link,
    async stop() {
      try {
        await agent.stop();
      } finally {
        outbox.close();
        await relay.close();
      }
    },
  };
}
