import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MjpegStreamCamera, streamCommand } from '../../agent/src/camera/mjpeg-stream-camera.js';
import type { CameraFrame } from '../../agent/src/ports/index.js';
import { silentLogger } from '../../lib/logger.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
if (!hasFfmpeg)
  console.warn('SKIPPED MjpegStreamCamera tests: ffmpeg is not installed (apt-get install ffmpeg; CI installs it)');

let camera: MjpegStreamCamera | null = null;
afterEach(async () => {
  await camera?.stop();
  camera = null;
});

describe('streamCommand', () => {
  it('builds rpicam-vid and ffmpeg command lines that write MJPEG to stdout', () => {
    const rpi = streamCommand({ source: 'rpicam', width: 640, height: 480, fps: 5, logger: silentLogger() });
    expect(rpi.command).toBe('rpicam-vid');
    expect(rpi.args.join(' ')).toMatch(/--codec mjpeg .*-o -$/);
    const ff = streamCommand({
      source: 'ffmpeg',
      device: '/dev/video2',
      width: 640,
      height: 480,
      fps: 5,
      logger: silentLogger(),
    });
    expect(ff.args).toEqual(expect.arrayContaining(['-f', 'v4l2', '-i', '/dev/video2', 'mjpeg', 'pipe:1']));
  });
});

describe.skipIf(!hasFfmpeg)('MjpegStreamCamera with real ffmpeg', () => {
  it('delivers decodable JPEG frames from an ffmpeg test source', async () => {
    const frames: CameraFrame[] = [];
    camera = new MjpegStreamCamera({
      source: 'ffmpeg',
      width: 320,
      height: 240,
      fps: 5,
      input: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=5'],
      logger: silentLogger(),
    });
    await camera.start(
      (f) => frames.push(f),
      () => {},
    );
    await vi.waitFor(() => expect(frames.length).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 100 });
    const meta = await sharp(frames[2]!.jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    // testsrc moves every frame: consecutive frames are different pictures.
    expect(frames[1]!.jpeg.equals(frames[2]!.jpeg)).toBe(false);
  });

  it('restarts the process with backoff when it exits, and reports the exit', async () => {
    const frames: CameraFrame[] = [];
    const errors: Error[] = [];
    camera = new MjpegStreamCamera({
      source: 'ffmpeg',
      width: 160,
      height: 120,
      fps: 10,
      // A source that ends after 3 frames: the camera must start it again.
      input: ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=0.3'],
      restartMinMs: 50,
      restartMaxMs: 200,
      logger: silentLogger(),
    });
    await camera.start(
      (f) => frames.push(f),
      (e) => errors.push(e),
    );
    await vi.waitFor(() => expect(camera!.restarts).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 50 });
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]!.message).toMatch(/ffmpeg exited/);
    expect(frames.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a camera that cannot run and keeps retrying', async () => {
    const errors: Error[] = [];
    camera = new MjpegStreamCamera({
      source: 'ffmpeg',
      width: 160,
      height: 120,
      fps: 5,
      command: 'facegate-no-such-binary',
      restartMinMs: 20,
      restartMaxMs: 40,
      logger: silentLogger(),
    });
    await camera.start(
      () => {},
      (e) => errors.push(e),
    );
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    expect(errors[0]!.message).toMatch(/cannot run facegate-no-such-binary/);
  });
});
