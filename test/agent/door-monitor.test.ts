/** The door monitor's rules with plain numbers: normal entry, forced, held open, exit button. */
import { describe, expect, it } from 'vitest';
import {
  initialDoorState,
  stepDoor,
  type DoorInput,
  type DoorMonitorSettings,
  type DoorOutput,
} from '../../agent/src/door/door-monitor.js';

const settings: DoorMonitorSettings = { heldOpenMs: 30_000, grantGraceMs: 1_000, exitPulseMs: 5_000 };

/** Runs inputs in order; returns every output (as `type` or `unlock:source`) and the last step. */
function run(inputs: DoorInput[]) {
  let state = initialDoorState;
  const seen: string[] = [];
  const outputs: DoorOutput[] = [];
  let nextCheckAt: number | null = null;
  for (const input of inputs) {
    const step = stepDoor(settings, state, input);
    state = step.state;
    nextCheckAt = step.nextCheckAt;
    outputs.push(...step.outputs);
    seen.push(...step.outputs.map((o) => (o.kind === 'event' ? o.type : `unlock:${o.source}:${o.pulseMs}`)));
  }
  return { seen, outputs, state, nextCheckAt };
}

describe('door monitor', () => {
  it('normal entry: granted unlock, opened, closed — no alarm', () => {
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'unlocked', until: 10_000 + 5_000, at: 10_000 },
      { kind: 'contact', state: 'open', at: 12_000 },
      { kind: 'contact', state: 'closed', at: 16_000 },
    ]);
    expect(r.seen).toEqual(['door_opened', 'door_closed']);
    expect(r.outputs[1]).toMatchObject({ detail: 'open for 4 s' });
    expect(r.nextCheckAt).toBeNull();
  });

  it('an opening within the grace after the pulse is still granted; after it, forced', () => {
    const granted = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'unlocked', until: 5_000, at: 0 },
      { kind: 'locked', at: 5_000 },
      { kind: 'contact', state: 'open', at: 5_900 },
    ]);
    expect(granted.seen).toEqual(['door_opened']);
    const forced = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'unlocked', until: 5_000, at: 0 },
      { kind: 'locked', at: 5_000 },
      { kind: 'contact', state: 'open', at: 6_001 },
    ]);
    expect(forced.seen).toEqual(['door_forced_open']);
  });

  it('forced open: opened with no grant at all, and the close says so', () => {
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'contact', state: 'open', at: 1_000 },
      { kind: 'contact', state: 'closed', at: 3_000 },
    ]);
    expect(r.seen).toEqual(['door_forced_open', 'door_closed']);
    expect(r.outputs[1]).toMatchObject({ detail: 'open for 2 s, after a forced opening' });
  });

  it('a lock before the pulse ends (offline, stop) ends the grant', () => {
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'unlocked', until: 10_000, at: 0 },
      { kind: 'locked', at: 2_000 },
      { kind: 'contact', state: 'open', at: 4_000 },
    ]);
    expect(r.seen).toEqual(['door_forced_open']);
  });

  it('held open: once per opening, at the limit, also when the tick comes late', () => {
    const first = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'unlocked', until: 5_000, at: 0 },
      { kind: 'contact', state: 'open', at: 1_000 },
    ]);
    expect(first.nextCheckAt).toBe(31_000);
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'unlocked', until: 5_000, at: 0 },
      { kind: 'contact', state: 'open', at: 1_000 },
      { kind: 'tick', at: 30_999 },
      { kind: 'tick', at: 35_000 },
      { kind: 'tick', at: 90_000 },
      { kind: 'contact', state: 'closed', at: 100_000 },
      { kind: 'unlocked', until: 105_000, at: 100_000 },
      { kind: 'contact', state: 'open', at: 101_000 },
      { kind: 'tick', at: 131_000 },
    ]);
    expect(r.seen).toEqual(['door_opened', 'door_held_open', 'door_closed', 'door_opened', 'door_held_open']);
    expect(r.outputs[1]).toMatchObject({ detail: 'open for 34 s (limit 30 s)' });
    expect(r.outputs[2]).toMatchObject({ detail: 'open for 99 s, after being held open' });
  });

  it('a forced door left open is also held open', () => {
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'contact', state: 'open', at: 1_000 },
      { kind: 'tick', at: 31_000 },
    ]);
    expect(r.seen).toEqual(['door_forced_open', 'door_held_open']);
    expect(r.outputs[1]).toMatchObject({ detail: 'open for 30 s (limit 30 s), forced' });
  });

  it('exit button: reported, unlocks locally for the exit pulse, and the opening is not forced', () => {
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'exit_pressed', at: 1_000 },
      { kind: 'contact', state: 'open', at: 5_500 },
      { kind: 'contact', state: 'closed', at: 8_000 },
    ]);
    expect(r.seen).toEqual(['exit_button', 'unlock:exit_button:5000', 'door_opened', 'door_closed']);
    expect(r.outputs[0]).toMatchObject({ source: 'exit_button' });
  });

  it('a door open at start is not an event, but starts the held-open clock', () => {
    const r = run([{ kind: 'contact_initial', state: 'open', at: 0 }]);
    expect(r.seen).toEqual([]);
    expect(r.nextCheckAt).toBe(30_000);
    expect(
      run([
        { kind: 'contact_initial', state: 'open', at: 0 },
        { kind: 'tick', at: 30_000 },
      ]).seen,
    ).toEqual(['door_held_open']);
  });

  it('repeated readings of the same state change nothing', () => {
    const r = run([
      { kind: 'contact_initial', state: 'closed', at: 0 },
      { kind: 'contact', state: 'closed', at: 1 },
      { kind: 'unlocked', until: 5_000, at: 2 },
      { kind: 'contact', state: 'open', at: 3 },
      { kind: 'contact', state: 'open', at: 4 },
    ]);
    expect(r.seen).toEqual(['door_opened']);
  });
});
