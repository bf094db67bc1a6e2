/**
 * The open-set protocol at visit level: each probe photo becomes a visit of F rendered camera
 * frames (visit-render.ts) that go through a door pipeline — the agent's face gate and frame
 * choice, the back end's searches and its fusion into one decision — instead of one search of the
 * photo. Enrollment is the per-image run's (same index, same gallery).
 *
 * The back end answers a visit as soon as the fused score of the frames it has clears the
 * threshold, and otherwise when the last frame arrives (cloud/src/handlers/recognize-frame.ts).
 * Each visit records the searches of every frame the door would send if nobody answered early;
 * a decision at threshold t is then "some prefix of those frames fuses to ≥ t", which is exactly
 * what early answers give, at every threshold (so DET figures stay exact), and the frames and
 * searches an early answer saves are counted at the default threshold.
 */
import fs from 'node:fs/promises';
import type { FaceIndex, FaceMatch } from '../../cloud/src/ports/face-index.js';
import type { FusedCandidate, FusionRule } from './fusion-rules.js';
import type { MatedOutcome } from './metrics.js';
import { renderVisit } from './visit-render.js';

/** What the agent's face gate says about one frame. */
export type GateOutcome =
  { ok: true; sizePx: number; sharpness: number; frontality: number; score: number } | { ok: false };

/** The door and back end steps a visit goes through; the bench swaps in the project's own code. */
export interface VisitPipeline {
  /** Names what each step is, for the report (e.g. which module it came from). */
  describe: { gate: string; choice: string; fusion: string };
  /** The gate's outcome and the wall time it took (when it was computed: cached runs keep the first run's). */
  gate(jpeg: Buffer): Promise<{ outcome: GateOutcome; ms: number }>;
  /** Indices of the frames the door sends, in send order, given the gate's outcome of each frame in camera order. */
  choose(frames: GateOutcome[]): number[];
  /** The back end's decision from the searches of the frames sent (each lists every enrolled person). */
  fuse: FusionRule;
}

export interface VisitRecord {
  mate: string | null;
  framesPassed: number;
  /** Per frame the door would send (no early answer): every enrolled person's similarity (empty when the back end found no face). */
  searches: FaceMatch[][];
  /** Per frame in `searches`: ms from the first frame's gate to that frame's search result (frames back to back). */
  msAfter: number[];
}

export interface VisitOutcome {
  records: VisitRecord[];
  errors: { file: string; code: string }[];
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function runVisits(
  index: FaceIndex,
  probes: { file: string; mate: string | null }[],
  options: {
    frames: number;
    pipeline: VisitPipeline;
    concurrency: number;
    galleryPeople: number;
    /** How long a cached search's analysis took when computed (so a cached run's timings are the first run's). */
    cachedSearchMs?: (jpeg: Buffer) => number | undefined;
  },
  tick: () => void,
): Promise<VisitOutcome> {
  const records: VisitRecord[] = [];
  const errors: VisitOutcome['errors'] = [];
  const maxMatches = Math.min(1000, Math.max(1, options.galleryPeople));
  await pool(probes, options.concurrency, async ({ file, mate }) => {
    try {
      const photo = await fs.readFile(file);
      // Seeded by the file name within the person's folder and the person: the same visit every run.
      const frames = await renderVisit(photo, {
        frames: options.frames,
        seed: file.split(/[\\/]/).slice(-2).join('/'),
      });
      const gated: GateOutcome[] = [];
      const gateMs: number[] = [];
      for (const frame of frames) {
        const g = await options.pipeline.gate(frame);
        gated.push(g.outcome);
        gateMs.push(g.ms);
      }
      const chosen = options.pipeline.choose(gated);
      const searches: FaceMatch[][] = [];
      const msAfter: number[] = [];
      let searchMs = 0;
      for (const i of chosen) {
        const cached = options.cachedSearchMs?.(frames[i]!);
        const start = performance.now();
        const result = await index.search(frames[i]!, { minSimilarity: 0, maxMatches });
        searchMs += performance.now() - start + (cached ?? 0);
        searches.push(result.matches);
        msAfter.push(gateMs.slice(0, i + 1).reduce((a, b) => a + b, 0) + searchMs);
      }
      records.push({ mate, framesPassed: gated.filter((g) => g.ok).length, searches, msAfter });
    } catch (err) {
      errors.push({ file, code: (err as { code?: string }).code ?? 'error' });
    }
    tick();
  });
  return { records, errors };
}

/**
 * A visit's decision under one rule: the best fused candidate over the prefixes of its frames
 * (the back end answers at the first prefix that clears the threshold, so "matched at t" is "some
 * prefix ≥ t"), and how many frames had been sent when that prefix was complete.
 */
export function decideVisit(searches: FaceMatch[][], fuse: FusionRule): FusedCandidate & { frames: number } {
  let best: FusedCandidate & { frames: number } = { personId: null, score: -Infinity, frames: searches.length };
  for (let k = 1; k <= searches.length; k++) {
    const fused = fuse(searches.slice(0, k));
    if (fused.score > best.score) best = { ...fused, frames: k };
  }
  return best;
}

/** Frames sent until the back end answers at threshold t: the first prefix that clears it, else all. */
export function framesUntilAnswer(searches: FaceMatch[][], fuse: FusionRule, t: number): number {
  for (let k = 1; k <= searches.length; k++) if (fuse(searches.slice(0, k)).score >= t) return k;
  return searches.length;
}

/** Per-visit outcomes under one fusion rule, in the shape the per-image metrics take. */
export function visitScores(records: VisitRecord[], fuse: FusionRule): { mated: MatedOutcome[]; nonMated: number[] } {
  const mated: MatedOutcome[] = [];
  const nonMated: number[] = [];
  for (const r of records) {
    const fused = decideVisit(r.searches, fuse);
    if (r.mate) mated.push({ score: fused.score, correct: fused.personId === r.mate });
    else nonMated.push(fused.score);
  }
  return { mated, nonMated };
}
