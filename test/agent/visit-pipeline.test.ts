/**
 * The visit pipeline (camera frame → face gate → visit tracker → sender), with the bright-region
 * detector double standing in for BlazeFace (the real one is in face-gate.test.ts) and real timers
 * at short settings.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { VisitPipeline } from '../../agent/src/visit/visit-pipeline.js';
import { silentLogger } from '../../lib/logger.js';
import {
  FramesTopicMessage,
  MAX_FRAME_JPEG_BYTES,
  type FrameMessage,
  type VisitEndMessage,
} from '../../protocol/index.js';
import { brightRegionGate } from './support/bright-region-detector.js';
import { jpegWithSquare } from './support/images.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pipeline(online = () => true) {
  const out: FramesTopicMessage[] = [];
  const p = new VisitPipeline(
    {
      doorId: 'front-door',
      maxFps: 50,
      maxWidth: 320,
      maxBytes: MAX_FRAME_JPEG_BYTES,
      // idleEndMs well above a frame's judging time on a loaded machine, so one walk-up stays one visit.
      visit: { idleEndMs: 1500, maxDurationMs: 10_000, followUpMs: 150, maxFrames: 2 },
      faceGate: brightRegionGate(),
      logger: silentLogger(),
    },
    async (m) => {
      if (!online()) return false;
      expect(FramesTopicMessage.safeParse(m).success).toBe(true);
      out.push(m);
      return true;
    },
  );
  const frames = () => out.filter((m): m is FrameMessage => m.type === 'frame');
  const endsOf = () => out.filter((m): m is VisitEndMessage => m.type === 'visit_end');
  return { p, out, frames, endsOf };
}

const empty = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#282828' } })
    .jpeg()
    .toBuffer();

describe('visit pipeline', () => {
  it('sends nothing for frames without a face', async () => {
    const { p, out } = pipeline();
    for (let i = 0; i < 3; i++) {
      p.offer({ jpeg: await empty(), capturedAt: Date.now() });
      await p.idle();
    }
    await sleep(500);
    expect(out).toEqual([]);
    expect(p.stats.refused.no_face).toBe(3);
    p.stop();
  });

  it('one person: the first frame at once, the best after followUpMs (last), then visit_end; a return is a new visit', async () => {
    const { p, out, frames, endsOf } = pipeline();
    // Walking up: the face (light square) grows; 640×480 judged, 320 wide sent, so boxes halve.
    for (const [i, size] of [120, 160, 200, 180].entries()) {
      p.offer({
        jpeg: await jpegWithSquare({ width: 640, height: 480, x: 200, y: 100, side: size }),
        capturedAt: Date.now(),
      });
      await p.idle();
      if (i === 0) expect(frames()).toHaveLength(1); // sent before any follow-up
      await sleep(40);
    }
    await sleep(1800); // follow-up due, then idle end
    await p.idle();
    expect(frames().map((f) => [f.visit.seq, f.visit.last])).toEqual([
      [0, false],
      [1, true],
    ]);
    const [first, second] = frames();
    expect(second!.visit.id).toBe(first!.visit.id);
    // The follow-up is the largest face seen after the first (200 px → ≈ 200 px box in the 320-px JPEG).
    expect(second!.face.box.width).toBeGreaterThan(first!.face.box.width);
    expect(endsOf()).toMatchObject([{ visitId: first!.visit.id, reason: 'face_gone', framesSent: 2 }]);
    expect(out.at(-1)!.type).toBe('visit_end');

    p.offer({ jpeg: await jpegWithSquare({ width: 640, height: 480, x: 250 }), capturedAt: Date.now() });
    await p.idle();
    expect(frames().at(-1)!.visit).toMatchObject({ seq: 0 });
    expect(frames().at(-1)!.visit.id).not.toBe(first!.visit.id);
    p.stop();
    await p.idle();
    expect(endsOf().at(-1)).toMatchObject({ reason: 'stopped', framesSent: 1 });
  });

  it('stops sending a visit the back end answered', async () => {
    const { p, frames } = pipeline();
    p.offer({ jpeg: await jpegWithSquare({ width: 640, height: 480, x: 10 }), capturedAt: Date.now() });
    await p.idle();
    p.answered(frames()[0]!.visit.id);
    for (const x of [100, 200, 300]) {
      p.offer({ jpeg: await jpegWithSquare({ width: 640, height: 480, x }), capturedAt: Date.now() });
      await p.idle();
      await sleep(60);
    }
    await sleep(300);
    expect(frames()).toHaveLength(1);
    p.stop();
  });
});
