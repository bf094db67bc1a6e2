/** GpioContact, GpioExitButton and their debounce with a driven input line (no GPIO hardware here), and the agent's door events. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAgent } from '../../agent/src/agent.js';
import { PushCamera } from '../../agent/src/camera/push-camera.js';
import { GpioContact } from '../../agent/src/contact/gpio-contact.js';
import { GpioExitButton } from '../../agent/src/contact/gpio-exit-button.js';
import { SimulatedRelay } from '../../agent/src/relay/simulated-relay.js';
import { silentLogger } from '../../lib/logger.js';
import { MemoryDoorLink } from './support/memory-door-link.js';
import { brightRegionGate } from './support/bright-region-detector.js';
import { drivenLine, fakeGpioSysfs } from './support/driven-gpio.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-contact-'));
  fakeGpioSysfs(root);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('GpioContact', () => {
  it('maps levels to open/closed, reports only changes, and uses the sysfs base', async () => {
    const d = drivenLine(0);
    const contact = new GpioContact({
      pin: 27,
      openWhen: 'high',
      logger: silentLogger(),
      sysfsRoot: root,
      inputFactory: d.factory,
      debounceMs: 0,
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
      debounceMs: 0,
    });
    const link = new MemoryDoorLink();
    const agent = createAgent(
      {
        doorId: 'front-door',
        frames: { maxFps: 2, maxWidth: 640, maxBytes: 92 * 1024 },
        unlock: { maxPulseMs: 5000 },
      },
      {
        camera: new PushCamera(),
        relay: new SimulatedRelay(silentLogger()),
        link,
        contact,
        logger: silentLogger(),
        agentVersion: 't',
        faceGate: brightRegionGate(),
      },
    );
    await agent.start();
    await vi.waitFor(() => expect(link.connected).toBe(true));
    expect(agent.state.contact).toBe('closed');
    d.set(0);
    d.set(1);
    await vi.waitFor(() =>
      expect(link.events.map((e) => [e.type, e.detail])).toEqual([
        ['door_forced_open', 'opened with no granted unlock'],
        ['door_closed', expect.stringMatching(/^open for .* s, after a forced opening$/)],
      ]),
    );
    await agent.stop();
  });
});

describe('debounce', () => {
  afterEach(() => vi.useRealTimers());

  it('a contact that chatters counts once, after the level has held for debounceMs', async () => {
    vi.useFakeTimers();
    const d = drivenLine(0);
    const contact = new GpioContact({
      pin: 27,
      openWhen: 'high',
      logger: silentLogger(),
      sysfsRoot: root,
      inputFactory: d.factory,
      debounceMs: 50,
    });
    const changes: string[] = [];
    await contact.start((s) => changes.push(s));
    // Bounce: 1,0,1,0,1 within 20 ms, then steady high.
    for (const v of [1, 0, 1, 0, 1] as const) {
      d.set(v);
      vi.advanceTimersByTime(4);
    }
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(changes).toEqual(['open']);
    // A glitch shorter than the debounce changes nothing.
    d.set(0);
    vi.advanceTimersByTime(10);
    d.set(1);
    vi.advanceTimersByTime(100);
    expect(changes).toEqual(['open']);
    expect(contact.state).toBe('open');
    await contact.stop();
  });

  it('exit button: one press per debounced push (pressed low), a held button is one press', async () => {
    vi.useFakeTimers();
    const d = drivenLine(1);
    const button = new GpioExitButton({
      pin: 22,
      pressedWhen: 'low',
      logger: silentLogger(),
      sysfsRoot: root,
      inputFactory: d.factory,
      debounceMs: 30,
    });
    let presses = 0;
    await button.start(() => (presses += 1));
    expect(d.opened).toEqual([534]);
    d.set(0);
    d.set(1);
    d.set(0);
    vi.advanceTimersByTime(30);
    expect(presses).toBe(1);
    vi.advanceTimersByTime(5_000); // held down
    d.set(1);
    vi.advanceTimersByTime(30);
    expect(presses).toBe(1);
    d.set(0);
    vi.advanceTimersByTime(30);
    expect(presses).toBe(2);
    await button.stop();
  });
});

describe('agent door events', () => {
  it('the exit button unlocks locally while offline, and the door opened then is not forced', async () => {
    const contactLine = drivenLine(0);
    const buttonLine = drivenLine(1);
    const link = new MemoryDoorLink();
    link.connect = async () => {}; // stays offline: no broker
    const relay = new SimulatedRelay(silentLogger());
    const agent = createAgent(
      {
        doorId: 'front-door',
        frames: { maxFps: 2, maxWidth: 640, maxBytes: 92 * 1024 },
        unlock: { maxPulseMs: 5000 },
        door: { exitPulseMs: 1000, heldOpenMs: 60_000, grantGraceMs: 500 },
      },
      {
        camera: new PushCamera(),
        relay,
        link,
        faceGate: brightRegionGate(),
        contact: new GpioContact({
          pin: 27,
          openWhen: 'high',
          logger: silentLogger(),
          sysfsRoot: root,
          inputFactory: contactLine.factory,
          debounceMs: 0,
        }),
        exitButton: new GpioExitButton({
          pin: 22,
          pressedWhen: 'low',
          logger: silentLogger(),
          sysfsRoot: root,
          inputFactory: buttonLine.factory,
          debounceMs: 0,
        }),
        logger: silentLogger(),
        agentVersion: 't',
      },
    );
    await agent.start();
    expect(link.connected).toBe(false);
    buttonLine.set(0);
    await vi.waitFor(() => expect(relay.state).toBe('unlocked'));
    contactLine.set(1);
    buttonLine.set(1);
    await vi.waitFor(() => expect(relay.state).toBe('locked'), { timeout: 3000 });
    contactLine.set(0);
    expect(relay.history.map((h) => h.state)).toEqual(['unlocked', 'locked']);
    expect(agent.state.contact).toBe('closed');
    expect(link.events).toEqual([]);
    // Back online: the outage's events arrive, in order.
    link.setConnected(true);
    await vi.waitFor(() => expect(link.events).toHaveLength(5));
    expect(link.events.map((e) => [e.type, e.source])).toEqual([
      ['exit_button', 'exit_button'],
      ['unlocked', 'exit_button'],
      ['door_opened', undefined],
      ['locked', undefined],
      ['door_closed', undefined],
    ]);
    await agent.stop();
  });
});
