/**
 * De-energises the relay without the agent: the unit's ExecStartPre and ExecStopPost run this, so
 * the door is locked before the agent starts and after it stops, crashes or is killed by the
 * watchdog. Plain sysfs writes (no onoff, no MQTT): it must work when the agent cannot.
 * Writing "low"/"high" to a GPIO's `direction` makes it an output at that level in one step.
 *
 *   node relay-off.js /etc/facegate/door.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAgentConfig } from './config.js';
import { DEFAULT_SYSFS_GPIO_ROOT, resolveSysfsGpio } from './relay/sysfs-gpio.js';

export interface RelayOffResult {
  gpio: number | null;
  level: 'low' | 'high' | null;
}

/** Drives the configured relay line to its de-energised level; a simulated relay needs nothing. */
export function relayOff(configFile: string, sysfsRoot = DEFAULT_SYSFS_GPIO_ROOT): RelayOffResult {
  const config = loadAgentConfig(configFile);
  if (config.relay.type !== 'gpio') return { gpio: null, level: null };
  const gpio = resolveSysfsGpio(config.relay.pin, sysfsRoot);
  // De-energised: low for an active-high board, high for an active-low one.
  const level = config.relay.activeLow ? 'high' : 'low';
  const line = path.join(sysfsRoot, `gpio${gpio}`);
  if (!fs.existsSync(line)) {
    fs.writeFileSync(path.join(sysfsRoot, 'export'), String(gpio));
    // udev sets the new line's group to gpio a moment after export.
    waitFor(() => isWritable(path.join(line, 'direction')), 2_000);
  }
  fs.writeFileSync(path.join(line, 'direction'), level);
  return { gpio, level };
}

function isWritable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function waitFor(ready: () => boolean, timeoutMs: number): void {
  const until = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!ready() && Date.now() < until) Atomics.wait(pause, 0, 0, 20);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const configFile = process.argv[2];
  if (!configFile) {
    console.error('usage: relay-off.js DOOR_CONFIG.json');
    process.exit(2);
  }
  try {
    const { gpio, level } = relayOff(configFile);
    console.log(
      gpio === null ? 'relay-off: simulated relay, nothing to do' : `relay-off: GPIO ${gpio} driven ${level}`,
    );
  } catch (err) {
    console.error(`relay-off: FAILED to de-energise the relay: ${(err as Error).message}`);
    process.exit(1);
  }
}
