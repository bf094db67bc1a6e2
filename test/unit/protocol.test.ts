import { describe, expect, it } from 'vitest';
import {
  DoorCommand,
  FrameMessage,
  MAX_FRAME_JPEG_BYTES,
  parseDoorTopic,
  parseMessage,
  topics,
} from '../../protocol/index.js';

describe('protocol topics', () => {
  it('builds and parses door topics', () => {
    expect(topics.frames('front-door')).toBe('facegate/doors/front-door/frames');
    expect(parseDoorTopic('facegate/doors/front-door/commands')).toEqual({ doorId: 'front-door', channel: 'commands' });
  });

  it('rejects topics that are not exactly a door channel', () => {
    for (const t of [
      'facegate/doors/+/frames',
      'facegate/doors/a/b/frames',
      'facegate/doors/A/frames',
      'x/doors/a/frames',
      'facegate/doors/a/secrets',
    ]) {
      expect(parseDoorTopic(t), t).toBeNull();
    }
    expect(() => topics.frames('../etc')).toThrow(/invalid door id/);
  });
});

describe('protocol messages', () => {
  const frame = {
    v: 1,
    doorId: 'front-door',
    frameId: 'frame-0001',
    capturedAt: 1_700_000_000_000,
    jpeg: Buffer.from('jpeg').toString('base64'),
  };

  it('accepts a well-formed frame', () => {
    expect(parseMessage(FrameMessage, JSON.stringify(frame))).toEqual({ ok: true, value: frame });
  });

  it('explains what is wrong with bad payloads and never throws', () => {
    expect(parseMessage(FrameMessage, '{not json')).toEqual({ ok: false, error: 'payload is not JSON' });
    const r = parseMessage(FrameMessage, JSON.stringify({ ...frame, doorId: 'Front Door' }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/doorId/);
    const big = parseMessage(FrameMessage, JSON.stringify({ ...frame, jpeg: 'A'.repeat(MAX_FRAME_JPEG_BYTES * 2) }));
    expect(!big.ok && big.error).toMatch(/at most/);
  });

  it('bounds unlock pulses and tells commands apart', () => {
    const base = { v: 1, doorId: 'd1', decisionId: 'decision-1', issuedAt: 1, expiresAt: 2 };
    expect(DoorCommand.safeParse({ ...base, type: 'unlock', pulseMs: 3000, source: 'face' }).success).toBe(true);
    expect(DoorCommand.safeParse({ ...base, type: 'unlock', pulseMs: 3_600_000, source: 'face' }).success).toBe(false);
    expect(DoorCommand.safeParse({ ...base, type: 'deny', reason: 'unknown' }).success).toBe(true);
    expect(DoorCommand.safeParse({ ...base, type: 'open-sesame' }).success).toBe(false);
  });
});
