/**
 * Decides which camera frames go to the back end, and prepares them:
 * - at most maxFps frames per second are sent; a frame that arrives too soon waits in a one-frame
 *   slot (newer frames replace it), so the picture at the end of a burst is still sent;
 * - a frame is sent only when the picture changed since the last frame sent (mean difference of a
 *   32×32 grayscale thumbnail ≥ minChange): an empty corridor costs no face searches;
 * - a frame is sent only when the face gate finds a usable face in it (face-gate/face-gate.ts);
 * - frames are downscaled to maxWidth and re-encoded to fit MAX_FRAME_JPEG_BYTES.
 * resendMs (default off) resends an unchanged picture after that long. It is off because a still
 * scene is almost always an empty one and every frame is a paid face search on AWS; a person who
 * stands still in front of a door was already sent when they stepped in, and the small movements
 * of a living person clear a low minChange. Sites whose first frames are often poor can turn it on.
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Logger } from '../../lib/logger.js';
import type { FrameMessage } from '../../protocol/index.js';
import type { CameraFrame } from './ports/index.js';
import type { FaceGate } from './face-gate/face-gate.js';
import { fitJpeg, pictureChange, thumbnail } from './frame-image.js';

export interface FrameGateOptions {
  doorId: string;
  maxFps: number;
  minChange: number;
  maxWidth: number;
  maxBytes: number;
  resendMs: number;
  /** Frames without a usable face are not sent. */
  faceGate: FaceGate;
  logger: Logger;
  clock?: () => number;
}

/** Publishes a frame; resolves false when it was not sent (offline), so the gate does not count it. */
export type FrameSender = (frame: FrameMessage) => Promise<boolean>;

export interface FrameGateStats {
  offered: number;
  superseded: number;
  unchanged: number;
  /** Refused by the face gate (no face, too small, blurred, doubtful). */
  refused: number;
  sent: number;
  notSent: number;
  errors: number;
}

/** A box in pixels of a `from`-sized picture, in pixels of the same picture at `to` size (the JPEG sent). */
export function scaleBox(
  box: { x: number; y: number; width: number; height: number },
  from: { width: number; height: number },
  to: { width: number; height: number },
): FrameMessage['face']['box'] {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  const x = Math.min(to.width - 1, Math.max(0, Math.round(box.x * sx)));
  const y = Math.min(to.height - 1, Math.max(0, Math.round(box.y * sy)));
  return {
    x,
    y,
    width: Math.max(1, Math.min(to.width - x, Math.round(box.width * sx))),
    height: Math.max(1, Math.min(to.height - y, Math.round(box.height * sy))),
  };
}

export class FrameGate {
  private pending: CameraFrame | null = null;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private lastSentThumb: Buffer | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly intervalMs: number;
  private readonly clock: () => number;
  private readonly log: Logger;
  readonly stats: FrameGateStats = {
    offered: 0,
    superseded: 0,
    unchanged: 0,
    refused: 0,
    sent: 0,
    notSent: 0,
    errors: 0,
  };

  constructor(
    private readonly options: FrameGateOptions,
    private readonly send: FrameSender,
  ) {
    this.intervalMs = 1000 / options.maxFps;
    this.clock = options.clock ?? Date.now;
    this.log = options.logger.child({ component: 'frame-gate' });
  }

  /** Takes a camera frame; never throws, never blocks the camera. */
  offer(frame: CameraFrame): void {
    if (this.stopped) return;
    this.stats.offered += 1;
    if (this.pending) this.stats.superseded += 1;
    this.pending = frame;
    this.schedule();
  }

  /** Forgets the last picture sent, so the next frame goes out even if unchanged (e.g. after a reconnect). */
  resetPicture(): void {
    this.lastSentThumb = null;
  }

  stop(): void {
    this.stopped = true;
    this.pending = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.notifyIdleIfDone();
  }

  /** Resolves when no frame is waiting or being processed (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (!this.busy && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.busy || this.timer || !this.pending || this.stopped) return;
    const wait = this.lastSentAt + this.intervalMs - this.clock();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
      return;
    }
    void this.process();
  }

  private async process(): Promise<void> {
    const frame = this.pending;
    this.pending = null;
    if (!frame) return;
    this.busy = true;
    try {
      const thumb = await thumbnail(frame.jpeg);
      const change = this.lastSentThumb ? pictureChange(thumb, this.lastSentThumb) : 1;
      const dueForResend = this.options.resendMs > 0 && this.clock() - this.lastSentAt >= this.options.resendMs;
      if (change < this.options.minChange && !dueForResend) {
        this.stats.unchanged += 1;
      } else {
        const verdict = await this.options.faceGate.inspect(frame.jpeg);
        if (!verdict.ok) {
          this.stats.refused += 1;
          this.log.debug({ reason: verdict.reason, detail: verdict.detail }, 'frame refused by the face gate');
          return;
        }
        const jpeg = await fitJpeg(frame.jpeg, this.options.maxWidth, this.options.maxBytes);
        const frameId = randomUUID();
        const capturedAt = Math.max(0, Math.round(frame.capturedAt));
        // Interim, until visits land: every frame is a visit of its own.
        const size = await sharp(jpeg).metadata();
        const message: FrameMessage = {
          v: 2,
          type: 'frame',
          doorId: this.options.doorId,
          frameId,
          capturedAt,
          jpeg: jpeg.toString('base64'),
          visit: { id: frameId, seq: 0, startedAt: capturedAt, last: true },
          face: {
            box: scaleBox(verdict.face.box, verdict.frame, { width: size.width ?? 1, height: size.height ?? 1 }),
            score: verdict.face.score,
            sharpness: verdict.face.sharpness,
          },
        };
        if (this.stopped) return;
        if (await this.send(message)) {
          this.stats.sent += 1;
          this.lastSentAt = this.clock();
          this.lastSentThumb = thumb;
          this.log.debug(
            { frameId: message.frameId, bytes: jpeg.length, change: Number(change.toFixed(3)) },
            'frame sent',
          );
        } else {
          this.stats.notSent += 1;
        }
      }
    } catch (err) {
      this.stats.errors += 1;
      this.log.warn({ err }, 'frame dropped');
    } finally {
      this.busy = false;
      this.schedule();
      this.notifyIdleIfDone();
    }
  }

  private notifyIdleIfDone(): void {
    if (this.busy || (this.pending && !this.stopped)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
