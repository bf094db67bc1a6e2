import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FrameGate, type FrameGateOptions } from '../../agent/src/frame-gate.js';
import { fitJpeg, pictureChange, thumbnail } from '../../agent/src/frame-image.js';
import { silentLogger } from '../../lib/logger.js';
import { FrameMessage, MAX_FRAME_JPEG_BYTES } from '../../protocol/index.js';
import { jpegWithSquare, noiseJpeg, noiseJpegWithSquare } from './support/images.js';
import { brightRegionGate } from './support/bright-region-detector.js';

function gate(overrides: Partial<FrameGateOptions> = {}) {
  const sent: FrameMessage[] = [];
  const g = new FrameGate(
    {
      doorId: 'front-door',
      maxFps: 2,
      minChange: 0.02,
      maxWidth: 640,
      maxBytes: MAX_FRAME_JPEG_BYTES,
      resendMs: 0,
      faceGate: brightRegionGate(),
      logger: silentLogger(),
      ...overrides,
    },
    async (frame) => {
      sent.push(frame);
      return true;
    },
  );
  return { g, sent };
}

describe('frame images', () => {
  it('scores the same picture as unchanged and a moved object as changed', async () => {
    const a = await thumbnail(await jpegWithSquare({ x: 10 }));
    const again = await thumbnail(await jpegWithSquare({ x: 10, quality: 60 })); // re-encoded: noise only
    const moved = await thumbnail(await jpegWithSquare({ x: 200 }));
    expect(pictureChange(a, again)).toBeLessThan(0.02);
    expect(pictureChange(a, moved)).toBeGreaterThan(0.05);
  });

  it('passes a small upright JPEG through untouched', async () => {
    const jpeg = await jpegWithSquare();
    expect(await fitJpeg(jpeg, 640, MAX_FRAME_JPEG_BYTES)).toBe(jpeg);
  });

  it('shrinks an oversize image under the byte limit and the width limit', async () => {
    const huge = await noiseJpeg(1600, 1200);
    expect(huge.length).toBeGreaterThan(MAX_FRAME_JPEG_BYTES);
    const out = await fitJpeg(huge, 640, MAX_FRAME_JPEG_BYTES);
    expect(out.length).toBeLessThanOrEqual(MAX_FRAME_JPEG_BYTES);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeLessThanOrEqual(640);
  });

  it('re-encodes a PNG as a JPEG', async () => {
    const png = await sharp(await jpegWithSquare())
      .png()
      .toBuffer();
    const out = await fitJpeg(png, 640, MAX_FRAME_JPEG_BYTES);
    expect((await sharp(out).metadata()).format).toBe('jpeg');
  });
});

describe('FrameGate', () => {
  it('sends a valid FrameMessage with a fresh id and the capture time', async () => {
    const { g, sent } = gate();
    g.offer({ jpeg: await jpegWithSquare({ x: 10 }), capturedAt: 1_800_000_000_123 });
    await g.idle();
    expect(sent).toHaveLength(1);
    const parsed = FrameMessage.safeParse(sent[0]);
    expect(parsed.success).toBe(true);
    expect(sent[0]).toMatchObject({ doorId: 'front-door', capturedAt: 1_800_000_000_123 });
    g.offer({ jpeg: await jpegWithSquare({ x: 200 }), capturedAt: 1_800_000_000_999 });
    await g.idle();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.frameId).not.toBe(sent[0]!.frameId);
  });

  it('sends only frames in which the face gate finds a face, with its box scaled to the JPEG sent', async () => {
    const { g, sent } = gate({ maxFps: 30, maxWidth: 320 });
    const empty = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#282828' } })
      .jpeg()
      .toBuffer();
    g.offer({ jpeg: empty, capturedAt: Date.now() });
    await g.idle();
    expect(g.stats.refused).toBe(1);
    expect(sent).toHaveLength(0);
    // A 640×480 frame: judged at 640, sent at 320 wide, so the box halves.
    g.offer({ jpeg: await jpegWithSquare({ width: 640, height: 480, x: 200, y: 100 }), capturedAt: Date.now() });
    await g.idle();
    expect(sent).toHaveLength(1);
    const { box, score, sharpness } = sent[0]!.face;
    expect(score).toBe(0.9);
    expect(sharpness).toBeGreaterThan(25);
    // The light square is 160 px at (200, 100): centre (280, 180) → (140, 90) in the 320-px JPEG.
    expect(box.x + box.width / 2).toBeCloseTo(140, -1);
    expect(box.y + box.height / 2).toBeCloseTo(90, -1);
  });

  it('does not resend an unchanged picture, and sends a changed one', async () => {
    const { g, sent } = gate({ maxFps: 30 });
    const still = await jpegWithSquare({ x: 10 });
    for (let i = 0; i < 4; i++) {
      g.offer({ jpeg: still, capturedAt: Date.now() });
      await g.idle();
    }
    expect(sent).toHaveLength(1);
    expect(g.stats.unchanged).toBe(3);
    g.offer({ jpeg: await jpegWithSquare({ x: 200 }), capturedAt: Date.now() });
    await g.idle();
    expect(sent).toHaveLength(2);
  });

  it('bounds the rate: a burst sends its first frame at once and only its newest frame after the interval', async () => {
    // 1 fps: ten distinct frames offered at once → the first now, the tenth a second later, none between.
    const { g, sent } = gate({ maxFps: 1 });
    const frames = await Promise.all(
      Array.from({ length: 10 }, (_, i) => jpegWithSquare({ x: i * 25, y: (i * 17) % 120 })),
    );
    for (const jpeg of frames) g.offer({ jpeg, capturedAt: Date.now() });
    await g.idle();
    expect(sent).toHaveLength(2);
    expect(g.stats.superseded).toBe(8);
    const lastSent = Buffer.from(sent[1]!.jpeg, 'base64');
    expect(lastSent.equals(frames[9]!)).toBe(true);
  });

  it('shrinks an oversize camera frame so the message fits the MQTT budget', async () => {
    const { g, sent } = gate();
    g.offer({ jpeg: await noiseJpegWithSquare(1920, 1080), capturedAt: Date.now() });
    await g.idle();
    expect(sent).toHaveLength(1);
    const jpeg = Buffer.from(sent[0]!.jpeg, 'base64');
    expect(jpeg.length).toBeLessThanOrEqual(MAX_FRAME_JPEG_BYTES);
    expect(Buffer.byteLength(JSON.stringify(sent[0]))).toBeLessThan(128 * 1024);
    expect(FrameMessage.safeParse(sent[0]).success).toBe(true);
  });

  it('drops undecodable frames without throwing and keeps working', async () => {
    const { g, sent } = gate();
    g.offer({ jpeg: Buffer.from([0xff, 0xd8, 1, 2, 3, 4]), capturedAt: Date.now() });
    await g.idle();
    expect(g.stats.errors).toBe(1);
    g.offer({ jpeg: await jpegWithSquare(), capturedAt: Date.now() });
    await g.idle();
    expect(sent).toHaveLength(1);
  });

  it('does not count a frame the link could not send, so the picture is tried again', async () => {
    let online = false;
    const sent: FrameMessage[] = [];
    const g = new FrameGate(
      {
        doorId: 'front-door',
        maxFps: 30,
        minChange: 0.02,
        maxWidth: 640,
        maxBytes: MAX_FRAME_JPEG_BYTES,
        resendMs: 0,
        faceGate: brightRegionGate(),
        logger: silentLogger(),
      },
      async (f) => (online ? (sent.push(f), true) : false),
    );
    const still = await jpegWithSquare();
    g.offer({ jpeg: still, capturedAt: Date.now() });
    await g.idle();
    online = true;
    g.offer({ jpeg: still, capturedAt: Date.now() });
    await g.idle();
    expect(sent).toHaveLength(1);
    expect(g.stats.notSent).toBe(1);
  });

  it('resends an unchanged picture after resendMs when that is turned on', async () => {
    let now = 1_000_000;
    const { g, sent } = gate({ maxFps: 30, resendMs: 5000, clock: () => now });
    const still = await jpegWithSquare();
    g.offer({ jpeg: still, capturedAt: now });
    await g.idle();
    now += 1000;
    g.offer({ jpeg: still, capturedAt: now });
    await g.idle();
    expect(sent).toHaveLength(1);
    now += 5000;
    g.offer({ jpeg: still, capturedAt: now });
    await g.idle();
    expect(sent).toHaveLength(2);
  });
});
