/**
 * relay-off.js (the unit's ExecStartPre/ExecStopPost) against a fake sysfs tree, and the systemd
 * unit's contents: hardened, watchdog on, relay driven off around every run of the agent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { relayOff } from '../../agent/src/relay-off.js';

let root: string;
let sysfs: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-relay-off-'));
  sysfs = path.join(root, 'gpio');
  fs.mkdirSync(path.join(sysfs, 'gpiochip512'), { recursive: true });
  fs.writeFileSync(path.join(sysfs, 'gpiochip512', 'base'), '512');
  fs.writeFileSync(path.join(sysfs, 'gpiochip512', 'label'), 'pinctrl-bcm2711');
  fs.writeFileSync(path.join(sysfs, 'gpiochip512', 'ngpio'), '58');
  fs.writeFileSync(path.join(sysfs, 'export'), '');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function config(relay: object): string {
  const file = path.join(root, 'door.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      doorId: 'front',
      mqtt: { endpoint: 'localhost', caFile: 'ca.pem', certFile: 'door.pem', keyFile: 'door.key' },
      camera: { type: 'push' },
      relay,
    }),
  );
  return file;
}

describe('relay-off', () => {
  it('drives an exported active-high relay line low', () => {
    fs.mkdirSync(path.join(sysfs, 'gpio529'));
    fs.writeFileSync(path.join(sysfs, 'gpio529', 'direction'), 'in');
    expect(relayOff(config({ type: 'gpio', pin: 17 }), sysfs)).toEqual({ gpio: 529, level: 'low' });
    expect(fs.readFileSync(path.join(sysfs, 'gpio529', 'direction'), 'utf8')).toBe('low');
  });

  it('drives an active-low board high; a line that cannot be exported is an error', () => {
    // The fake kernel: exporting creates the line's folder.
    const exportFile = path.join(sysfs, 'export');
    fs.rmSync(exportFile);
    fs.mkdirSync(exportFile); // cannot be written as a file: shows the export is attempted
    expect(() => relayOff(config({ type: 'gpio', pin: 17, activeLow: true }), sysfs)).toThrow();
    fs.rmdirSync(exportFile);
    fs.writeFileSync(exportFile, '');
    fs.mkdirSync(path.join(sysfs, 'gpio529'));
    expect(relayOff(config({ type: 'gpio', pin: 17, activeLow: true }), sysfs)).toEqual({ gpio: 529, level: 'high' });
    expect(fs.readFileSync(path.join(sysfs, 'gpio529', 'direction'), 'utf8')).toBe('high');
  });

  it('does nothing for a simulated relay, and fails loudly without a Pi GPIO controller', () => {
    expect(relayOff(config({ type: 'simulated' }), sysfs)).toEqual({ gpio: null, level: null });
    fs.rmSync(path.join(sysfs, 'gpiochip512'), { recursive: true });
    expect(() => relayOff(config({ type: 'gpio', pin: 17 }), sysfs)).toThrow(/no Raspberry Pi GPIO controller/);
  });
});

describe('facegate-agent.service', () => {
  const unit = fs.readFileSync(new URL('../../agent/systemd/facegate-agent.service', import.meta.url), 'utf8');
  const directives = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) directives.set(m[1]!, [...(directives.get(m[1]!) ?? []), m[2]!]);
  }
  const one = (key: string) => directives.get(key)?.[0];

  it('starts after the network and the clock, restarts always, and is watched', () => {
    expect(one('After')).toContain('network-online.target');
    expect(one('After')).toContain('time-sync.target');
    expect(one('Wants')).toContain('network-online.target');
    expect(one('Restart')).toBe('always');
    // A door that cannot run (exit 78: refused certificate, bad config) is retried with a growing delay.
    expect(Number(one('RestartSec'))).toBeGreaterThanOrEqual(2);
    expect(Number(one('RestartSteps'))).toBeGreaterThan(0);
    expect(Number(one('RestartMaxDelaySec'))).toBeGreaterThan(Number(one('RestartSec')));
    expect(one('Type')).toBe('notify');
    expect(one('NotifyAccess')).toBe('all');
    expect(Number(one('WatchdogSec'))).toBeGreaterThan(0);
  });

  it('drives the relay off before start and after every stop', () => {
    expect(one('ExecStartPre')).toMatch(/relay-off\.js \/etc\/facegate\/door\.json$/);
    expect(one('ExecStopPost')).toMatch(/relay-off\.js \/etc\/facegate\/door\.json$/);
  });

  it('runs unprivileged and hardened', () => {
    expect(one('User')).toBe('facegate');
    expect(one('SupplementaryGroups')).toBe('gpio video');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('AmbientCapabilities')).toBe('');
    // GPIO export writes /sys: this one would break the relay.
    expect(directives.has('ProtectKernelTunables')).toBe(false);
  });
});
