import { describe, expect, it } from 'vitest';
import { CommandGuard } from '../../agent/src/command-guard.js';
import { MAX_CLOCK_SKEW_MS } from '../../protocol/index.js';

const NOW = 1_800_000_000_000;
let seq = 0;
function unlock(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return JSON.stringify({
    v: 2,
    type: 'unlock',
    doorId: 'front-door',
    decisionId: `decision-${seq.toString().padStart(4, '0')}`,
    issuedAt: NOW - 100,
    expiresAt: NOW + 4_900,
    pulseMs: 3000,
    source: 'face',
    ...overrides,
  });
}

function guard(clock = () => NOW) {
  return new CommandGuard({ doorId: 'front-door', maxPulseMs: 5000, clock });
}

describe('CommandGuard', () => {
  it('accepts a fresh unlock for this door with its pulse', () => {
    const r = guard().check(unlock());
    expect(r).toMatchObject({ ok: true, pulseMs: 3000, command: { type: 'unlock', doorId: 'front-door' } });
  });

  it('clamps a pulse longer than the configured maximum', () => {
    const r = guard().check(unlock({ pulseMs: 20_000 }));
    expect(r).toMatchObject({ ok: true, pulseMs: 5000 });
  });

  it('rejects malformed payloads with the reason', () => {
    const g = guard();
    for (const payload of [
      '{not json',
      '[]',
      JSON.stringify({ v: 2, type: 'open-sesame', doorId: 'front-door' }),
      unlock({ pulseMs: 10 }),
      unlock({ v: 1 }),
      unlock({ decisionId: 'short' }),
    ]) {
      const r = g.check(payload);
      expect(r.ok, payload).toBe(false);
      expect(!r.ok && r.reason).toBe('malformed');
    }
  });

  it('rejects a command for another door', () => {
    const r = guard().check(unlock({ doorId: 'back-door' }));
    expect(r).toMatchObject({ ok: false, reason: 'other_door' });
  });

  it('rejects an expired command', () => {
    const r = guard().check(unlock({ issuedAt: NOW - 10_000, expiresAt: NOW - 1 }));
    expect(r).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('rejects a command issued implausibly far in the future', () => {
    const issuedAt = NOW + MAX_CLOCK_SKEW_MS + 1000;
    const r = guard().check(unlock({ issuedAt, expiresAt: issuedAt + 5000 }));
    expect(r).toMatchObject({ ok: false, reason: 'future_dated' });
  });

  it('tolerates a door clock that lags within the skew', () => {
    const issuedAt = NOW + MAX_CLOCK_SKEW_MS - 1000;
    expect(guard().check(unlock({ issuedAt, expiresAt: issuedAt + 5000 })).ok).toBe(true);
  });

  it('rejects a validity window that ends before it starts or is implausibly long', () => {
    expect(guard().check(unlock({ issuedAt: NOW, expiresAt: NOW - 1 }))).toMatchObject({ ok: false });
    expect(guard().check(unlock({ issuedAt: NOW, expiresAt: NOW + 10 * 60_000 }))).toMatchObject({
      ok: false,
      reason: 'bad_window',
    });
  });

  it('rejects a still-valid command issued before the agent started (ids seen by a previous run are gone)', () => {
    const g = guard();
    g.acceptOnlyIssuedSince(NOW - 50);
    expect(g.check(unlock({ issuedAt: NOW - 100 }))).toMatchObject({ ok: false, reason: 'before_start' });
    expect(g.check(unlock({ issuedAt: NOW - 10 }))).toMatchObject({ ok: true });
  });

  it('rejects a replayed decisionId, even after it would have expired', () => {
    let now = NOW;
    const g = guard(() => now);
    const payload = unlock();
    expect(g.check(payload).ok).toBe(true);
    expect(g.check(payload)).toMatchObject({ ok: false, reason: 'replayed' });
    // Same id as a deny: still a replay.
    const parsed = JSON.parse(payload);
    expect(
      g.check(JSON.stringify({ ...parsed, type: 'deny', reason: 'unknown', pulseMs: undefined, source: undefined })),
    ).toMatchObject({ ok: false, reason: 'replayed' });
    now = NOW + 60_000;
    expect(g.check(payload)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('accepts a deny command without a pulse', () => {
    const r = guard().check(
      JSON.stringify({
        v: 2,
        type: 'deny',
        doorId: 'front-door',
        decisionId: 'deny-00000001',
        issuedAt: NOW,
        expiresAt: NOW + 5000,
        reason: 'unknown',
      }),
    );
    expect(r).toMatchObject({ ok: true, command: { type: 'deny', reason: 'unknown' } });
    expect('pulseMs' in r).toBe(false);
  });

  it('refuses new commands rather than forget live ids when its memory is full', () => {
    const g = new CommandGuard({ doorId: 'front-door', maxPulseMs: 5000, clock: () => NOW, maxRememberedIds: 3 });
    for (let i = 0; i < 3; i++) expect(g.check(unlock()).ok).toBe(true);
    expect(g.check(unlock())).toMatchObject({ ok: false, reason: 'overloaded' });
  });
});
