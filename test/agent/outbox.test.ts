/**
 * The door's offline queue: the on-disk outbox's rules (order, reopen, bound, torn writes, crash
 * during compaction), its delivery (one at a time, retried, paced), and the whole story against
 * the real broker — broker down, events made, agent process killed and restarted, broker back:
 * every event arrives once, in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventDelivery } from '../../agent/src/outbox/event-delivery.js';
import { EventOutbox } from '../../agent/src/outbox/event-outbox.js';
import { silentLogger } from '../../lib/logger.js';
import { DoorEventMessage, parseMessage, type DoorEventMessage as DoorEvent } from '../../protocol/index.js';
import { startLocalBrokerFixture, type LocalBrokerFixture } from '../support/broker-fixture.js';

const logger = silentLogger();
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-outbox-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function event(n: number): DoorEvent {
  return { v: 2, doorId: 'd1', eventId: randomUUID(), type: 'door_opened', at: 1_000 + n, detail: `#${n}` };
}
/** Drains an outbox by acknowledging each head in turn; returns the details in the order seen. */
const details = (box: EventOutbox) => {
  const out: string[] = [];
  let e = box.peek();
  while (e) {
    out.push(e.detail!);
    box.ack(e.eventId);
    e = box.peek();
  }
  return out;
};

describe('EventOutbox', () => {
  it('keeps events in order across a reopen, and forgets only what was acknowledged', () => {
    const box = EventOutbox.open({ dir, logger });
    const events = [1, 2, 3, 4].map(event);
    for (const e of events) box.append(e);
    box.ack(events[1]!.eventId); // not the head: ignored
    box.ack(events[0]!.eventId);
    box.close();
    const again = EventOutbox.open({ dir, logger });
    expect(again.size).toBe(3);
    expect(again.peek()).toEqual(events[1]);
    expect(details(again)).toEqual(['#2', '#3', '#4']);
    again.close();
    expect(EventOutbox.open({ dir, logger }).size).toBe(0);
  });

  it('is bounded: when full the oldest go, and it says how many', () => {
    const box = EventOutbox.open({ dir, logger, maxEvents: 5 });
    for (let n = 1; n <= 8; n++) box.append(event(n));
    expect(box.size).toBe(5);
    expect(box.dropped).toBe(3);
    box.close();
    const again = EventOutbox.open({ dir, logger, maxEvents: 5 });
    expect(details(again)).toEqual(['#4', '#5', '#6', '#7', '#8']);
    expect(again.dropped).toBe(0);
  });

  it('skips a line cut short by a power loss', () => {
    const box = EventOutbox.open({ dir, logger });
    box.append(event(1));
    box.close();
    fs.appendFileSync(path.join(dir, 'events.jsonl'), '{"v":2,"doorId":"d1","eventId":"');
    const again = EventOutbox.open({ dir, logger });
    again.append(event(2));
    again.close();
    expect(details(EventOutbox.open({ dir, logger }))).toEqual(['#1', '#2']);
  });

  it('a crash between compaction and the delivered-pointer reset loses nothing', () => {
    const events = [1, 2, 3].map(event);
    // The state a crash leaves: the compacted file holds #2 and #3, the pointer still names #1.
    fs.writeFileSync(path.join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e) + '\n').join(''));
    fs.writeFileSync(path.join(dir, 'delivered'), events[0]!.eventId);
    expect(details(EventOutbox.open({ dir, logger }))).toEqual(['#2', '#3']);
    fs.writeFileSync(
      path.join(dir, 'events.jsonl'),
      events
        .slice(1)
        .map((e) => JSON.stringify(e) + '\n')
        .join(''),
    );
    fs.writeFileSync(path.join(dir, 'delivered'), events[0]!.eventId);
    expect(details(EventOutbox.open({ dir, logger }))).toEqual(['#2', '#3']);
  });

  it('the files are owner-only', () => {
    const box = EventOutbox.open({ dir: path.join(dir, 'q'), logger });
    box.append(event(1));
    box.ack(box.peek()!.eventId);
    box.append(event(2));
    expect(fs.statSync(path.join(dir, 'q')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'q', 'events.jsonl')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'q', 'delivered')).mode & 0o777).toBe(0o600);
  });
});

describe('EventDelivery', () => {
  it('sends one at a time in order, keeps a failed event at the head and retries it', async () => {
    const box = EventOutbox.open({ dir: null, logger });
    const sent: string[] = [];
    let failNext = true;
    let inFlight = 0;
    const link = {
      connected: true,
      async publishEvent(e: DoorEvent) {
        inFlight += 1;
        expect(inFlight).toBe(1);
        await new Promise((r) => setTimeout(r, 2));
        inFlight -= 1;
        if (e.detail === '#2' && failNext) {
          failNext = false;
          throw new Error('broker went away');
        }
        sent.push(e.detail!);
      },
    };
    const delivery = new EventDelivery({
      outbox: box,
      link,
      logger,
      retryMs: 20,
      pace: { burst: 100, ratePerSec: 100 },
    });
    for (let n = 1; n <= 4; n++) {
      box.append(event(n));
      delivery.kick();
    }
    await vi.waitFor(() => expect(sent).toEqual(['#1', '#2', '#3', '#4']));
    expect(box.size).toBe(0);
    delivery.stop();
  });

  it('paces a backlog: a burst, then ratePerSec', async () => {
    let now = 0;
    const box = EventOutbox.open({ dir: null, logger });
    const sent: number[] = [];
    const link = { connected: true, publishEvent: async () => void sent.push(now) };
    for (let n = 1; n <= 10; n++) box.append(event(n));
    vi.useFakeTimers();
    try {
      const delivery = new EventDelivery({
        outbox: box,
        link,
        logger,
        clock: () => now,
        pace: { burst: 3, ratePerSec: 2 },
      });
      delivery.kick();
      for (let i = 0; i < 100 && box.size > 0; i++) {
        await vi.advanceTimersByTimeAsync(100);
        now += 100;
      }
      // 3 at once, then one per 500 ms.
      expect(sent.slice(0, 3)).toEqual([0, 0, 0]);
      const gaps = sent.slice(3).map((t, i) => t - sent[i + 2]!);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(400);
      expect(sent).toHaveLength(10);
      delivery.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does nothing while offline, and drains when kicked online', async () => {
    const box = EventOutbox.open({ dir: null, logger });
    const link = {
      connected: false,
      sent: [] as string[],
      publishEvent: async (e: DoorEvent) => void link.sent.push(e.detail!),
    };
    const delivery = new EventDelivery({ outbox: box, link, logger });
    box.append(event(1));
    delivery.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(link.sent).toEqual([]);
    link.connected = true;
    delivery.kick();
    await vi.waitFor(() => expect(link.sent).toEqual(['#1']));
  });
});

const CHILD = fileURLToPath(new URL('./support/outbox-agent-child.ts', import.meta.url));

describe('offline queue against the real broker', () => {
  let fx: LocalBrokerFixture;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    fx = await startLocalBrokerFixture();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await fx?.close();
  });

  function startAgent(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const lines: string[] = [];
    readline.createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    return {
      child,
      lines,
      async send(input: string) {
        const before = lines.filter((l) => l.startsWith('queued')).length;
        child.stdin.write(`${input}\n`);
        await vi.waitFor(() => expect(lines.filter((l) => l.startsWith('queued')).length).toBe(before + 1), {
          timeout: 20_000,
        });
      },
    };
  }

  it('broker down, events made, agent killed and restarted, broker up: every event once, in order', async () => {
    const doorId = 'outbox-door';
    const files = await fx.doorFiles(doorId);
    const outboxDir = path.join(dir, 'outbox');
    const args = [doorId, String(fx.port), files.caFile, files.certFile, files.keyFile, outboxDir];
    const backend = await fx.connectBackend();
    const received: DoorEvent[] = [];
    backend.onEvent((_door, payload) => {
      const r = parseMessage(DoorEventMessage, payload);
      if (r.ok) received.push(r.value);
    });
    await fx.stop();

    const first = startAgent(args);
    await vi.waitFor(() => expect(first.lines).toContain('started 0'), { timeout: 30_000 });
    for (const input of ['open', 'close', 'exit', 'open', 'close']) await first.send(input);
    first.child.kill('SIGKILL'); // a power cut, not a clean stop
    await new Promise((r) => first.child.once('exit', r));

    const second = startAgent(args);
    await vi.waitFor(() => expect(second.lines.some((l) => /^started [1-9]/.test(l))).toBe(true), { timeout: 30_000 });
    await second.send('open');
    const queued = fs
      .readFileSync(path.join(outboxDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DoorEvent);
    expect(queued.map((e) => e.type)).toEqual([
      'door_forced_open',
      'door_closed',
      'exit_button',
      'unlocked',
      'locked',
      'door_opened',
      'door_closed',
      'door_forced_open',
    ]);
    expect(received).toEqual([]);

    await fx.startAgain();
    await vi.waitFor(() => expect(second.lines).toContain('connected'), { timeout: 30_000 });
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(queued.length), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive now
    expect(received.map((e) => e.eventId)).toEqual(queued.map((e) => e.eventId));
    second.child.kill('SIGTERM');
  }, 120_000);
});
