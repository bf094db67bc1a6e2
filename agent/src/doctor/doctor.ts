/**
 * `facegate doctor` on a door: runs every check, prints each in plain words with what to do, and
 * says whether the door is fit (exit code 1 on any failure). `--test-relay` pulses the relay once
 * so the technician can hear it click and see the lock release.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import type { Logger } from '../../../lib/logger.js';
import type { AgentConfig } from '../config.js';
import { loadOnoffInputFactory } from '../contact/gpio-contact.js';
import { buildRelay } from '../create-agent-from-config.js';
import { DEFAULT_SYSFS_GPIO_ROOT } from '../relay/sysfs-gpio.js';
import { fail, pass, type CheckResult } from './check.js';
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
} from './checks.js';

export interface DoctorOptions {
  cameraSampleMs?: number;
  stateDir?: string;
  brokerTimeoutMs?: number;
}

export function systemDoctorEnv(logger: Logger): DoctorEnv {
  const run = promisify(execFile);
  return {
    sysfsRoot: DEFAULT_SYSFS_GPIO_ROOT,
    run: async (file, args) => (await run(file, args, { timeout: 10_000 })).stdout,
    inputFactory: () => loadOnoffInputFactory('doctor'),
    now: Date.now,
    disk: (dir) => {
      const s = fs.statfsSync(dir);
      return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    },
    memory: () => {
      // MemAvailable counts reclaimable cache; os.freemem() alone looks alarming on a busy Pi.
      const match = /^MemAvailable:\s+(\d+) kB/m.exec(safeRead('/proc/meminfo'));
      return { available: match ? Number(match[1]) * 1024 : os.freemem(), total: os.totalmem() };
    },
    logger,
  };
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export async function runDoctor(
  config: AgentConfig,
  env: DoctorEnv,
  options: DoctorOptions = {},
): Promise<CheckResult[]> {
  const stateDir = options.stateDir ?? (fs.existsSync('/var/lib/facegate') ? '/var/lib/facegate' : os.tmpdir());
  return [
    await checkCamera(config, env, options.cameraSampleMs ?? 3000),
    checkRelayPin(config, env),
    await checkContact(config, env),
    await checkExitButton(config, env),
    await checkClock(env),
    checkCertificate(config, env),
    await checkBroker(config, env, options.brokerTimeoutMs),
    checkResources(env, stateDir),
  ];
}

/** Pulses the relay once (unlock, wait, lock). Locks whatever happens. */
export async function testRelay(config: AgentConfig, logger: Logger, pulseMs = 1000): Promise<CheckResult> {
  const name = 'relay pulse';
  let relay;
  try {
    relay = await buildRelay(config.relay, logger);
  } catch (err) {
    return fail(
      name,
      `cannot drive the relay: ${(err as Error).message}`,
      'check relay.pin and that the facegate user is in the gpio group',
    );
  }
  try {
    await relay.unlock();
    await new Promise((r) => setTimeout(r, pulseMs));
    await relay.lock();
    return pass(name, `relay energised for ${pulseMs} ms, then released: did the lock click open and shut?`);
  } catch (err) {
    return fail(name, `relay failed: ${(err as Error).message}`, 'check the wiring and the relay board power');
  } finally {
    relay.lockSync();
    await relay.close().catch(() => {});
  }
}
