import { describe, expect, it } from 'vitest';
import {
  DoorCommand,
  DoorEventMessage,
  FrameMessage,
  FramesTopicMessage,
  MAX_FRAME_JPEG_BYTES,
  doorTopics,
  isLegacyDoorTopic,
  isVersionError,
  parseDoorTopic,
  parseMessage,
  siteTopicFilter,
} from '../../protocol/index.js';

describe('protocol topics', () => {
  it('builds and parses door topics, site first', () => {
    expect(doorTopics('local', 'front-door').frames).toBe('facegate/local/doors/front-door/frames');
    expect(siteTopicFilter('hq', 'events')).toBe('facegate/hq/doors/+/events');
    expect(parseDoorTopic('facegate/hq/doors/front-door/commands')).toEqual({
      siteId: 'hq',
      doorId: 'front-door',
      channel: 'commands',
    });
  });

  it('rejects topics that are not exactly a door channel of a site', () => {
    for (const t of [
      'facegate/local/doors/+/frames',
      'facegate/local/doors/a/b/frames',
      'facegate/local/doors/A/frames',
      'facegate/Local/doors/a/frames',
      'facegate/+/doors/a/frames',
      'facegate/doors/a/frames',
      'x/local/doors/a/frames',
      'facegate/local/gates/a/frames',
      'facegate/local/doors/a/secrets',
    ]) {
      expect(parseDoorTopic(t), t).toBeNull();
    }
    expect(() => doorTopics('local', '../etc')).toThrow(/invalid door id/);
    expect(() => doorTopics('a/b', 'door')).toThrow(/invalid site id/);
  });

  it('recognises the topic layout of protocol v1, so an old agent can be named as such', () => {
    expect(isLegacyDoorTopic('facegate/doors/front-door/frames')).toBe(true);
    expect(isLegacyDoorTopic('facegate/local/doors/front-door/frames')).toBe(false);
  });
});

describe('protocol messages', () => {
  const frame = {
    v: 2,
    type: 'frame',
    doorId: 'front-door',
    frameId: 'frame-0001',
    capturedAt: 1_700_000_000_000,
    jpeg: Buffer.from('jpeg').toString('base64'),
    visit: { id: 'visit-0001', seq: 0, startedAt: 1_700_000_000_000, last: false },
    face: { box: { x: 10, y: 20, width: 120, height: 140 }, score: 0.97, sharpness: 42 },
  };

  it('accepts a well-formed frame and a visit end on the frames topic', () => {
    expect(parseMessage(FrameMessage, JSON.stringify(frame))).toEqual({ ok: true, value: frame });
    const end = {
      v: 2,
      type: 'visit_end',
      doorId: 'front-door',
      visitId: 'visit-0001',
      endedAt: 1_700_000_001_000,
      framesSent: 2,
      reason: 'face_gone',
    };
    expect(parseMessage(FramesTopicMessage, JSON.stringify(end))).toEqual({ ok: true, value: end });
    expect(parseMessage(FramesTopicMessage, JSON.stringify(frame))).toEqual({ ok: true, value: frame });
  });

  it('bounds the frames of a visit', () => {
    const tooMany = { ...frame, visit: { ...frame.visit, seq: 4 } };
    expect(parseMessage(FrameMessage, JSON.stringify(tooMany)).ok).toBe(false);
  });

  it('names an outdated protocol version as such', () => {
    const v1 = { v: 1, doorId: 'front-door', frameId: 'frame-0001', capturedAt: 1, jpeg: 'AAAA' };
    const result = parseMessage(FrameMessage, JSON.stringify(v1));
    expect(result).toEqual({ ok: false, error: 'protocol v1 is not supported (this side speaks v2)' });
    expect(!result.ok && isVersionError(result.error)).toBe(true);
    const malformed = parseMessage(FrameMessage, JSON.stringify({ ...frame, doorId: 'X' }));
    expect(!malformed.ok && isVersionError(malformed.error)).toBe(false);
  });

  it('events carry the door-made id that makes replays recognisable', () => {
    const event = { v: 2, doorId: 'front-door', type: 'door_forced_open', at: 5 };
    expect(DoorEventMessage.safeParse(event).success).toBe(false);
    expect(DoorEventMessage.safeParse({ ...event, eventId: 'event-00001' }).success).toBe(true);
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
    const base = { v: 2, doorId: 'd1', decisionId: 'decision-1', issuedAt: 1, expiresAt: 2 };
    expect(DoorCommand.safeParse({ ...base, type: 'unlock', pulseMs: 3000, source: 'face' }).success).toBe(true);
    expect(DoorCommand.safeParse({ ...base, type: 'unlock', pulseMs: 3_600_000, source: 'face' }).success).toBe(false);
    expect(DoorCommand.safeParse({ ...base, type: 'deny', reason: 'unknown' }).success).toBe(true);
    expect(DoorCommand.safeParse({ ...base, type: 'open-sesame' }).success).toBe(false);
  });
});
