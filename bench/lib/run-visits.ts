/**
 * The open-set protocol at visit level: each probe photo becomes a visit of F rendered camera
 * frames (visit-render.ts) that go through a door pipeline — the agent's face gate and frame
 * choice, the back end's searches and its fusion into one decision — instead of one search of the
 * photo. Enrollment is the per-image run's (same index, same gallery).
 */
import fs from 'node:fs/promises';
import type { FaceIndex, FaceMatch } from '../../cloud/src/ports/face-index.js';
import type { FusedCandidate, FusionRule } from './fusion-rules.js';
import type { MatedOutcome } from './metrics.js';
import { renderVisit } from './visit-render.js';

/** What the agent's face gate says about one frame. */
export type GateOutcome = { ok: true; sizePx: number; sharpness: number; frontality: number } | { ok: false };

/** The door and back end steps a visit goes through; the bench swaps in the project's own code. */
export interface VisitPipeline {
  /** Names what each step is, for the report (e.g. which module it came from). */
  describe: { gate: string; choice: string; fusion: string };
  gate(jpeg: Buffer): Promise<GateOutcome>;
  /** Indices of the frames to send, in send order, given the gate's outcome of each frame in camera order. */
  choose(frames: GateOutcome[]): number[];
  /** The back end's decision from the searches of the frames sent (each lists every enrolled person). */
  fuse: FusionRule;
}

export interface VisitRecord {
  mate: string | null;
  framesPassed: number;
  framesSent: number;
  /** Per frame sent: every enrolled person's similarity (empty when the back end found no face). */
  searches: FaceMatch[][];
  /** Gate time of every frame up to the last one sent, plus the searches: first frame to decision. */
  msToDecision: number;
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
  options: { frames: number; pipeline: VisitPipeline; concurrency: number; galleryPeople: number },
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
        const start = performance.now();
        gated.push(await options.pipeline.gate(frame));
        gateMs.push(performance.now() - start);
      }
      const chosen = options.pipeline.choose(gated);
      const searches: FaceMatch[][] = [];
      let searchMs = 0;
      for (const i of chosen) {
        const start = performance.now();
        const result = await index.search(frames[i]!, { minSimilarity: 0, maxMatches });
        searchMs += performance.now() - start;
        searches.push(result.matches);
      }
      const lastSent = chosen.length > 0 ? Math.max(...chosen) : frames.length - 1;
      const msToDecision = gateMs.slice(0, lastSent + 1).reduce((a, b) => a + b, 0) + searchMs;
      records.push({
        mate,
        framesPassed: gated.filter((g) => g.ok).length,
        framesSent: chosen.length,
        searches,
        msToDecision,
      });
    } catch (err) {
      errors.push({ file, code: (err as { code?: string }).code ?? 'error' });
    }
    tick();
  });
  return { records, errors };
}

/** Per-visit outcomes under one fusion rule, in the shape the per-image metrics take. */
export function visitScores(records: VisitRecord[], fuse: FusionRule): { mated: MatedOutcome[]; nonMated: number[] } {
  const mated: MatedOutcome[] = [];
  const nonMated: number[] = [];
  for (const r of records) {
    const fused: FusedCandidate = fuse(r.searches);
    if (r.mate) mated.push({ score: fused.score, correct: fused.personId === r.mate });
    else nonMated.push(fused.score);
  }
  return { mated, nonMated };
}
