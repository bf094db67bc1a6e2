/**
 * The agent as a process (agent/src/main.ts): real config file, real broker, directory camera,
 * simulated relay. Checks the composition root wires everything and that signals and exit codes
 * behave: SIGTERM → clean stop (offline status) → exit 0; a bad config → clear log → exit 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BackendMqtt } from '../../cloud/src/adapters/local/mqtt/backend-mqtt.js';
import { DoorEventMessage, DoorStatusMessage, FrameMessage, parseMessage } from '../../protocol/index.js';
import { HAVE_FACES, SKIP_REASON, photo } from '../face/faces-dataset.js';
import { startLocalBrokerFixture, type LocalBrokerFixture } from '../support/broker-fixture.js';

const MAIN = fileURLToPath(new URL('../../agent/src/main.ts', import.meta.url));
let fx: LocalBrokerFixture;
let backend: BackendMqtt;
const frames: FrameMessage[] = [];
const events: DoorEventMessage[] = [];
const statuses: DoorStatusMessage[] = [];

beforeAll(async () => {
  fx = await startLocalBrokerFixture();
  backend = await fx.connectBackend();
  backend.onFrame((_d, p) => {
    const r = parseMessage(FrameMessage, p);
    if (r.ok) frames.push(r.value);
  });
  backend.onEvent((_d, p) => {
    const r = parseMessage(DoorEventMessage, p);
    if (r.ok) events.push(r.value);
  });
  backend.onStatus((_d, p) => {
    const r = parseMessage(DoorStatusMessage, p);
    if (r.ok) statuses.push(r.value);
  });
});
afterAll(async () => {
  await fx?.close();
});

function runMain(configFile: string): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FACEGATE_LOG_LEVEL: 'info' },
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

describe('agent main', () => {
  it('runs a simulated door from its config: frames from a watched folder, unlocks, clean exit 0 on SIGTERM', async () => {
    const doorId = 'main-door';
    const files = await fx.doorFiles(doorId);
    const bundle = path.dirname(files.caFile);
    fs.mkdirSync(path.join(bundle, 'camera'));
    const configFile = path.join(bundle, 'door.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        doorId,
        // Relative paths: resolved against the config file's folder.
        mqtt: {
          endpoint: 'localhost',
          port: fx.port,
          caFile: 'ca.pem',
          certFile: 'door.pem',
          keyFile: 'door.key',
          reconnectMinSec: 1,
          reconnectMaxSec: 2,
        },
        camera: { type: 'directory', path: 'camera', mode: 'watch', intervalMs: 100 },
        relay: { type: 'simulated' },
        unlock: { maxPulseMs: 1000 },
      }),
    );
    const run = runMain(configFile);
    try {
      await vi.waitFor(
        () =>
          expect(statuses.filter((s) => s.doorId === doorId).at(-1)).toMatchObject({ online: true, lock: 'locked' }),
        { timeout: 30_000, interval: 200 },
      );

      // A person "walks up": their photo is copied into the watched folder (the real face gate needs a real face).
      if (HAVE_FACES) {
        fs.writeFileSync(path.join(bundle, 'camera', 'visitor.jpg'), photo('Alan_Greenspan', 1));
        await vi.waitFor(() => expect(frames.some((f) => f.doorId === doorId)).toBe(true), { timeout: 10_000 });
      } else {
        console.warn(`agent main: ${SKIP_REASON}; the frame step is skipped`);
      }

      const now = Date.now();
      await backend.publishCommand({
        v: 2,
        type: 'unlock',
        doorId,
        decisionId: 'main-unlock-0001',
        issuedAt: now,
        expiresAt: now + 5000,
        pulseMs: 5000,
        source: 'remote',
      });
      await vi.waitFor(
        () => {
          const mine = events.filter((e) => e.doorId === doorId).map((e) => e.type);
          expect(mine).toEqual(['unlocked', 'locked']); // pulse clamped to maxPulseMs 1000
        },
        { timeout: 10_000 },
      );
      expect(run.output()).toMatch(/simulated relay energised/);

      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      await vi.waitFor(() =>
        expect(statuses.filter((s) => s.doorId === doorId).at(-1)).toMatchObject({ online: false, lock: 'locked' }),
      );
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  /** A door config for `doorId` using the certificate files of `filesFor` (default the same door). */
  async function doorConfig(doorId: string, overrides: Record<string, unknown> = {}, filesFor = doorId) {
    const files = await fx.doorFiles(filesFor);
    const configFile = path.join(path.dirname(files.caFile), `agent-${doorId}.json`);
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        doorId,
        mqtt: { endpoint: 'localhost', port: fx.port, ...files, reconnectMinSec: 1, reconnectMaxSec: 2 },
        camera: { type: 'directory', path: '.', mode: 'watch' },
        relay: { type: 'simulated' },
        ...overrides,
      }),
    );
    return configFile;
  }

  /** One plain sentence on stderr, no stack, no JSON log line with one, and exit 78 (EX_CONFIG). */
  async function expectPlainFailure(configFile: string, sentence: RegExp): Promise<string> {
    const run = runMain(configFile);
    expect(await run.exit).toBe(78);
    const output = run.output();
    expect(output).toMatch(sentence);
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toMatch(/"stack"/);
    return output;
  }

  it('exits 78 with one plain sentence on a bad config', async () => {
    const dir = path.join(fx.dir, 'bad-config');
    fs.mkdirSync(dir);
    const configFile = path.join(dir, 'door.json');
    fs.writeFileSync(configFile, JSON.stringify({ doorId: 'Not A Door', relay: { type: 'simulated' } }));
    await expectPlainFailure(configFile, /^facegate agent: agent config .* is invalid: .*doorId.*Fix the door config/m);
  });

  it('says "GPIO is not accessible here" and what to do on a PC, without a stack', async () => {
    const configFile = await doorConfig('main-door-gpio', { relay: { type: 'gpio', pin: 17 } });
    await expectPlainFailure(configFile, /^facegate agent: GPIO is not accessible here.*"simulated".*gpio group/m);
  });

  it("names both doors when the config names another door's id than its certificate", async () => {
    const configFile = await doorConfig('main-door-b', {}, 'main-door-a');
    await expectPlainFailure(
      configFile,
      /^facegate agent: the config names door "main-door-b" but its certificate is for door "main-door-a"/m,
    );
  });

  it('stays locked and exits after the broker refuses its revoked certificate 3 times, instead of retrying for ever', async () => {
    const configFile = await doorConfig('main-door-revoked');
    await fx.ca.revoke('main-door-revoked');
    const output = await expectPlainFailure(
      configFile,
      /^facegate agent: the broker refused this door's certificate 3 times in a row.*The door stays locked.*provision this door again/m,
    );
    // The simulated relay was locked at start and never unlocked.
    expect(output).not.toMatch(/door UNLOCKED/);
  });
});
