/**
 * Runs the open-set protocol through a FaceIndex, exactly as the door does: index() for
 * enrollment photos, search() for probes (top candidate only, no threshold), each call timed.
 */
import fs from 'node:fs/promises';
import { FacegateError } from '../../lib/errors.js';
import type { FaceIndex } from '../../cloud/src/ports/face-index.js';
import type { OpenSetSplit } from './dataset.js';
import type { MatedOutcome } from './metrics.js';

export interface OpenSetOutcome {
  enrolledPeople: number;
  /** People with at least one usable enrollment photo. */
  enrolledNames: string[];
  failuresToEnrol: number;
  mated: MatedOutcome[];
  nonMated: number[];
  /** Wall time of each index/search call while `concurrency` calls run at once. */
  callMs: number[];
  errors: { file: string; code: string }[];
  /**
   * When asked for: every non-mated probe's score against every enrolled person (the per-comparison
   * impostor scores the gallery-size threshold model is fitted on), highest first per probe, at
   * most MAX_COMPARED per probe; `impostorComparisons` counts all comparisons, kept or not.
   */
  impostorScores?: number[];
  impostorComparisons?: number;
}

/** The port's ceiling on maxMatches: larger galleries keep their top 1,000 per probe (the tail is what is fitted). */
const MAX_COMPARED = 1000;

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function runOpenSet(
  index: FaceIndex,
  split: OpenSetSplit,
  concurrency: number,
  tick: () => void,
  options: { impostorScores?: boolean } = {},
): Promise<OpenSetOutcome> {
  const callMs: number[] = [];
  const errors: OpenSetOutcome['errors'] = [];
  const enrolledOk = new Set<string>();

  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      callMs.push(performance.now() - start);
    }
  };

  const enrollJobs = split.enrolled.flatMap((p) => p.enroll.map((file) => ({ person: p.name, file })));
  await pool(enrollJobs, concurrency, async ({ person, file }) => {
    const bytes = await fs.readFile(file);
    try {
      await timed(() => index.index(person, bytes));
      enrolledOk.add(person);
    } catch (err) {
      errors.push({ file, code: err instanceof FacegateError ? err.code : 'error' });
    }
    tick();
  });

  // A person with no usable enrollment photo is a failure to enrol; their probes become non-mated.
  const probes: { file: string; mate: string | null }[] = [];
  for (const p of split.enrolled)
    for (const file of p.probes) probes.push({ file, mate: enrolledOk.has(p.name) ? p.name : null });
  for (const s of split.strangers) probes.push({ file: s.photo, mate: null });

  const mated: MatedOutcome[] = [];
  const nonMated: number[] = [];
  const impostorScores: number[] = [];
  let impostorComparisons = 0;
  await pool(probes, concurrency, async ({ file, mate }) => {
    const bytes = await fs.readFile(file);
    let top: { personId: string; similarity: number } | undefined;
    const everyone = options.impostorScores === true && mate === null;
    try {
      const result = await timed(() =>
        index.search(bytes, { minSimilarity: 0, maxMatches: everyone ? MAX_COMPARED : 1 }),
      );
      top = result.matches[0];
      if (everyone && top) {
        for (const m of result.matches) impostorScores.push(m.similarity);
        impostorComparisons += enrolledOk.size;
      }
    } catch (err) {
      errors.push({ file, code: err instanceof FacegateError ? err.code : 'error' });
    }
    const score = top ? top.similarity : -Infinity;
    if (mate) mated.push({ score, correct: top?.personId === mate });
    else nonMated.push(score);
    tick();
  });

  return {
    enrolledPeople: enrolledOk.size,
    enrolledNames: [...enrolledOk],
    failuresToEnrol: split.enrolled.length - enrolledOk.size,
    mated,
    nonMated,
    callMs,
    errors,
    ...(options.impostorScores ? { impostorScores, impostorComparisons } : {}),
  };
}

/**
 * Single-image latency: the same calls one at a time, nothing else from this process running.
 * Also the process CPU time per call: the engine is single-threaded WASM, so on a machine shared
 * with other work the CPU time is what the call would take on an idle core.
 */
export async function measureLatency(
  index: FaceIndex,
  files: string[],
  tick: () => void,
): Promise<{ wallMs: number[]; cpuMs: number[] }> {
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (const file of files) {
    const bytes = await fs.readFile(file);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await index.search(bytes, { minSimilarity: 0, maxMatches: 1 }).catch(() => undefined);
    wallMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
    tick();
  }
  return { wallMs, cpuMs };
}
