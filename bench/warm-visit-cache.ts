/**
 * Fills bench:accuracy's cache (face gate verdicts of every rendered frame, engine analyses of
 * the frames the door sends) for the visits of one half, from the end of the probe list backwards,
 * while bench:accuracy --visits works forwards: on a shared machine two processes finish the
 * visits in about half the time, and bench:accuracy picks up what this one stored (DiskCache
 * re-reads the file on a miss). It computes exactly what bench:accuracy would (the same pipeline,
 * the same engine call), stores it, and reports nothing.
 *
 *   node bin/run-ts.mjs bench/warm-visit-cache.ts --dataset ../shared/faces/dev --half report --enroll 1
 */
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createRootLogger } from '../lib/logger.js';
import { openLocalFaceIndex } from '../cloud/src/adapters/local/face-index/index.js';
import { DEFAULT_RECIPE_ID } from '../cloud/src/adapters/local/face-engine/recipes.js';
import { analysisCodec } from './lib/analysis-codec.js';
import { openSetSplit } from './lib/dataset.js';
import { DiskCache } from './lib/disk-cache.js';
import { gateCacheNamespace, openDoorPipeline } from './lib/door-pipeline.js';
import type { GateOutcome } from './lib/run-visits.js';
import { renderVisit } from './lib/visit-render.js';

const opts = new Command('warm-visit-cache')
  .requiredOption('--dataset <dir>')
  .requiredOption('--half <half>', 'tune or report', (v) => z.enum(['tune', 'report']).parse(v))
  .option(
    '--enroll <n>',
    'as bench:accuracy --enroll (which photos are probes)',
    (v) => z.coerce.number().int().min(1).parse(v),
    1,
  )
  .option('--frames <n>', 'as bench:accuracy --visits', (v) => z.coerce.number().int().min(1).parse(v), 6)
  .option('--recipe <id>', 'embedding recipe', DEFAULT_RECIPE_ID)
  .option('--cache <dir>', 'bench:accuracy cache', '.cache/bench-accuracy')
  .parse()
  .opts<{ dataset: string; half: 'tune' | 'report'; enroll: number; frames: number; recipe: string; cache: string }>();

async function main(): Promise<number> {
  const split = openSetSplit(path.resolve(opts.dataset), opts.enroll, { half: opts.half });
  const files = [...split.enrolled.flatMap((p) => p.probes), ...split.strangers.map((s) => s.photo)].reverse();
  const analyses = new DiskCache(
    path.join(opts.cache, `analyses-${opts.recipe}.jsonl`),
    `engine ${opts.recipe}`,
    analysisCodec,
  );
  const gateCache = new DiskCache<GateOutcome>(path.join(opts.cache, 'face-gate.jsonl'), gateCacheNamespace(), {
    encode: (v) => v,
    decode: (raw) => raw as GateOutcome,
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-warm-'));
  const logger = createRootLogger({
    name: 'warm-visit-cache',
    level: 'warn',
    pretty: false,
    destination: process.stderr,
  });
  const index = await openLocalFaceIndex({
    dbPath: path.join(tmp, 'faces.db'),
    dataKey: randomBytes(32),
    logger,
    workers: 1,
    recipeId: opts.recipe,
    threshold: 0.5, // nobody is enrolled: only the analyses matter
    analysisMemo: async (bytes, compute) => (await analyses.through(bytes, compute)).value,
  });
  const pipeline = await openDoorPipeline({ gateCache });
  try {
    let done = 0;
    for (const file of files) {
      const frames = await renderVisit(fs.readFileSync(file), {
        frames: opts.frames,
        seed: file.split(/[\\/]/).slice(-2).join('/'),
      });
      const gated: GateOutcome[] = [];
      for (const f of frames) gated.push((await pipeline.gate(f)).outcome);
      for (const i of pipeline.choose(gated)) await index.search(frames[i]!, { minSimilarity: 0, maxMatches: 1 });
      if (++done % 10 === 0)
        console.error(
          `${new Date().toISOString()} ${done}/${files.length} visits; engine ${JSON.stringify(analyses.stats)} gate ${JSON.stringify(gateCache.stats)}`,
        );
    }
    return 0;
  } finally {
    await pipeline.close();
    await index.close();
    analyses.close();
    gateCache.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
