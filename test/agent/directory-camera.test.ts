import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirectoryCamera } from '../../agent/src/camera/directory-camera.js';
import type { CameraFrame } from '../../agent/src/ports/index.js';
import { silentLogger } from '../../lib/logger.js';
import { jpegWithSquare } from './support/images.js';

let dir: string;
let camera: DirectoryCamera | null = null;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facegate-dircam-'));
});
afterEach(async () => {
  await camera?.stop();
  camera = null;
  await fs.rm(dir, { recursive: true, force: true });
});

/** Resolves once the camera has completed `n` more polls. */
async function polls(n: number): Promise<void> {
  const target = camera!.pollsCompleted + n;
  await vi.waitFor(() => expect(camera!.pollsCompleted).toBeGreaterThanOrEqual(target), { timeout: 5000 });
}

function collect() {
  const frames: CameraFrame[] = [];
  const errors: Error[] = [];
  return { frames, errors, onFrame: (f: CameraFrame) => frames.push(f), onError: (e: Error) => errors.push(e) };
}

describe('DirectoryCamera replay', () => {
  it('cycles the images in natural order (2 before 10), skipping other files', async () => {
    const images = new Map<string, Buffer>();
    for (const [name, x] of [
      ['10.jpg', 10],
      ['2.jpg', 20],
      ['1.jpeg', 30],
    ] as const) {
      const jpeg = await jpegWithSquare({ x });
      images.set(name, jpeg);
      await fs.writeFile(path.join(dir, name), jpeg);
    }
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not an image');
    await fs.writeFile(path.join(dir, '.hidden.jpg'), 'editor swap file');
    const c = collect();
    camera = new DirectoryCamera({ path: dir, mode: 'replay', intervalMs: 50, logger: silentLogger() });
    await camera.start(c.onFrame, c.onError);
    await vi.waitFor(() => expect(c.frames.length).toBeGreaterThanOrEqual(5), { timeout: 5000 });
    const order = ['1.jpeg', '2.jpg', '10.jpg', '1.jpeg', '2.jpg'];
    c.frames.slice(0, 5).forEach((f, i) => expect(f.jpeg.equals(images.get(order[i]!)!), `frame ${i}`).toBe(true));
    expect(c.errors).toEqual([]);
  });

  it('reports a missing folder once and starts replaying when it appears', async () => {
    const missing = path.join(dir, 'later');
    const c = collect();
    camera = new DirectoryCamera({ path: missing, mode: 'replay', intervalMs: 30, logger: silentLogger() });
    await camera.start(c.onFrame, c.onError);
    await vi.waitFor(() => expect(c.errors.length).toBe(1));
    // Several more polls of the missing folder, still one report.
    const seen = camera.pollsCompleted;
    await vi.waitFor(() => expect(camera!.pollsCompleted).toBeGreaterThanOrEqual(seen + 3));
    expect(c.errors.length).toBe(1);
    await fs.mkdir(missing);
    await fs.writeFile(path.join(missing, 'a.jpg'), await jpegWithSquare());
    await vi.waitFor(() => expect(c.frames.length).toBeGreaterThan(0));
  });
});

describe('DirectoryCamera watch', () => {
  it('ignores files present at start and emits each new or changed file once', async () => {
    await fs.writeFile(path.join(dir, 'background.jpg'), await jpegWithSquare({ x: 0 }));
    const c = collect();
    camera = new DirectoryCamera({ path: dir, mode: 'watch', intervalMs: 40, logger: silentLogger() });
    await camera.start(c.onFrame, c.onError);
    await polls(3);
    expect(c.frames).toHaveLength(0);

    const alice = await jpegWithSquare({ x: 100 });
    await fs.writeFile(path.join(dir, 'alice.jpg'), alice);
    await vi.waitFor(() => expect(c.frames).toHaveLength(1));
    expect(c.frames[0]!.jpeg.equals(alice)).toBe(true);
    await polls(3);
    expect(c.frames).toHaveLength(1); // once, not every poll

    const alice2 = await jpegWithSquare({ x: 150, quality: 70 });
    await fs.writeFile(path.join(dir, 'alice.jpg'), alice2);
    await vi.waitFor(() => expect(c.frames).toHaveLength(2));
    expect(c.frames[1]!.jpeg.equals(alice2)).toBe(true);

    // Removed and copied in again: a new arrival.
    await fs.rm(path.join(dir, 'alice.jpg'));
    await polls(1); // the camera has seen it gone
    await fs.writeFile(path.join(dir, 'alice.jpg'), alice2);
    await vi.waitFor(() => expect(c.frames).toHaveLength(3));
    expect(c.errors).toEqual([]);
  });

  it('stops emitting after stop()', async () => {
    const c = collect();
    camera = new DirectoryCamera({ path: dir, mode: 'watch', intervalMs: 30, logger: silentLogger() });
    await camera.start(c.onFrame, c.onError);
    // A second camera on the same folder, still running: what it sees proves that the stopped one
    // had the time and the file to emit, instead of the test sleeping and hoping.
    const w = collect();
    const witness = new DirectoryCamera({ path: dir, mode: 'watch', intervalMs: 30, logger: silentLogger() });
    await witness.start(w.onFrame, w.onError);
    try {
      await polls(1);
      await fs.writeFile(path.join(dir, 'late.jpg'), await jpegWithSquare());
      await camera.stop();
      // stop() waited for any poll under way and left none scheduled: nothing can emit from here on.
      expect(camera.active).toBe(false);
      const after = c.frames.length;
      const polled = camera.pollsCompleted;
      const later = await jpegWithSquare({ x: 5 });
      await fs.writeFile(path.join(dir, 'later.jpg'), later);
      // The witness emits later.jpg and polls three more times (each a poll the stopped camera would have made)…
      await vi.waitFor(() => expect(w.frames.some((f) => f.jpeg.equals(later))).toBe(true), { timeout: 5000 });
      const seen = witness.pollsCompleted;
      await vi.waitFor(() => expect(witness.pollsCompleted).toBeGreaterThanOrEqual(seen + 3), { timeout: 5000 });
      // …while the stopped camera neither polled nor emitted.
      expect(camera.pollsCompleted).toBe(polled);
      expect(c.frames).toHaveLength(after);
      expect(camera.active).toBe(false);
    } finally {
      await witness.stop();
    }
  });
});
