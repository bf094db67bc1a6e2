/**
 * The systemd watchdog: when the agent counts as hung (agent-health), that the feeder stops
 * feeding while unhealthy, how WATCHDOG_USEC becomes an interval, and — with the real
 * systemd-notify and a stand-in notify socket — that a stalled main loop stops the WATCHDOG=1
 * messages for longer than WatchdogSec, which is what makes systemd kill and restart the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentProblem, PULSE_OVERRUN_MS } from '../../agent/src/watchdog/agent-health.js';
import { LoopWatchdog } from '../../agent/src/watchdog/loop-watchdog.js';
import { systemdNotifier, watchdogIntervalMs } from '../../agent/src/watchdog/sd-notify.js';
import { silentLogger } from '../../lib/logger.js';

describe('agent health', () => {
  it('is healthy locked, or unlocked within its pulse; hung when the pulse overran or has no end', () => {
    expect(agentProblem({ running: true, lock: 'locked', pulseEndsAt: null }, 1000)).toBeNull();
    expect(agentProblem({ running: true, lock: 'unlocked', pulseEndsAt: 5000 }, 5000 + PULSE_OVERRUN_MS)).toBeNull();
    expect(agentProblem({ running: true, lock: 'unlocked', pulseEndsAt: 5000 }, 5001 + PULSE_OVERRUN_MS)).toMatch(
      /still unlocked 3001 ms after its pulse ended/,
    );
    expect(agentProblem({ running: true, lock: 'unlocked', pulseEndsAt: null }, 1)).toMatch(/no pulse/);
    expect(agentProblem({ running: false, lock: 'locked', pulseEndsAt: null }, 1)).toMatch(/not running/);
  });
});

describe('sd-notify settings', () => {
  it('feeds at half of WatchdogSec, only for its own PID, and not at all outside systemd', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000' }, 42)).toBe(10_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '42' }, 42)).toBe(10_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '7' }, 42)).toBeNull();
    expect(watchdogIntervalMs({}, 42)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 42)).toBeNull();
    expect(systemdNotifier({})).toBeNull();
  });

  it('sends through systemd-notify with the assignments as arguments', async () => {
    const calls: [string, string[]][] = [];
    const notifier = systemdNotifier({ NOTIFY_SOCKET: '/run/x' }, async (file, args) => void calls.push([file, args]));
    await notifier!.notify('READY=1', 'STATUS=ok');
    expect(calls).toEqual([['systemd-notify', ['READY=1', 'STATUS=ok']]]);
  });
});

describe('LoopWatchdog', () => {
  it('feeds while healthy, stops feeding while the agent is hung, resumes when it recovers', async () => {
    const sent: string[] = [];
    let problem: string | null = null;
    const watchdog = new LoopWatchdog({
      intervalMs: 1000,
      notifier: { notify: async (s) => void sent.push(s) },
      check: () => problem,
      logger: silentLogger(),
    });
    watchdog.tick();
    await Promise.resolve();
    expect(sent).toEqual(['WATCHDOG=1']);
    problem = 'relay still unlocked';
    for (let i = 0; i < 5; i++) watchdog.tick();
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    problem = null;
    watchdog.tick();
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(2);
  });

  it('a check that throws counts as unhealthy', async () => {
    const sent: string[] = [];
    const watchdog = new LoopWatchdog({
      intervalMs: 1000,
      notifier: { notify: async (s) => void sent.push(s) },
      check: () => {
        throw new Error('boom');
      },
      logger: silentLogger(),
    });
    watchdog.tick();
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([]);
  });
});

const here = path.dirname(fileURLToPath(import.meta.url));
describe('stalled main loop, real systemd-notify', () => {
  const procs: ChildProcess[] = [];
  let dir = '';
  afterEach(() => {
    for (const p of procs) p.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function lines(p: ChildProcess): string[] {
    const out: string[] = [];
    readline.createInterface({ input: p.stdout! }).on('line', (l) => out.push(l));
    return out;
  }

  it('no WATCHDOG=1 reaches the socket for longer than WatchdogSec while the loop is stalled', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-watchdog-'));
    const socket = path.join(dir, 'notify');
    const receiver = spawn('python3', ['-u', path.join(here, 'support/notify-socket.py'), socket], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    procs.push(receiver);
    const received = lines(receiver);
    await vi.waitFor(() => expect(received).toContain('ready'), { timeout: 30_000, interval: 100 });

    const watchdogSecMs = 1000;
    const stallMs = 3000;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'support/watchdog-child.ts'), '1500', String(stallMs), '6000'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: String(watchdogSecMs * 1000) },
      },
    );
    procs.push(child);
    const childOut = lines(child);
    const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(exit).toBe(0);
    await new Promise((r) => setTimeout(r, 300));

    const stallAt = Number(childOut.find((l) => l.startsWith('stall '))!.split(' ')[1]);
    const resumeAt = Number(childOut.find((l) => l.startsWith('resume '))!.split(' ')[1]);
    const beats = received
      .filter((l) => l.endsWith(' WATCHDOG=1'))
      .map((l) => Number(l.split(' ')[0]))
      .filter((t) => t > 0);
    const before = beats.filter((t) => t < stallAt);
    const during = beats.filter((t) => t >= stallAt + 200 && t < resumeAt);
    const after = beats.filter((t) => t >= resumeAt);
    // Fed before and after the stall (every 500 ms) ...
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(after.length).toBeGreaterThanOrEqual(2);
    // ... and silent across it: the gap systemd sees is longer than WatchdogSec, so it would kill the agent.
    expect(during).toEqual([]);
    const gap = Math.min(...after) - Math.max(...before);
    expect(gap).toBeGreaterThan(watchdogSecMs);
    expect(gap).toBeGreaterThanOrEqual(stallMs - 600);
  }, 90_000);
});
