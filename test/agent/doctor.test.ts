/**
 * `facegate doctor` with simulated hardware: each check passing and failing — a directory camera
 * with and without pictures, a fake sysfs GPIO tree, driven input lines, a stand-in timedatectl,
 * certificates from the real local CA (valid, expiring, mismatched), the real broker (up, down,
 * refusing a stranger's certificate), and given disk and memory figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalCa } from '../../cloud/src/adapters/local/ca/index.js';
import { parseAgentConfig, type AgentConfig } from '../../agent/src/config.js';
import type { GpioInputLine } from '../../agent/src/contact/gpio-contact.js';
import { formatResults } from '../../agent/src/doctor/check.js';
import {
  checkBroker,
  checkCamera,
  checkCertificate,
  checkClock,
  checkContact,
  checkExitButton,
  checkRelayPin,
  checkResources,
  type DoctorEnv,
} from '../../agent/src/doctor/checks.js';
import { runDoctor, testRelay } from '../../agent/src/doctor/doctor.js';
import { silentLogger } from '../../lib/logger.js';
import { jpegWithSquare } from './support/images.js';
import { startLocalBrokerFixture, type LocalBrokerFixture } from '../support/broker-fixture.js';

const MB = 1024 * 1024;
let root: string;
let fx: LocalBrokerFixture;
let doorFiles: { caFile: string; certFile: string; keyFile: string };

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-doctor-'));
  const chip = path.join(root, 'sys', 'gpiochip512');
  fs.mkdirSync(chip, { recursive: true });
  fs.writeFileSync(path.join(chip, 'base'), '512');
  fs.writeFileSync(path.join(chip, 'label'), 'pinctrl-bcm2711');
  fs.writeFileSync(path.join(chip, 'ngpio'), '58');
  fs.mkdirSync(path.join(root, 'camera'));
  fs.writeFileSync(path.join(root, 'camera', 'a.jpg'), await jpegWithSquare());
  fs.writeFileSync(path.join(root, 'camera', 'b.jpg'), await jpegWithSquare({ x: 120 }));
  fs.mkdirSync(path.join(root, 'empty-camera'));
  fx = await startLocalBrokerFixture();
  doorFiles = await fx.doorFiles('doc-door');
});
afterAll(async () => {
  await fx?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function config(overrides: Record<string, unknown> = {}): AgentConfig {
  return parseAgentConfig(
    {
      doorId: 'doc-door',
      mqtt: { endpoint: 'localhost', port: fx.port, ...doorFiles },
      camera: { type: 'directory', path: path.join(root, 'camera'), mode: 'replay', intervalMs: 100 },
      relay: { type: 'gpio', pin: 17 },
      contact: { type: 'gpio', pin: 27, openWhen: 'high' },
      exitButton: { type: 'gpio', pin: 22 },
      ...overrides,
    },
    root,
  );
}

function env(overrides: Partial<DoctorEnv> = {}, levels: Record<number, 0 | 1> = {}): DoctorEnv {
  return {
    sysfsRoot: path.join(root, 'sys'),
    run: async () => 'yes\n',
    inputFactory: async () => (gpio: number) =>
      ({
        readSync: () => levels[gpio] ?? 0,
        watch: () => {},
        unwatchAll: () => {},
        unexport: () => {},
      }) satisfies GpioInputLine,
    now: Date.now,
    disk: () => ({ free: 5000 * MB, total: 30_000 * MB }),
    memory: () => ({ available: 1200 * MB, total: 2000 * MB }),
    logger: silentLogger(),
    ...overrides,
  };
}

describe('doctor checks', () => {
  it('camera: counts frames and their rate; no frames is a failure', async () => {
    const ok = await checkCamera(config(), env(), 1000);
    expect(ok.status).toBe('pass');
    expect(ok.detail).toMatch(/^\d+ frames in 1 s \(\d+\.\d frames\/s\)/);
    const bad = await checkCamera(
      config({ camera: { type: 'directory', path: path.join(root, 'empty-camera') } }),
      env(),
      500,
    );
    expect(bad.status).toBe('fail');
    expect(bad.detail).toMatch(/no frames/);
    expect(bad.fix).toMatch(/camera cable/);
  });

  it('relay pin: resolves with the chip base; fails without a Pi GPIO controller', () => {
    expect(checkRelayPin(config(), env())).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/BCM 17 is sysfs GPIO 529/),
    });
    const bad = checkRelayPin(config(), env({ sysfsRoot: path.join(root, 'nowhere') }));
    expect(bad.status).toBe('fail');
    expect(checkRelayPin(config({ relay: { type: 'simulated' } }), env()).status).toBe('warn');
  });

  it('door contact and exit button: read and described; unreadable is a failure', async () => {
    const levels = { [512 + 27]: 1 as const, [512 + 22]: 1 as const };
    expect(await checkContact(config(), env({}, levels))).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/door is OPEN/),
    });
    expect(await checkExitButton(config(), env({}, levels))).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/released/),
    });
    expect(await checkExitButton(config(), env())).toMatchObject({ detail: expect.stringMatching(/PRESSED/) });
    const noGpio = env({
      inputFactory: async () => {
        throw new Error('GPIO is not accessible here');
      },
    });
    expect(await checkContact(config(), noGpio)).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/gpio group/),
    });
    expect((await checkExitButton(config(), noGpio)).status).toBe('fail');
    expect((await checkContact(config({ contact: undefined }), env())).status).toBe('warn');
  });

  it('clock: synchronised passes; not synchronised or no timedatectl fails', async () => {
    expect((await checkClock(env())).status).toBe('pass');
    expect(await checkClock(env({ run: async () => 'no\n' }))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/NTP/),
    });
    const missing = env({
      run: async () => {
        throw new Error('spawn timedatectl ENOENT');
      },
    });
    expect((await checkClock(missing)).status).toBe('fail');
  });

  it('certificate: valid for years passes; expiring within 30 days, expired, or a foreign key fails', async () => {
    const ok = checkCertificate(config(), env());
    expect(ok).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/CN=doc-door.*, valid for \d+ more days/),
    });
    const short = await fx.ca.issueClientCertificate('short-door', 10);
    fs.writeFileSync(path.join(root, 'short.pem'), short.certPem);
    fs.writeFileSync(path.join(root, 'short.key'), short.keyPem);
    const shortConfig = config({
      mqtt: {
        endpoint: 'localhost',
        port: fx.port,
        caFile: doorFiles.caFile,
        certFile: 'short.pem',
        keyFile: 'short.key',
      },
    });
    expect(checkCertificate(shortConfig, env())).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/expires in (9|10) days/),
    });
    expect(checkCertificate(config(), env({ now: () => Date.now() + 20 * 365 * 86_400_000 }))).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/expired/),
    });
    const mixed = config({
      mqtt: {
        endpoint: 'localhost',
        port: fx.port,
        caFile: doorFiles.caFile,
        certFile: doorFiles.certFile,
        keyFile: 'short.key',
      },
    });
    expect(checkCertificate(mixed, env())).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/does not belong/),
    });
  });

  it('broker: reachable with the door certificate; a closed port or a stranger certificate fails', async () => {
    const ok = await checkBroker(config(), env());
    expect(ok.status, ok.detail).toBe('pass');
    const closed = await checkBroker(config({ mqtt: { endpoint: 'localhost', port: 1, ...doorFiles } }), env(), 3000);
    expect(closed).toMatchObject({ status: 'fail', fix: expect.stringMatching(/firewall/) });
    const otherCa = await openLocalCa(path.join(root, 'other-ca'), silentLogger());
    const stranger = await otherCa.issueClientCertificate('doc-door');
    fs.writeFileSync(path.join(root, 'stranger.pem'), stranger.certPem);
    fs.writeFileSync(path.join(root, 'stranger.key'), stranger.keyPem);
    const refused = await checkBroker(
      config({
        mqtt: {
          endpoint: 'localhost',
          port: fx.port,
          caFile: doorFiles.caFile,
          certFile: 'stranger.pem',
          keyFile: 'stranger.key',
        },
      }),
      env(),
    );
    expect(refused.status, refused.detail).toBe('fail');
  });

  it('disk and memory: enough passes; too little of either fails', () => {
    expect(checkResources(env(), root).status).toBe('pass');
    expect(checkResources(env({ disk: () => ({ free: 50 * MB, total: 30_000 * MB }) }), root).status).toBe('fail');
    expect(checkResources(env({ memory: () => ({ available: 60 * MB, total: 512 * MB }) }), root)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/60 MB memory available of 512 MB/),
    });
  });
});

describe('doctor run', () => {
  it('all fine: every line OK and a passing summary; one failure makes the verdict fail', async () => {
    const good = await runDoctor(config(), env({}, { [512 + 22]: 1 }), { cameraSampleMs: 500, stateDir: root });
    expect(good.map((r) => [r.name, r.status])).toEqual([
      ['camera', 'pass'],
      ['relay pin', 'pass'],
      ['door contact', 'pass'],
      ['exit button', 'pass'],
      ['clock', 'pass'],
      ['certificate', 'pass'],
      ['broker', 'pass'],
      ['disk and memory', 'pass'],
    ]);
    expect(formatResults(good)).toMatch(/All checks passed\.$/);
    const bad = await runDoctor(config(), env({ run: async () => 'no' }, { [512 + 22]: 1 }), {
      cameraSampleMs: 500,
      stateDir: root,
    });
    const text = formatResults(bad);
    expect(text).toMatch(/^FAIL {2}clock: not synchronised/m);
    expect(text).toMatch(/^ {6}-> give the Pi network access to an NTP server/m);
    expect(text).toMatch(/1 check\(s\) failed/);
  }, 30_000);

  it('--test-relay pulses a simulated relay and reports it', async () => {
    const r = await testRelay(config({ relay: { type: 'simulated' } }), silentLogger(), 50);
    expect(r).toMatchObject({ status: 'pass', detail: expect.stringMatching(/energised for 50 ms/) });
    const gpio = await testRelay(config(), silentLogger(), 50);
    expect(gpio.status).toBe('fail'); // no GPIO here
  });
});
