/** bench:accuracy --visits: the agent's frame choice as the bench drives it, early answers, and the disk cache. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentFrameChoice } from '../../bench/lib/door-pipeline.js';
import { DiskCache } from '../../bench/lib/disk-cache.js';
import { FUSION_RULES } from '../../bench/lib/fusion-rules.js';
import { decideVisit, framesUntilAnswer, type GateOutcome } from '../../bench/lib/run-visits.js';
import { AgentConfigSchema } from '../../agent/src/config.js';

const face = (sizePx: number): GateOutcome => ({ ok: true, sizePx, sharpness: 60, frontality: 0.9, score: 0.9 });
const none: GateOutcome = { ok: false };
const visitDefaults = AgentConfigSchema.shape.visit.parse(undefined);

describe('agent frame choice in the bench', () => {
  const choose = agentFrameChoice(visitDefaults, 200);

  it('sends the first usable frame, then the best one seen by followUpMs later (the agent defaults: 2 frames)', () => {
    // Faces grow as the person walks up; when frame 3 arrives (600 ms after frame 0) the tracker first
    // sends the best frame seen since frame 0 (frames 1-2), then counts frame 3.
    expect(choose([face(70), face(80), face(95), face(90), face(120), face(140)])).toEqual([0, 2]);
  });

  it('sends nothing for a visit in which the gate passed no frame, and one frame when only one passed', () => {
    expect(choose([none, none, none, none, none, none])).toEqual([]);
    expect(choose([none, none, none, none, none, face(100)])).toEqual([5]);
  });

  it('starts the visit at the first frame the gate passes', () => {
    // Frame 5 arrives when the follow-up is due: the best frame before it (4) goes.
    expect(choose([none, none, face(70), face(72), face(74), face(90)])).toEqual([2, 4]);
  });
});

describe('early answers', () => {
  const frame = (...scores: [string, number][]) =>
    scores.map(([personId, similarity]) => ({ faceId: `f-${personId}`, personId, similarity }));
  const mean = FUSION_RULES['mean-score']!;

  it('decides on the best prefix: a first frame that clears the threshold answers alone', () => {
    const searches = [frame(['ann', 0.97], ['bob', 0.9]), frame(['ann', 0.93], ['bob', 0.91])];
    expect(decideVisit(searches, mean)).toMatchObject({ personId: 'ann', score: 0.97, frames: 1 });
    expect(framesUntilAnswer(searches, mean, 0.96)).toBe(1);
    // Below the first frame's score, the second frame is sent and the mean decides.
    expect(framesUntilAnswer(searches, mean, 0.98)).toBe(2);
  });

  it('lets a later frame lift the fused score when the first is weak', () => {
    const searches = [frame(['ann', 0.9]), frame(['ann', 0.98])];
    const d = decideVisit(searches, mean);
    expect(d.personId).toBe('ann');
    expect(d.score).toBeCloseTo(0.94, 10);
    expect(d.frames).toBe(2);
  });

  it('gives no candidate to a visit with no frame sent', () => {
    expect(decideVisit([], mean)).toMatchObject({ personId: null, score: -Infinity, frames: 0 });
    expect(framesUntilAnswer([], mean, 0.5)).toBe(0);
  });
});

describe('DiskCache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const open = (file: string, ns = 'ns') =>
    new DiskCache<{ n: number }>(file, ns, { encode: (v) => v, decode: (r) => r as { n: number } });

  it('computes once, and a later cache on the same file returns the stored value and its original time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-cache-'));
    dirs.push(dir);
    const file = path.join(dir, 'c.jsonl');
    let calls = 0;
    const compute = async () => ({ n: ++calls });
    const a = open(file);
    const first = await a.through(Buffer.from('image'), compute);
    const again = await a.through(Buffer.from('image'), compute);
    a.close();
    expect(first).toMatchObject({ value: { n: 1 }, cached: false });
    expect(again).toMatchObject({ value: { n: 1 }, cached: true, ms: first.ms });
    const b = open(file);
    expect(b.stats.loaded).toBe(1);
    expect(b.get(Buffer.from('image'))).toEqual({ n: 1 });
    expect(b.get(Buffer.from('other image'))).toBeUndefined();
    // Another namespace (another recipe, other gate limits) shares nothing.
    const c = open(file, 'other');
    expect(c.get(Buffer.from('image'))).toBeUndefined();
    b.close();
    c.close();
    expect(calls).toBe(1);
  });

  it('misses and stores nothing while disabled (timed passes), and skips a line cut short', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-cache-'));
    dirs.push(dir);
    const file = path.join(dir, 'c.jsonl');
    const a = open(file);
    await a.through(Buffer.from('x'), async () => ({ n: 1 }));
    a.enabled = false;
    expect((await a.through(Buffer.from('x'), async () => ({ n: 2 }))).cached).toBe(false);
    await a.through(Buffer.from('y'), async () => ({ n: 3 }));
    a.close();
    fs.appendFileSync(file, '{"key":"abc","ms":1,"val');
    const b = open(file);
    expect(b.stats.loaded).toBe(1);
    expect(b.get(Buffer.from('x'))).toEqual({ n: 1 });
    expect(b.get(Buffer.from('y'))).toBeUndefined();
    b.close();
  });
});
