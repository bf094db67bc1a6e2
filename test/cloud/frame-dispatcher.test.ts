import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { createFrameDispatcher } from '../../cloud/src/app/frame-dispatcher.js';

/** A handler whose calls finish only when the test releases them, so ordering is deterministic. */
function gatedHandler() {
  const calls: { doorId: string; payload: unknown; release: () => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const handle = async (input: { topicDoorId: string; payload: unknown }) => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((release) => calls.push({ doorId: input.topicDoorId, payload: input.payload, release }));
    active--;
  };
  return { calls, handle, maxActive: () => maxActive };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('frame dispatcher', () => {
  it("handles every message of a busy door in order (a visit's frames and its end), dropping the oldest only beyond the bound", async () => {
    const h = gatedHandler();
    const d = createFrameDispatcher({ handle: h.handle, concurrency: 1, maxQueuedPerDoor: 3, logger: silentLogger() });
    for (const m of ['f1', 'f2', 'f3', 'end', 'g1', 'g2']) d.submit('front-door', m); // f1 starts at once
    await tick();
    expect(h.calls.map((c) => c.payload)).toEqual(['f1']);
    expect(d.stats()).toEqual({ processed: 0, droppedStale: 2, inFlight: 1 }); // f2, f3 beyond the bound of 3

    for (let i = 0; i < 4; i++) {
      h.calls[i]!.release();
      await tick();
    }
    await d.drain();
    expect(h.calls.map((c) => c.payload)).toEqual(['f1', 'end', 'g1', 'g2']);
    expect(d.stats()).toEqual({ processed: 4, droppedStale: 2, inFlight: 0 });
  });

  it('keeps all of a visit within the default bound', async () => {
    const h = gatedHandler();
    const d = createFrameDispatcher({ handle: h.handle, concurrency: 1, logger: silentLogger() });
    const visit = ['v0', 'v1', 'v2', 'v3', 'end'];
    for (const m of [...visit, ...visit.map((m) => `w-${m}`)]) d.submit('front-door', m);
    for (let i = 0; i < 10; i++) {
      await tick();
      h.calls[i]?.release();
    }
    await d.drain();
    expect(h.calls).toHaveLength(10);
    expect(d.stats().droppedStale).toBe(0);
  });

  it('never runs more than `concurrency` frames at once, and at most one per door', async () => {
    const h = gatedHandler();
    const d = createFrameDispatcher({ handle: h.handle, concurrency: 2, logger: silentLogger() });
    for (const door of ['a', 'b', 'c', 'd']) d.submit(door, `${door}1`);
    d.submit('a', 'a2');
    await tick();
    expect(h.calls.map((c) => c.payload)).toEqual(['a1', 'b1']);
    expect(d.stats().inFlight).toBe(2);

    h.calls[0]!.release(); // a1 done: c1 has waited longest
    await tick();
    expect(h.calls.map((c) => c.payload)).toEqual(['a1', 'b1', 'c1']);
    h.calls[1]!.release();
    await tick();
    h.calls[2]!.release();
    await tick();
    h.calls[3]!.release();
    await tick();
    h.calls[4]?.release();
    await d.drain();
    expect(h.calls.map((c) => c.payload).sort()).toEqual(['a1', 'a2', 'b1', 'c1', 'd1']);
    expect(h.maxActive()).toBe(2);
    expect(d.stats()).toEqual({ processed: 5, droppedStale: 0, inFlight: 0 });
  });

  it('keeps going when a handler throws, and drain resolves at once when idle', async () => {
    let n = 0;
    const d = createFrameDispatcher({
      handle: async () => {
        n++;
        throw new Error('boom');
      },
      concurrency: 1,
      logger: silentLogger(),
    });
    await d.drain();
    d.submit('a', 1);
    await d.drain();
    d.submit('a', 2);
    await d.drain();
    expect(n).toBe(2);
    expect(d.stats().processed).toBe(2);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => createFrameDispatcher({ handle: async () => {}, concurrency: 0, logger: silentLogger() })).toThrow(
      /concurrency/,
    );
  });
});
