/**
 * The door loop end to end on the embedded default, through the real broker over mutual TLS:
 * a door agent (directory camera, simulated relay) and the local back end (real face engine,
 * SQLite, sealed files). Photos come from ../shared/faces/dev; without them the recognition
 * cases are skipped and the broker/command cases still run.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { doorTopics, type UnlockCommand } from '../../protocol/index.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { writeDoorBundle } from '../../cli/door-bundle.js';
import { createAgentFromConfig, type AgentRuntime } from '../../agent/src/create-agent-from-config.js';
import { SimulatedRelay } from '../../agent/src/relay/simulated-relay.js';
import { connectBackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { BACKEND_IDENTITY } from '../../cloud/src/adapters/local/broker/index.js';
import { DEV_DIR, HAVE_FACES, SKIP_REASON } from '../face/faces-dataset.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { renderVisit } from '../../bench/lib/visit-render.js';

const ENROLLED = 'Alan_Greenspan';
const STRANGER = 'Abdel_Madi_Shabneh'; // one photo in the set: never enrolled anywhere
const devPhoto = (person: string, n: number) => path.join(DEV_DIR, person, `${n}.jpg`);

interface Door {
  runtime: AgentRuntime;
  relay: SimulatedRelay;
  cameraDir: string;
  configFile: string;
  /** Copies a photo into the camera folder: the person walks up to the door. */
  show(file: string): Promise<void>;
}

async function startDoor(
  stack: LocalStack,
  root: string,
  doorId: string,
  config: Record<string, unknown> = {},
): Promise<Door> {
  const { bundle } = await stack.services.doors.create({ doorId, name: doorId, pulseMs: 500 }, { name: 'test' });
  const dir = path.join(root, doorId);
  const cameraDir = path.join(dir, 'camera');
  fs.mkdirSync(cameraDir, { recursive: true });
  const configFile = writeDoorBundle(dir, bundle, {
    mqtt: { endpoint: '127.0.0.1', port: stack.mqtt.port, caFile: 'ca.pem', certFile: 'door.crt', keyFile: 'door.key' },
    camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: 100 },
    relay: { type: 'simulated' },
    ...config,
  });
  const runtime = await createAgentFromConfig(configFile, silentLogger());
  await runtime.agent.start();
  await waitFor('door online', () => runtime.agent.state.connected);
  let shown = 0;
  return {
    runtime,
    relay: runtime.relay as SimulatedRelay,
    cameraDir,
    configFile,
    async show(this: Door, file: string) {
      // The previous person must have left first: frames that arrive while a visit is still open
      // (no face for the door's idle time, 1.5 s) belong to that visit, which is already answered.
      await waitFor('the previous visit to end', () => {
        // `this`: after a restart the door object carries the new agent runtime.
        const { visits, visitEnds } = this.runtime.agent.state.frames;
        return visitEnds >= visits;
      });
      shown++;
      fs.copyFileSync(file, path.join(cameraDir, `visit-${shown}.jpg`));
    },
  };
}

const unlocks = (relay: SimulatedRelay) => relay.history.filter((h) => h.state === 'unlocked').length;

describe('door loop over the real broker (mutual TLS)', () => {
  let root: string;
  let stack: LocalStack;
  let door: Door;

  beforeAll(async () => {
    root = makeTempDir('e2e');
    stack = await startLocalStack({
      dataDir: path.join(root, 'data'),
      logger: silentLogger(),
      httpPort: 0,
      mqttPort: 0,
      adminSite: false,
    });
    door = await startDoor(stack, root, 'door-a');
  });

  afterAll(async () => {
    await door?.runtime.stop();
    await stack?.close();
    removeDir(root);
  });

  it('starts locked and reports itself online and locked', async () => {
    expect(door.relay.state).toBe('locked');
    const record = await waitFor('door state', async () => {
      const d = await stack.services.doors.get('door-a');
      return d?.online && d.lock === 'locked' ? d : null;
    });
    expect(record.agentVersion).toMatch(/\d+\.\d+\.\d+/);
  });

  describe.skipIf(!HAVE_FACES)(`recognition (${HAVE_FACES ? 'photos found' : SKIP_REASON})`, () => {
    let personId: string;

    beforeAll(async () => {
      const person = await stack.services.people.create({ name: 'Alan Greenspan' }, { name: 'test' });
      personId = person.personId;
      const results = await stack.services.enrollment.enroll(personId, [fs.readFileSync(devPhoto(ENROLLED, 1))], {
        name: 'test',
      });
      expect(results[0]?.faceId).toBeTruthy();
    });

    it('an enrolled person is recognised from another photo and the relay pulses, then relocks', async () => {
      const before = unlocks(door.relay);
      await door.show(devPhoto(ENROLLED, 3));
      await waitFor('unlock', () => unlocks(door.relay) > before);
      await waitFor('relock after the pulse', () => door.relay.state === 'locked');
      // The back end sends the command before it writes the row: wait for the row, do not assume it.
      const row = await waitFor('the access row', async () => {
        const { events } = await stack.services.events.list({ doorId: 'door-a', kind: 'access', limit: 1 });
        return events[0];
      });
      expect(row).toMatchObject({ result: 'granted', reason: 'match', personId });
      expect(row.snapshotKey).toMatch(/^snapshots\/door-a\//);
    });

    it('a person not enrolled leaves it locked and a "denied: unknown" event is stored', async () => {
      const before = unlocks(door.relay);
      await door.show(devPhoto(STRANGER, 1));
      const event = await waitFor('denied event', async () => {
        const { events } = await stack.services.events.list({ doorId: 'door-a', result: 'denied', limit: 1 });
        return events.find((e) => e.reason === 'unknown');
      });
      expect(event.personId).toBeNull();
      expect(unlocks(door.relay)).toBe(before);
      expect(door.relay.state).toBe('locked');
    });

    it('a deactivated person is denied', async () => {
      await stack.services.people.update(personId, { status: 'inactive' }, { name: 'test' });
      const before = unlocks(door.relay);
      await door.show(devPhoto(ENROLLED, 4));
      const event = await waitFor('inactive event', async () => {
        const { events } = await stack.services.events.list({ doorId: 'door-a', personId, result: 'denied', limit: 1 });
        return events[0];
      });
      expect(event.reason).toBe('inactive');
      expect(unlocks(door.relay)).toBe(before);
      await stack.services.people.update(personId, { status: 'active' }, { name: 'test' });
    });

    it('two people back to back within the idle window: one visit each, two decisions, two rows', async () => {
      // Idle time 10 s: only the new-person rule can split these visits, never the clock.
      const doorC = await startDoor(stack, root, 'door-c', { visit: { idleEndMs: 10_000 } });
      try {
        const state = () => doorC.runtime.agent.state;
        let n = 0;
        const put = (jpeg: Buffer) => fs.writeFileSync(path.join(doorC.cameraDir, `f-${++n}.jpg`), jpeg);
        const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
        // The enrolled person walks up (the face grows over 6 frames) and stays until the door opens.
        const walkUp = await renderVisit(fs.readFileSync(devPhoto(ENROLLED, 3)), { frames: 6, seed: 'split-a' });
        for (const jpeg of walkUp) {
          put(jpeg);
          await pause(150);
        }
        await waitFor(
          'unlock for the first person',
          async () => {
            if (unlocks(doorC.relay) > 0) return true;
            put(walkUp.at(-1)!); // still standing at the door
            await pause(250);
            return false;
          },
          60_000,
        );
        expect(state().frames.visits).toBe(1); // one person walking up is one visit
        // A stranger steps up behind them at once, further back: their face starts smaller.
        const stranger = await renderVisit(fs.readFileSync(devPhoto(STRANGER, 1)), { frames: 6, seed: 'split-b' });
        for (const jpeg of stranger) {
          put(jpeg);
          await pause(150);
        }
        const rows = await waitFor(
          'a row for each person',
          async () => {
            const { events } = await stack.services.events.list({ doorId: 'door-c', kind: 'access', limit: 10 });
            return events.length >= 2 ? events : null;
          },
          60_000,
        );
        // The rows can land before the door has handled the second command (sent first, stored
        // after, delivered over the broker): wait for the door's side too.
        await waitFor('both commands at the door', () => state().commands.unlocked + state().commands.denied >= 2);
        expect(state().frames.visits).toBe(2);
        expect(state().frames.splits).toBe(1);
        expect(state().commands).toMatchObject({ unlocked: 1, denied: 1 });
        expect(rows.map((e) => [e.result, e.reason]).sort()).toEqual([
          ['denied', 'unknown'],
          ['granted', 'match'],
        ]);
        expect(unlocks(doorC.relay)).toBe(1);
      } finally {
        await doorC.runtime.stop();
      }
    }, 180_000);

    it('a restart of the back end keeps people, faces and events', async () => {
      const eventsBefore = (await stack.services.events.list({ limit: 1000 })).events.length;
      await door.runtime.stop();
      await stack.close();
      stack = await startLocalStack({
        dataDir: path.join(root, 'data'),
        logger: silentLogger(),
        httpPort: 0,
        mqttPort: 0,
        adminSite: false,
      });
      // The broker port changed: point the door at it, as a restarted Pi would find it again.
      const config = JSON.parse(fs.readFileSync(door.configFile, 'utf8'));
      config.mqtt.port = stack.mqtt.port;
      fs.writeFileSync(door.configFile, JSON.stringify(config));
      const runtime = await createAgentFromConfig(door.configFile, silentLogger());
      await runtime.agent.start();
      door = { ...door, runtime, relay: runtime.relay as SimulatedRelay };
      await waitFor('door online again', () => runtime.agent.state.connected);

      expect((await stack.services.people.get(personId))?.faces).toHaveLength(1);
      expect((await stack.services.events.list({ limit: 1000 })).events.length).toBeGreaterThanOrEqual(eventsBefore);
      await door.show(devPhoto(ENROLLED, 2));
      await waitFor('unlock after restart', () => unlocks(door.relay) > 0);
    });
  });

  describe('door identity and commands', () => {
    let doorB: Door;

    beforeAll(async () => {
      doorB = await startDoor(stack, root, 'door-b');
    });
    afterAll(async () => {
      await doorB?.runtime.stop();
    });

    /** An mqtt.js client holding door A's certificate (what a stolen or misbehaving door could do). */
    async function connectAsDoorA(): Promise<mqtt.MqttClient> {
      const dir = path.dirname(door.configFile);
      const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${stack.mqtt.port}`, {
        clientId: 'door-a',
        protocolVersion: 4,
        ca: fs.readFileSync(path.join(dir, 'ca.pem')),
        cert: fs.readFileSync(path.join(dir, 'door.crt')),
        key: fs.readFileSync(path.join(dir, 'door.key')),
        reconnectPeriod: 0,
      });
      return client;
    }

    it("door A cannot publish frames as door B, nor read B's commands", async () => {
      const attacker = await connectAsDoorA();
      const received: string[] = [];
      attacker.on('message', (topic) => received.push(topic));
      const granted = await attacker.subscribeAsync(doorTopics('local', 'door-b').commands, { qos: 1 }).catch(() => []);
      expect(granted.every((g) => g.qos === 128)).toBe(true);

      const processedBefore = stack.dispatcher.stats().processed;
      const closed = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
      const frame = {
        v: 2,
        doorId: 'door-b',
        frameId: 'forged-frame-1',
        capturedAt: Date.now(),
        jpeg: Buffer.from('x').toString('base64'),
      };
      attacker.publish(doorTopics('local', 'door-b').frames, JSON.stringify(frame), { qos: 0 });
      await closed; // the broker drops a client that publishes outside its own topics
      expect(stack.dispatcher.stats().processed).toBe(processedBefore);

      // A remote unlock of door B reaches door B only.
      await stack.services.doors.remoteUnlock('door-b', 'delivery at the back door', { name: 'test' });
      await waitFor('door B unlocks', () => unlocks(doorB.relay) > 0);
      expect(received).toEqual([]);
      attacker.end(true);
    });

    it('an expired or replayed unlock command does not pulse the relay', async () => {
      const cert = await stack.backend.ca.issueClientCertificate(BACKEND_IDENTITY, 1);
      const backend = await connectBackendMqtt({
        siteId: 'local',
        host: '127.0.0.1',
        port: stack.mqtt.port,
        caPem: stack.backend.ca.caCertPem,
        certPem: cert.certPem,
        keyPem: cert.keyPem,
        clientId: `${BACKEND_IDENTITY}-test`, // a second back-end session beside the server's own
        logger: silentLogger(),
      });
      try {
        const now = Date.now();
        const unlock = (decisionId: string, issuedAt: number, expiresAt: number): UnlockCommand => ({
          v: 2,
          type: 'unlock',
          doorId: 'door-b',
          decisionId,
          issuedAt,
          expiresAt,
          pulseMs: 300,
          source: 'remote',
        });
        await waitFor('door B locked', () => doorB.relay.state === 'locked');
        const before = unlocks(doorB.relay);
        const rejectedBefore = doorB.runtime.agent.state.commands.rejected;

        await backend.publishCommand(unlock('expired-decision-1', now - 60_000, now - 30_000));
        await waitFor('expired command rejected', () => doorB.runtime.agent.state.commands.rejected > rejectedBefore);
        expect(unlocks(doorB.relay)).toBe(before);

        const fresh = unlock('fresh-decision-1', Date.now(), Date.now() + 5_000);
        await backend.publishCommand(fresh);
        await waitFor('fresh command pulses', () => unlocks(doorB.relay) === before + 1);
        await waitFor('relocked', () => doorB.relay.state === 'locked');

        await backend.publishCommand(fresh); // the same command again: a replay
        await waitFor('replay rejected', () => doorB.runtime.agent.state.commands.rejected > rejectedBefore + 1);
        expect(unlocks(doorB.relay)).toBe(before + 1);

        // The rejections reach the audit log as door events.
        await waitFor('command_rejected in the log', async () => {
          const { events } = await stack.services.events.list({ doorId: 'door-b', kind: 'door_event', limit: 20 });
          return (
            events.filter((e) => e.detail?.includes('command_rejected') || e.detail?.includes('rejected')).length >= 2
          );
        });
      } finally {
        await backend.close();
      }
    });
  });
});
