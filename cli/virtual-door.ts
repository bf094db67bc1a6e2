/**
 * The admin site's virtual door: a real door agent running inside the server process, whose
 * camera is the visitor's browser (PushCamera) and whose relay is simulated. It connects to the
 * local broker with its own certificate, exactly like a Pi would, so the page exercises the
 * whole loop: frame → broker → recognition → command → command guard → relay.
 */
import path from 'node:path';
import type { Logger } from '../lib/logger.js';
import type { FacegateServices } from '../cloud/src/app/services.js';
import type { DoorCredentials, DoorProvisioner } from '../cloud/src/ports/door-provisioner.js';
import type { LocalCa } from '../cloud/src/adapters/local/ca/index.js';
import type { Records } from '../cloud/src/ports/records.js';
import { agentConfigFor } from '../cloud/src/app/doors-service.js';
import { createAgent } from '../agent/src/agent.js';
import { parseAgentConfig } from '../agent/src/config.js';
import { PushCamera } from '../agent/src/camera/push-camera.js';
import { FaceGate } from '../agent/src/face-gate/face-gate.js';
import { HumanFaceDetector } from '../agent/src/face-gate/human-face-detector.js';
import { SimulatedRelay } from '../agent/src/relay/simulated-relay.js';
import { IotDoorLink } from '../agent/src/link/iot-door-link.js';
import { agentVersion } from '../agent/src/version.js';
import type { VirtualDoor, VirtualDoorState } from '../admin-web/src/virtual-door.js';
import { writeDoorBundle } from './door-bundle.js';
import { existingDoorCertificate } from './server-credentials.js';

export const VIRTUAL_DOOR_ID = 'virtual-door';

export interface RunningVirtualDoor extends VirtualDoor {
  stop(): Promise<void>;
}

export async function startVirtualDoor(options: {
  services: FacegateServices;
  records: Records;
  provisioner: DoorProvisioner;
  ca: LocalCa;
  siteId: string;
  broker: { host: string; port: number };
  bundleDir: string;
  logger: Logger;
}): Promise<RunningVirtualDoor> {
  const { services, records, provisioner, broker, logger } = options;
  const doorId = VIRTUAL_DOOR_ID;
  const log = logger.child({ doorId });
  // Registered once (audited like any door); later starts reuse its certificate while it is good.
  let credentials: DoorCredentials;
  if (!(await records.getDoor(doorId))) {
    credentials = (
      await services.doors.create({ doorId, name: 'Virtual door (browser webcam)', pulseMs: 3000 }, { name: 'system' })
    ).bundle.credentials;
  } else {
    const kept = existingDoorCertificate(options.ca, options.bundleDir, doorId);
    credentials = kept
      ? {
          siteId: options.siteId,
          doorId,
          certificatePem: kept.certPem,
          privateKeyPem: kept.keyPem,
          notAfter: kept.notAfter,
          caPem: options.ca.caCertPem,
          endpoint: broker.host,
          port: broker.port,
        }
      : await provisioner.provision(doorId);
  }
  const rawConfig = {
    ...agentConfigFor(options.siteId, doorId, broker.host, broker.port),
    camera: { type: 'push' },
    relay: { type: 'simulated' },
  };
  const configFile = writeDoorBundle(options.bundleDir, { credentials, agentConfig: rawConfig });
  const config = parseAgentConfig(rawConfig, path.dirname(configFile), configFile);

  const camera = new PushCamera();
  const relay = new SimulatedRelay(log.child({ component: 'simulated-relay' }));
  const link = new IotDoorLink({
    ...config.mqtt,
    siteId: config.siteId,
    doorId,
    logger: log,
    agentVersion: agentVersion(),
  });
  const listeners = new Set<(s: VirtualDoorState) => void>();
  let state: VirtualDoorState = { lock: 'locked' };
  const emit = (patch: Partial<VirtualDoorState>) => {
    state = { ...state, ...patch };
    for (const listener of listeners) listener(state);
  };
  relay.onChange((lock) =>
    emit({ lock, ...(lock === 'unlocked' ? { lastDecision: { type: 'unlock', at: Date.now() } } : {}) }),
  );
  const agent = createAgent(config, {
    camera,
    relay,
    link,
    // The real gate, as on a Pi: a webcam frame without a usable face never reaches the back end.
    faceGate: new FaceGate(await HumanFaceDetector.create(), config.faceGate),
    logger: log,
    onDeny: (command) => emit({ lastDecision: { type: 'deny', reason: command.reason, at: Date.now() } }),
  });
  await agent.start();

  return {
    doorId,
    async submitFrame(jpeg) {
      camera.push(jpeg);
    },
    onState(listener) {
      listeners.add(listener);
      listener(state);
      return () => listeners.delete(listener);
    },
    async stop() {
      listeners.clear();
      try {
        await agent.stop();
      } finally {
        await relay.close();
      }
    },
  };
}
