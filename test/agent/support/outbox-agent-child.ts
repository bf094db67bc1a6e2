/**
 * Child process for the offline-queue test: a real agent (real IotDoorLink, on-disk outbox,
 * simulated relay) whose door contact and exit button are driven by lines on stdin ("exit",
 * "open", "close"). Prints "queued N" after each input, once its events are on disk.
 */
import readline from 'node:readline';
import { createAgent } from '../../../agent/src/agent.js';
import { PushCamera } from '../../../agent/src/camera/push-camera.js';
import { IotDoorLink } from '../../../agent/src/link/iot-door-link.js';
import { EventOutbox } from '../../../agent/src/outbox/event-outbox.js';
import type { DoorContact, ExitButton } from '../../../agent/src/ports/index.js';
import { SimulatedRelay } from '../../../agent/src/relay/simulated-relay.js';
import { silentLogger } from '../../../lib/logger.js';
import { brightRegionGate } from './bright-region-detector.js';

const [doorId, port, caFile, certFile, keyFile, outboxDir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const logger = silentLogger();
let contactState: 'open' | 'closed' = 'closed';
let onContact: (s: 'open' | 'closed') => void = () => {};
let onPress: () => void = () => {};
const contact: DoorContact = {
  get state() {
    return contactState;
  },
  start: async (cb) => void (onContact = cb),
  stop: async () => {},
};
const exitButton: ExitButton = { start: async (cb) => void (onPress = cb), stop: async () => {} };
const outbox = EventOutbox.open({ dir: outboxDir, logger });
const link = new IotDoorLink({
  siteId: 'local',
  doorId,
  endpoint: 'localhost',
  port: Number(port),
  caFile,
  certFile,
  keyFile,
  keepAliveSec: 5,
  reconnectMinSec: 1,
  reconnectMaxSec: 1,
  logger,
});
const agent = createAgent(
  {
    doorId,
    frames: { maxFps: 2, maxWidth: 640, maxBytes: 92 * 1024 },
    unlock: { maxPulseMs: 5000 },
    // A long grace so the opening after the (short) exit pulse counts as granted whatever the timing.
    door: { exitPulseMs: 200, heldOpenMs: 60_000, grantGraceMs: 60_000 },
  },
  {
    camera: new PushCamera(),
    faceGate: brightRegionGate(), // no frames here: the door's events are what this child is for
    relay: new SimulatedRelay(logger),
    link,
    contact,
    exitButton,
    outbox,
    deliveryPace: { burst: 1000, ratePerSec: 1000 },
    logger,
    agentVersion: 'test',
  },
);
link.onConnectionChange((connected) => process.stdout.write(connected ? 'connected\n' : 'offline\n'));
await agent.start();
process.stdout.write(`started ${outbox.size}\n`);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'exit') onPress();
  if (line === 'open' || line === 'close') {
    contactState = line === 'open' ? 'open' : 'closed';
    onContact(contactState);
  }
  // The exit pulse's own "locked" event comes later; wait for it so the count is settled.
  setTimeout(() => process.stdout.write(`queued ${outbox.size}\n`), line === 'exit' ? 400 : 20);
});
