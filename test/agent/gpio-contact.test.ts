/** GpioContact's logic with a driven input line (no GPIO hardware here) and the agent's door events. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAgent } from '../../agent/src/agent.js';
import { PushCamera } from '../../agent/src/camera/push-camera.js';
import { GpioContact, type GpioInputLine } from '../../agent/src/contact/gpio-contact.js';
import { SimulatedRelay } from '../../agent/src/relay/simulated-relay.js';
import { silentLogger } from '../../lib/logger.js';
import { MemoryDoorLink } from './support/memory-door-link.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-contact-'));
  const chip = path.join(root, 'gpiochip512');
  fs.mkdirSync(chip);
  fs.writeFileSync(path.join(chip, 'base'), '512');
  fs.writeFileSync(path.join(chip, 'label'), 'pinctrl-bcm2711');
  fs.writeFileSync(path.join(chip, 'ngpio'), '58');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function drivenLine(initial: 0 | 1) {
  let watcher: ((err: Error | null | undefined, value: 0 | 1) => void) | null = null;
  const opened: number[] = [];
  const line: GpioInputLine = {
    readSync: () => initial,
    watch: (cb) => void (watcher = cb),
    unwatchAll: () => void (watcher = null),
    unexport: () => {},
  };
  return {
    opened,
    factory: (gpio: number) => (opened.push(gpio), line),
    set: (v: 0 | 1) => watcher?.(null, v),
    fail: () => watcher?.(new Error('EIO'), 0),
  };
}

describe('GpioContact', () => {
  it('maps levels to open/closed, reports only changes, and uses the sysfs base', async () => {
    const d = drivenLine(0);
    const contact = new GpioContact({
      pin: 27,
      openWhen: 'high',
      logger: silentLogger(),
      sysfsRoot: root,
      inputFactory: d.factory,
    });
    const changes: string[] = [];
    await contact.start((s) => changes.push(s));
    expect(d.opened).toEqual([539]);
    expect(contact.state).toBe('closed');
    d.set(1);
    d.set(1);
    d.fail();
    d.set(0);
    expect(changes).toEqual(['open', 'closed']);
    await contact.stop();
    expect(contact.state).toBe('unknown');
  });

  it('reports a door opened while locked as forced', async () => {
    const d = drivenLine(1); // openWhen low: 1 = closed
    const contact = new GpioContact({
      pin: 27,
      openWhen: 'low',
      logger: silentLogger(),
      sysfsRoot: root,
      inputFactory: d.factory,
    });
    const link = new MemoryDoorLink();
    const agent = createAgent(
      {
        doorId: 'front-door',
        frames: { maxFps: 2, minChange: 0.02, maxWidth: 640, maxBytes: 92 * 1024, resendMs: 0 },
        unlock: { maxPulseMs: 5000 },
      },
      {
        camera: new PushCamera(),
        relay: new SimulatedRelay(silentLogger()),
        link,
        contact,
        logger: silentLogger(),
        agentVersion: 't',
      },
    );
    await agent.start();
    await vi.waitFor(() => expect(link.connected).toBe(true));
    expect(agent.state.contact).toBe('closed');
    d.set(0);
    d.set(1);
    expect(link.events.map((e) => [e.type, e.detail])).toEqual([
      ['door_opened', 'opened while locked'],
      ['door_closed', undefined],
    ]);
    await agent.stop();
  });
});
