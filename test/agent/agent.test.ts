import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAgent, type AgentSettings } from '../../agent/src/agent.js';
import { PushCamera } from '../../agent/src/camera/push-camera.js';
import { SimulatedRelay } from '../../agent/src/relay/simulated-relay.js';
import { silentLogger } from '../../lib/logger.js';
import type { DenyCommand } from '../../protocol/index.js';
import { jpegWithSquare } from './support/images.js';
import { MemoryDoorLink } from './support/memory-door-link.js';
import { brightRegionGate } from './support/bright-region-detector.js';

const DOOR = 'front-door';
const settings: AgentSettings = {
  doorId: DOOR,
  frames: { maxFps: 50, maxWidth: 640, maxBytes: 92 * 1024 },
  unlock: { maxPulseMs: 5000 },
};

let seq = 0;
function command(type: 'unlock' | 'deny', overrides: Record<string, unknown> = {}) {
  seq += 1;
  const now = Date.now();
  const base = {
    v: 2,
    type,
    doorId: DOOR,
    decisionId: `decision-${String(seq).padStart(6, '0')}`,
    issuedAt: now,
    expiresAt: now + 5000,
  };
  return type === 'unlock'
    ? { ...base, pulseMs: 1000, source: 'face', ...overrides }
    : { ...base, reason: 'unknown', ...overrides };
}

function setup(extra: { relay?: SimulatedRelay; onDeny?: (c: DenyCommand) => void } = {}) {
  const relay = extra.relay ?? new SimulatedRelay(silentLogger());
  const link = new MemoryDoorLink();
  const camera = new PushCamera();
  const agent = createAgent(settings, {
    camera,
    relay,
    link,
    logger: silentLogger(),
    agentVersion: '9.9.9-test',
    faceGate: brightRegionGate(),
    onDeny: extra.onDeny,
  });
  return { relay, link, camera, agent };
}

const eventTypes = (link: MemoryDoorLink) => link.events.map((e) => e.type);

describe('door agent (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(1_800_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('locks at start, before connecting, and reports a retained online status', async () => {
    const relay = new SimulatedRelay(silentLogger());
    await relay.unlock(); // as if the pin came up energised
    const { link, agent } = setup({ relay });
    let lockedWhenConnecting: string | null = null;
    link.onConnectionChange(() => (lockedWhenConnecting ??= relay.state));
    await agent.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(relay.state).toBe('locked');
    expect(lockedWhenConnecting).toBe('locked');
    expect(link.statuses.at(-1)).toMatchObject({
      v: 2,
      doorId: DOOR,
      online: true,
      lock: 'locked',
      agentVersion: '9.9.9-test',
    });
    await agent.stop();
  });

  it('pulses on a valid unlock, reports it, and relocks after the pulse', async () => {
    const { relay, link, agent } = setup();
    await agent.start();
    const cmd = command('unlock', { pulseMs: 1000 });
    link.deliver(cmd);
    await vi.advanceTimersByTimeAsync(0);
    expect(relay.state).toBe('unlocked');
    expect(link.events.find((e) => e.type === 'unlocked')).toMatchObject({ decisionId: cmd.decisionId, doorId: DOOR });
    expect(link.statuses.at(-1)).toMatchObject({ lock: 'unlocked' });
    await vi.advanceTimersByTimeAsync(999);
    expect(relay.state).toBe('unlocked');
    await vi.advanceTimersByTimeAsync(2);
    expect(relay.state).toBe('locked');
    expect(eventTypes(link)).toEqual(['unlocked', 'locked']);
    expect(link.statuses.at(-1)).toMatchObject({ lock: 'locked' });
    expect(relay.history.map((h) => h.state)).toEqual(['unlocked', 'locked']);
    await agent.stop();
  });

  it('extends the pulse on a second unlock and never shortens it', async () => {
    const { relay, link, agent } = setup();
    await agent.start();
    link.deliver(command('unlock', { pulseMs: 1000 }));
    await vi.advanceTimersByTimeAsync(600);
    link.deliver(command('unlock', { pulseMs: 1000 })); // now ends at 1600
    await vi.advanceTimersByTimeAsync(100);
    link.deliver(command('unlock', { pulseMs: 200 })); // would end at 900: ignored for the end time
    await vi.advanceTimersByTimeAsync(700); // t = 1400
    expect(relay.state).toBe('unlocked');
    await vi.advanceTimersByTimeAsync(250); // t = 1650
    expect(relay.state).toBe('locked');
    expect(relay.history.map((h) => h.state)).toEqual(['unlocked', 'locked']);
    await agent.stop();
  });

  it('clamps a long pulse to the configured maximum', async () => {
    const { relay, link, agent } = setup();
    await agent.start();
    link.deliver(command('unlock', { pulseMs: 30_000 }));
    await vi.advanceTimersByTimeAsync(5001);
    expect(relay.state).toBe('locked');
    await agent.stop();
  });

  it('never unlocks on expired, replayed, foreign, malformed or future-dated commands, and reports each', async () => {
    const { relay, link, agent } = setup();
    await agent.start();
    const now = Date.now();
    const valid = command('unlock');
    link.deliver(valid);
    await vi.advanceTimersByTimeAsync(1500); // pulse over
    const bad = [
      valid, // replayed
      command('unlock', { issuedAt: now - 20_000, expiresAt: now - 15_000 }),
      command('unlock', { doorId: 'back-door' }),
      command('unlock', { issuedAt: now + 120_000, expiresAt: now + 125_000 }),
      command('unlock', { pulseMs: 'forever' }),
      '{"v":1,"type":"unlock"',
      'null',
    ];
    for (const payload of bad) link.deliver(payload);
    await vi.advanceTimersByTimeAsync(100);
    expect(relay.history.map((h) => h.state)).toEqual(['unlocked', 'locked']);
    const rejected = link.events.filter((e) => e.type === 'command_rejected');
    expect(rejected.map((e) => e.detail?.split(':')[0])).toEqual([
      'replayed',
      'expired',
      'other_door',
      'future_dated',
      'malformed',
      'malformed',
      'malformed',
    ]);
    expect(rejected[0]?.decisionId).toBe(valid.decisionId);
    expect(agent.state.commands).toMatchObject({ unlocked: 1, rejected: 7 });
    await agent.stop();
  });

  it('never touches the relay on a deny command and tells the listener', async () => {
    const denies: DenyCommand[] = [];
    const { relay, link, agent } = setup({ onDeny: (c) => denies.push(c) });
    await agent.start();
    link.deliver(command('deny', { reason: 'door_not_allowed' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(relay.history).toEqual([]);
    expect(denies).toHaveLength(1);
    expect(denies[0]).toMatchObject({ type: 'deny', reason: 'door_not_allowed' });
    expect(eventTypes(link)).toEqual([]);
    await agent.stop();
  });

  it('relocks at once when the link drops mid-pulse, and ignores a stale unlock that was already queued', async () => {
    const { relay, link, agent } = setup();
    await agent.start();
    link.deliver(command('unlock', { pulseMs: 5000 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(relay.state).toBe('unlocked');
    link.setConnected(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(relay.state).toBe('locked');
    expect(agent.state.pulseEndsAt).toBeNull();
    // Delivered during the outage (a link would not, but a late callback might): never unlocks.
    link.deliver(command('unlock'));
    await vi.advanceTimersByTimeAsync(100);
    expect(relay.state).toBe('locked');
    // Reconnecting republishes the status.
    const before = link.statuses.length;
    link.setConnected(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(link.statuses.length).toBe(before + 1);
    expect(link.statuses.at(-1)).toMatchObject({ online: true, lock: 'locked' });
    await agent.stop();
  });

  it('relocks on stop mid-pulse and says goodbye with an offline status', async () => {
    const { relay, link, agent } = setup();
    await agent.start();
    link.deliver(command('unlock', { pulseMs: 5000 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(relay.state).toBe('unlocked');
    await agent.stop();
    expect(relay.state).toBe('locked');
    expect(link.connected).toBe(false);
    expect(link.statuses.at(-1)).toMatchObject({ online: false, lock: 'locked' });
    // The pulse timer is gone: nothing happens later.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(relay.history.map((h) => h.state)).toEqual(['unlocked', 'locked']);
  });

  it('locks and reports an agent_error when the relay fails in the unlock path', async () => {
    class StuckRelay extends SimulatedRelay {
      override async unlock(): Promise<void> {
        await super.unlock(); // energised, then the driver reports a failure
        throw new Error('GPIO write failed');
      }
    }
    const relay = new StuckRelay(silentLogger());
    const { link, agent } = setup({ relay });
    await agent.start();
    link.deliver(command('unlock'));
    await vi.advanceTimersByTimeAsync(10);
    expect(relay.state).toBe('locked');
    expect(eventTypes(link)).toContain('agent_error');
    await agent.stop();
  });

  it('keeps trying to lock when the relay fails to lock', async () => {
    class FlakyLockRelay extends SimulatedRelay {
      failures = 2;
      override async lock(): Promise<void> {
        if (this.state === 'unlocked' && this.failures > 0) {
          this.failures -= 1;
          throw new Error('GPIO write failed');
        }
        await super.lock();
      }
    }
    const relay = new FlakyLockRelay(silentLogger());
    const { link, agent } = setup({ relay });
    await agent.start();
    link.deliver(command('unlock', { pulseMs: 1000 }));
    await vi.advanceTimersByTimeAsync(1001);
    expect(relay.state).toBe('unlocked'); // first lock failed
    expect(eventTypes(link)).toContain('agent_error');
    await vi.advanceTimersByTimeAsync(2000);
    expect(relay.state).toBe('locked');
    expect(relay.failures).toBe(0);
    await agent.stop();
  });
});

describe('door agent frames (real time)', () => {
  it('publishes camera frames only while connected, never queued from an outage', async () => {
    const { link, camera, agent } = setup();
    await agent.start();
    await vi.waitFor(() => expect(link.connected).toBe(true));
    link.setConnected(false);
    camera.push(await jpegWithSquare({ x: 10 }));
    await vi.waitFor(() => expect(agent.state.frames.notSent).toBe(1));
    expect(link.frames).toHaveLength(0);
    link.setConnected(true);
    expect(link.frames).toHaveLength(0); // nothing replayed on reconnect
    camera.push(await jpegWithSquare({ x: 150 }));
    await vi.waitFor(() => expect(link.frames).toHaveLength(1));
    expect(link.frames[0]).toMatchObject({ v: 2, doorId: DOOR });
    await agent.stop();
  });
});
