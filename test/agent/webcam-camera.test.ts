/**
 * WebcamCamera drives the real node-webcam package, which shells out to `fswebcam`. No camera or
 * fswebcam exists here, so a stand-in `fswebcam` script on PATH plays the device: it records its
 * arguments and writes a JPEG where it is told — the only fake in this test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebcamCamera } from '../../agent/src/camera/webcam-camera.js';
import type { CameraFrame } from '../../agent/src/ports/index.js';
import { silentLogger } from '../../lib/logger.js';
import { jpegWithSquare } from './support/images.js';

let dir: string;
let savedPath: string | undefined;
let camera: WebcamCamera | null = null;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-webcam-test-'));
  fs.writeFileSync(path.join(dir, 'shot.jpg'), await jpegWithSquare());
  const script = `#!/bin/sh
echo "$@" >> "${dir}/calls.log"
if [ -f "${dir}/broken" ]; then echo "Error opening device" >&2; exit 1; fi
for last; do :; done
cp "${dir}/shot.jpg" "$last"
`;
  fs.writeFileSync(path.join(dir, 'fswebcam'), script, { mode: 0o755 });
  savedPath = process.env.PATH;
  process.env.PATH = `${dir}:${savedPath}`;
});
afterEach(async () => {
  await camera?.stop();
  camera = null;
  process.env.PATH = savedPath;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('WebcamCamera (node-webcam → fswebcam)', () => {
  it('takes shots one after another with the configured device and size', async () => {
    const frames: CameraFrame[] = [];
    camera = new WebcamCamera({
      device: '/dev/video7',
      width: 320,
      height: 240,
      intervalMs: 20,
      logger: silentLogger(),
    });
    await camera.start(
      (f) => frames.push(f),
      () => {},
    );
    await vi.waitFor(() => expect(frames.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(frames[0]!.jpeg.equals(fs.readFileSync(path.join(dir, 'shot.jpg')))).toBe(true);
    const call = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').split('\n')[0]!;
    expect(call).toMatch(/-r 320x240/);
    expect(call).toMatch(/-d \/dev\/video7/);
    expect(call).toMatch(/--jpeg/);
  });

  it('reports failures and keeps trying, then recovers', async () => {
    fs.writeFileSync(path.join(dir, 'broken'), '');
    const frames: CameraFrame[] = [];
    const errors: Error[] = [];
    camera = new WebcamCamera({
      device: '/dev/video0',
      width: 320,
      height: 240,
      intervalMs: 20,
      logger: silentLogger(),
    });
    await camera.start(
      (f) => frames.push(f),
      (e) => errors.push(e),
    );
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    expect(errors[0]!.message).toMatch(/fswebcam capture failed/);
    fs.rmSync(path.join(dir, 'broken'));
    await vi.waitFor(() => expect(frames.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
  });

  it('refuses a device name that is not a plain /dev path (it reaches a shell)', () => {
    expect(
      () =>
        new WebcamCamera({
          device: '/dev/video0; rm -rf /',
          width: 320,
          height: 240,
          intervalMs: 20,
          logger: silentLogger(),
        }),
    ).toThrow(/\/dev path/);
  });
});
