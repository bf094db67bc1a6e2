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
  it('handles only the latest waiting frame of a busy door and counts the dropped ones', async () => {
    const h = gatedHandler();
    const d = createFrameDispatcher({ handle: h.handle, concurrency: 1, logger: silentLogger() });
    d.submit('front-door', 'f1'); // starts at once
    d.submit('front-door', 'f2'); // waits
    d.submit('front-door', 'f3'); // replaces f2
    d.submit('front-door', 'f4'); // replaces f3
    await tick();
    expect(h.calls.map((c) => c.payload)).toEqual(['f1']);
    expect(d.stats()).toEqual({ processed: 0, droppedStale: 2, inFlight: 1 });

    h.calls[0]!.release();
    await tick();
    expect(h.calls.map((c) => c.payload)).toEqual(['f1', 'f4']);
    h.calls[1]!.release();
    await d.drain();
    expect(d.stats()).toEqual({ processed: 2, droppedStale: 2, inFlight: 0 });
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
