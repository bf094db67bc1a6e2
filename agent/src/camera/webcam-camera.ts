/**
 * USB webcam through node-webcam, which runs `fswebcam` once per picture (opening the device each
 * time): simple and dependable, but slow — the stream camera is the real-time option. Shots are
 * taken one after another with intervalMs between them; failures back off.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import type { Camera, CameraFrame } from '../ports/index.js';
import { Backoff, sleep } from '../backoff.js';
import { CameraError } from '../errors.js';

export interface WebcamCameraOptions {
  device: string;
  width: number;
  height: number;
  intervalMs: number;
  logger: Logger;
}

/** node-webcam builds a shell command line from its options: only plain device paths may reach it. */
const SAFE_DEVICE = /^\/dev\/[A-Za-z0-9_./-]+$/;

interface NodeWebcam {
  capture(location: string, callback: (err: Error | null, data: unknown) => void): void;
}

export class WebcamCamera implements Camera {
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly options: WebcamCameraOptions) {
    if (!SAFE_DEVICE.test(options.device))
      throw new CameraError(`webcam device must be a /dev path, got ${JSON.stringify(options.device)}`);
    this.log = options.logger.child({ component: 'webcam-camera', device: options.device });
  }

  async start(onFrame: (frame: CameraFrame) => void, onError: (err: Error) => void): Promise<void> {
    if (this.abort) return;
    let NodeWebcamModule: { create(options: Record<string, unknown>): NodeWebcam };
    try {
      NodeWebcamModule = (await import('node-webcam')).default;
    } catch (cause) {
      throw new CameraError('the node-webcam package is not installed', { cause });
    }
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facegate-webcam-'));
    const location = path.join(dir, 'shot.jpg');
    const webcam = NodeWebcamModule.create({
      width: this.options.width,
      height: this.options.height,
      device: this.options.device,
      output: 'jpeg',
      quality: 90,
      callbackReturn: 'buffer',
      saveShots: false,
      skip: 2, // the first frames after opening a UVC camera are often dark or green
      verbose: false,
    });
    const abort = new AbortController();
    this.abort = abort;
    const backoff = new Backoff({ minMs: 1000, maxMs: 30_000 });
    this.log.info('webcam camera started');
    this.loop = (async () => {
      while (!abort.signal.aborted) {
        try {
          const jpeg = await new Promise<Buffer>((resolve, reject) =>
            webcam.capture(location, (err, data) =>
              err
                ? reject(err)
                : Buffer.isBuffer(data)
                  ? resolve(data)
                  : reject(new Error('fswebcam returned no image')),
            ),
          );
          backoff.reset();
          if (!abort.signal.aborted) onFrame({ jpeg, capturedAt: Date.now() });
          await sleep(this.options.intervalMs, abort.signal);
        } catch (cause) {
          onError(new CameraError('fswebcam capture failed', { cause }));
          await sleep(backoff.next(), abort.signal);
        }
      }
      await fs.rm(dir, { recursive: true, force: true });
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = null;
    this.loop = null;
  }
}
