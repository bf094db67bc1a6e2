/**
 * Camera → face gate → visit tracker → door link. Frames are judged at most `maxFps` times a
 * second; a frame that arrives while one is being judged waits in a one-frame slot (a newer frame
 * replaces it), so the camera is never blocked and the gate always judges the newest picture.
 * Frames go out only while the link is up and are never queued: a face from a minute ago must
 * not open the door now. A dropped link ends the visit under way.
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Logger } from '../../../lib/logger.js';
import type { FrameMessage, FramesTopicMessage, VisitEndReason } from '../../../protocol/index.js';
import type { FaceGate, GatedFace, GateRefusal } from '../face-gate/face-gate.js';
import { fitJpeg } from '../frame-image.js';
import type { CameraFrame } from '../ports/index.js';
import { frameQuality } from './frame-rank.js';
import { placeOfBox } from './new-person.js';
import { VisitTracker, type VisitAction, type VisitSettings } from './visit-tracker.js';

export interface VisitPipelineOptions {
  doorId: string;
  /** Frames judged per second at most. */
  maxFps: number;
  maxWidth: number;
  maxBytes: number;
  visit: VisitSettings;
  faceGate: FaceGate;
  logger: Logger;
  clock?: () => number;
}

/** Publishes a message; resolves false when it was not sent (offline). */
export type FramesSender = (message: FramesTopicMessage) => Promise<boolean>;

export interface VisitPipelineStats {
  offered: number;
  superseded: number;
  refused: Record<GateRefusal, number>;
  visits: number;
  /** Visits ended early because a different person's face appeared (new-person.ts). */
  splits: number;
  sent: number;
  notSent: number;
  visitEnds: number;
  errors: number;
}

/** A frame that passed the gate, kept until the tracker says whether it is sent. */
interface GatedFrame {
  jpeg: Buffer;
  capturedAt: number;
  face: GatedFace;
  judged: { width: number; height: number };
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

export class VisitPipeline {
  private pending: CameraFrame | null = null;
  private busy = false;
  private stopped = false;
  private rateTimer: NodeJS.Timeout | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private lastJudgedAt = Number.NEGATIVE_INFINITY;
  private outbound: Promise<void> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];
  private readonly tracker: VisitTracker<GatedFrame>;
  private readonly intervalMs: number;
  private readonly clock: () => number;
  private readonly log: Logger;
  readonly stats: VisitPipelineStats = {
    offered: 0,
    superseded: 0,
    refused: { undecodable: 0, no_face: 0, low_score: 0, too_small: 0, blurred: 0 },
    visits: 0,
    splits: 0,
    sent: 0,
    notSent: 0,
    visitEnds: 0,
    errors: 0,
  };

  constructor(
    private readonly options: VisitPipelineOptions,
    private readonly send: FramesSender,
  ) {
    this.intervalMs = 1000 / options.maxFps;
    this.clock = options.clock ?? Date.now;
    this.log = options.logger.child({ component: 'visit-pipeline' });
    this.tracker = new VisitTracker(options.visit, () => randomUUID());
  }

  /** Takes a camera frame; never throws, never blocks the camera. */
  offer(frame: CameraFrame): void {
    if (this.stopped) return;
    this.stats.offered += 1;
    if (this.pending) this.stats.superseded += 1;
    this.pending = frame;
    this.schedule();
  }

  /** The back end answered this visit: nothing more is sent for it. */
  answered(visitId: string): void {
    this.tracker.answered(visitId);
  }

  /** Ends the visit under way (the link dropped, the agent stops). */
  endVisit(reason: VisitEndReason): void {
    this.run(this.tracker.end(reason, this.clock()));
  }

  stop(): void {
    this.endVisit('stopped');
    this.stopped = true;
    this.pending = null;
    if (this.rateTimer) clearTimeout(this.rateTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.rateTimer = this.deadlineTimer = null;
    this.notifyIdleIfDone();
  }

  /** Resolves when no frame is waiting, being judged or being sent (tests, orderly shutdown). */
  async idle(): Promise<void> {
    if (this.busy || (this.pending && !this.stopped)) await new Promise<void>((r) => this.idleWaiters.push(r));
    await this.outbound;
  }

  private schedule(): void {
    if (this.busy || this.rateTimer || !this.pending || this.stopped) return;
    const wait = this.lastJudgedAt + this.intervalMs - this.clock();
    if (wait > 0) {
      this.rateTimer = setTimeout(() => {
        this.rateTimer = null;
        this.schedule();
      }, wait);
      return;
    }
    void this.judge();
  }

  private async judge(): Promise<void> {
    const frame = this.pending;
    this.pending = null;
    if (!frame) return;
    this.busy = true;
    this.lastJudgedAt = this.clock();
    try {
      const verdict = await this.options.faceGate.inspect(frame.jpeg);
      if (this.stopped) return;
      if (!verdict.ok) {
        this.stats.refused[verdict.reason] += 1;
        this.log.debug({ reason: verdict.reason, detail: verdict.detail }, 'frame refused by the face gate');
        this.run(this.tracker.tick(this.clock()));
      } else {
        const gated: GatedFrame = {
          jpeg: frame.jpeg,
          capturedAt: Math.max(0, Math.round(frame.capturedAt)),
          face: verdict.face,
          judged: verdict.frame,
        };
        // Debug only: bench:door reads these two lines (gate done, frame sent) to time a visit's stages.
        this.log.debug({ capturedAt: gated.capturedAt }, 'frame passed the face gate');
        const place = placeOfBox(verdict.face.box, verdict.face.sizePx);
        this.run(this.tracker.faceSeen(gated, frameQuality(verdict.face), this.clock(), place));
        this.stats.splits = this.tracker.splits;
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

  /** Does what the tracker asked, in order, and re-arms the tracker's timer. */
  private run(actions: VisitAction<GatedFrame>[]): void {
    for (const action of actions) {
      if (action.type === 'send' && action.seq === 0) this.stats.visits += 1;
      // Sends are chained so a visit's frames and its end leave in order.
      this.outbound = this.outbound
        .then(() => this.perform(action))
        .catch((err) => {
          this.stats.errors += 1;
          this.log.warn({ err }, 'visit message dropped');
        });
    }
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    const deadline = this.tracker.nextDeadline();
    if (deadline !== null && !this.stopped) {
      this.deadlineTimer = setTimeout(
        () => {
          this.deadlineTimer = null;
          this.run(this.tracker.tick(this.clock()));
        },
        Math.max(0, deadline - this.clock()),
      );
    }
  }

  private async perform(action: VisitAction<GatedFrame>): Promise<void> {
    if (action.type === 'end') {
      const ok = await this.send({
        v: 2,
        type: 'visit_end',
        doorId: this.options.doorId,
        visitId: action.visitId,
        endedAt: Math.round(action.endedAt),
        framesSent: action.framesSent,
        reason: action.reason,
      });
      if (ok) this.stats.visitEnds += 1;
      this.log.debug({ visitId: action.visitId, reason: action.reason, framesSent: action.framesSent }, 'visit ended');
      return;
    }
    const { frame } = action;
    const jpeg = await fitJpeg(frame.jpeg, this.options.maxWidth, this.options.maxBytes);
    const size = await sharp(jpeg).metadata();
    const message: FrameMessage = {
      v: 2,
      type: 'frame',
      doorId: this.options.doorId,
      frameId: randomUUID(),
      capturedAt: frame.capturedAt,
      jpeg: jpeg.toString('base64'),
      visit: { id: action.visitId, seq: action.seq, startedAt: Math.round(action.startedAt), last: action.last },
      face: {
        box: scaleBox(frame.face.box, frame.judged, { width: size.width ?? 1, height: size.height ?? 1 }),
        score: frame.face.score,
        sharpness: frame.face.sharpness,
      },
    };
    if (await this.send(message)) {
      this.stats.sent += 1;
      this.log.debug(
        {
          visitId: action.visitId,
          seq: action.seq,
          last: action.last,
          bytes: jpeg.length,
          capturedAt: frame.capturedAt,
        },
        'frame sent',
      );
    } else {
      this.stats.notSent += 1;
    }
  }

  private notifyIdleIfDone(): void {
    if (this.busy || (this.pending && !this.stopped)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
