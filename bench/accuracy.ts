/**
 * bench:accuracy — open-set identification accuracy and speed of the local face index on a
 * photo folder (see ../shared/faces/README.md for the protocol). Uses the same FaceIndex the
 * door's back end uses, on a temporary encrypted database.
 *
 *   npm run bench:accuracy -- --dataset ../shared/faces/dev --half report [--enroll 1] [--visits 6] [--json out.json]
 *
 * --half report|tune runs one half of the calibration split (bench/lib/calibration-split.ts): the
 * shipped default threshold was fitted on the tune half of dev (--half tune --calibrate), so dev
 * figures that are not about the default's own photos come from --half report. Other photo sets
 * (never tuned on) are run whole. Every FNIR and FPIR carries its exact 95% interval.
 * --visits F turns each probe photo into a visit of F rendered camera frames through the door's
 * face gate, frame choice and fusion (bench/lib/run-visits.ts) and adds per-visit figures.
 */
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createRootLogger } from '../lib/logger.js';
import { openLocalFaceIndex } from '../cloud/src/adapters/local/face-index/index.js';
import { DEFAULT_RECIPE_ID } from '../cloud/src/adapters/local/face-engine/recipes.js';
import { thresholdFor } from '../cloud/src/adapters/local/face-index/thresholds.js';
import { openSetSplit } from './lib/dataset.js';
import { calibrationRefusal } from './lib/calibration-split.js';
import {
  detCurve,
  falseMatchesAt,
  fnirAt,
  fnirAtFpir,
  fpirAt,
  missesAt,
  percentile,
  rank1,
  type MatedOutcome,
} from './lib/metrics.js';
import { detSvg } from './lib/det-plot.js';
import { measureLatency, runOpenSet } from './lib/run-open-set.js';
import { clopperPearson, type Interval } from './lib/confidence.js';
import { fitImpostorTail, tailQuantile, type ImpostorTail } from './lib/impostor-tail.js';
import { gateCacheNamespace, openDoorPipeline } from './lib/door-pipeline.js';
import { FUSION_RULES } from './lib/fusion-rules.js';
import { framesUntilAnswer, runVisits, visitScores, type GateOutcome } from './lib/run-visits.js';
import { DiskCache } from './lib/disk-cache.js';
import { analysisCodec } from './lib/analysis-codec.js';

const int = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
  return n;
};

const program = new Command('bench:accuracy')
  .requiredOption('--dataset <dir>', 'folder of <Person>/<n>.jpg photos')
  .option('--enroll <n>', 'photos enrolled per person', int(1), 1)
  .option('--json <file>', 'write the figures as JSON')
  .option('--plot <file.svg>', 'write the DET curve as SVG')
  .option('--workers <n>', 'engine worker threads for the accuracy pass', int(1), 2)
  .option('--latency-images <n>', 'probes timed one at a time for ms/image', int(0), 100)
  .option('--sample <n>', 'only the first N people (quick runs)', int(1))
  .option('--recipe <id>', 'embedding recipe (experiments)', DEFAULT_RECIPE_ID)
  .option('--threshold <t>', 'override the default threshold', (v) => z.coerce.number().min(0).max(1).parse(v))
  .option('--scores <file>', 'write raw scores (for offline analysis)')
  .option(
    '--half <half>',
    'calibration half: tune, report or all',
    (v) => z.enum(['tune', 'report', 'all']).parse(v),
    'all',
  )
  .option(
    '--probe-from <n>',
    'first photo number used as a probe (default enroll + 1): compare --enroll values on the same probes',
    int(2),
  )
  .option('--calibrate', 'fit the gallery-size threshold model on this run (only on --half tune)')
  .option('--visits <frames>', 'also run each probe as a visit of this many rendered camera frames', int(1))
  .option(
    '--cache <dir>',
    'keep engine analyses and face gate verdicts here, keyed by image bytes, so reruns skip them',
    '.cache/bench-accuracy',
  )
  .option('--no-cache', 'compute everything again (and store nothing)')
  .option('--fusion <rule>', `fusion rule of the visit pipeline (${Object.keys(FUSION_RULES).join(', ')})`, 'backend')
  .parse();

const opts = program.opts<{
  dataset: string;
  enroll: number;
  json?: string;
  plot?: string;
  workers: number;
  latencyImages: number;
  sample?: number;
  recipe: string;
  threshold?: number;
  scores?: string;
  half: 'tune' | 'report' | 'all';
  probeFrom?: number;
  calibrate?: boolean;
  visits?: number;
  cache: string | false;
  fusion: string;
}>();

/** Rounded rate, its count and its exact 95% interval. */
const round = (v: number, d = 4) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);
const ci = (count: number, of: number): Interval => clopperPearson(count, of).map((v) => round(v, 5)) as Interval;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const pctCi = ([lo, hi]: Interval) => `[${(lo * 100).toFixed(2)}, ${(hi * 100).toFixed(2)}]%`;

/** Figures at one threshold, with counts and intervals. */
function atThreshold(mated: MatedOutcome[], nonMated: number[], t: number) {
  const misses = missesAt(mated, t);
  const falseMatches = falseMatchesAt(nonMated, t);
  return {
    fnir: round(fnirAt(mated, t)),
    fpir: round(fpirAt(nonMated, t)),
    fnirCi95: ci(misses, mated.length),
    fpirCi95: ci(falseMatches, nonMated.length),
    misses,
    falseMatches,
  };
}

function atFpirTargets(mated: MatedOutcome[], nonMated: number[]) {
  const at1 = fnirAtFpir(mated, nonMated, 0.01);
  const at01 = fnirAtFpir(mated, nonMated, 0.001);
  return {
    fnirAtFpir: { '0.01': round(at1.fnir), '0.001': round(at01.fnir) },
    /** The threshold is chosen on these same probes, so these intervals are approximate (FNIR's binomial part only). */
    fnirAtFpirCi95: {
      '0.01': ci(missesAt(mated, at1.threshold), mated.length),
      '0.001': ci(missesAt(mated, at01.threshold), mated.length),
    },
    thresholdAtFpir: { '0.01': round(at1.threshold), '0.001': round(at01.threshold) },
  };
}

const logger = createRootLogger({
  name: 'bench-accuracy',
  level: process.env.FACEGATE_LOG_LEVEL ?? 'warn',
  pretty: false,
  destination: process.stderr,
});

type VisitRecords = Awaited<ReturnType<typeof runVisits>>['records'];

/** Per-visit figures at the default threshold and at FPIR targets, for the pipeline's fusion and every rule. */
function visitFigures(
  records: VisitRecords,
  describe: Record<string, string>,
  t: number,
  frames: number,
  fusion: string,
): Record<string, unknown> {
  const byRule = (rule: string) => {
    const { mated, nonMated } = visitScores(records, FUSION_RULES[rule]!);
    return { mated, nonMated, at: atThreshold(mated, nonMated, t), targets: atFpirTargets(mated, nonMated) };
  };
  const shipped = byRule(fusion);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  // Frames the door sends until the back end answers at the default threshold (one search each, as on AWS).
  const sent = records.map((r) => framesUntilAnswer(r.searches, FUSION_RULES[fusion]!, t));
  const ms = records.flatMap((r, i) => (sent[i]! > 0 ? [r.msAfter[sent[i]! - 1]!] : []));
  return {
    frames,
    pipeline: describe,
    matedVisits: shipped.mated.length,
    nonMatedVisits: shipped.nonMated.length,
    fnir: shipped.at.fnir,
    fpir: shipped.at.fpir,
    fnirCi95: shipped.at.fnirCi95,
    fpirCi95: shipped.at.fpirCi95,
    misses: shipped.at.misses,
    falseMatches: shipped.at.falseMatches,
    fnirAtFpir: shipped.targets.fnirAtFpir,
    fnirAtFpirCi95: shipped.targets.fnirAtFpirCi95,
    thresholdAtFpir: shipped.targets.thresholdAtFpir,
    framesPassedPerVisit: round(mean(records.map((r) => r.framesPassed)), 3),
    framesSentPerVisit: round(mean(sent), 3),
    searchesPerVisit: round(mean(sent), 3),
    framesSentPerVisitWithoutEarlyAnswer: round(mean(records.map((r) => r.searches.length)), 3),
    visitsWithNoFrameSent: records.filter((r) => r.searches.length === 0).length,
    msToDecision: {
      median: round(percentile(ms, 50), 1),
      p95: round(percentile(ms, 95), 1),
      method:
        'gate time of every frame up to the deciding frame + the searches of the frames sent until the answer, frames back to back (no camera interval, no follow-up wait, no network); cached analyses count the time they took when computed',
    },
    /** The same visits and searches decided by each fusion rule (the experiment of docs/accuracy.md). */
    fusionRules: Object.fromEntries(
      Object.keys(FUSION_RULES).map((rule) => {
        const r = byRule(rule);
        return [rule, { ...r.at, ...r.targets }];
      }),
    ),
  };
}

function printVisits(v: Record<string, unknown>): void {
  const f = v as {
    frames: number;
    pipeline: Record<string, string>;
    matedVisits: number;
    nonMatedVisits: number;
    fnir: number;
    fpir: number;
    fnirCi95: Interval;
    fpirCi95: Interval;
    misses: number;
    falseMatches: number;
    fnirAtFpir: Record<string, number>;
    framesSentPerVisit: number;
    searchesPerVisit: number;
    msToDecision: { median: number; p95: number };
    fusionRules: Record<string, { fnir: number; fpir: number; fnirAtFpir: Record<string, number> }>;
  };
  console.log(
    `\nPer visit (${f.frames} rendered frames each): ${f.matedVisits} mated visits, ${f.nonMatedVisits} stranger visits`,
  );
  console.log(`  pipeline: gate ${f.pipeline.gate}; choice ${f.pipeline.choice}; fusion ${f.pipeline.fusion}`);
  console.log(
    `  at the default: FNIR ${pct(f.fnir)} ${pctCi(f.fnirCi95)} (${f.misses}) / FPIR ${pct(f.fpir)} ${pctCi(f.fpirCi95)} (${f.falseMatches})`,
  );
  console.log(`  FNIR @ FPIR 1% ${pct(f.fnirAtFpir['0.01']!)}, @ 0.1% ${pct(f.fnirAtFpir['0.001']!)}`);
  console.log(
    `  frames sent per visit ${f.framesSentPerVisit}, searches per visit ${f.searchesPerVisit}, ms to decision median ${f.msToDecision.median} p95 ${f.msToDecision.p95}`,
  );
  for (const [rule, r] of Object.entries(f.fusionRules))
    console.log(
      `  fusion ${rule.padEnd(12)} FNIR ${pct(r.fnir)} / FPIR ${pct(r.fpir)} at the default; FNIR @ FPIR 1% ${pct(r.fnirAtFpir['0.01']!)}, @ 0.1% ${pct(r.fnirAtFpir['0.001']!)}`,
    );
}

/** The gallery-size threshold model fitted on this (tune) run, and how well it follows the data. */
function calibrationFigures(scores: number[], comparisons: number) {
  let tail: ImpostorTail;
  try {
    tail = fitImpostorTail(scores, comparisons);
  } catch (err) {
    // A --sample run has too few comparisons: say so instead of failing the run.
    return { impostorTail: null, fitChecks: [], note: (err as Error).message };
  }
  const sorted = [...scores].sort((a, b) => b - a);
  // Empirical quantiles against the model's, including rates below the fitted ones.
  const fitChecks = [1e-3, 1e-4, 3e-5, 1e-5]
    .filter((p) => Math.floor(p * comparisons) >= 1 && Math.floor(p * comparisons) < sorted.length)
    .map((p) => ({
      perComparison: p,
      empirical: round(sorted[Math.floor(p * comparisons)]!, 5),
      model: round(tailQuantile(tail, p), 5),
    }));
  return {
    impostorTail: { mean: round(tail.mean, 5), sd: round(tail.sd, 6), comparisons },
    fitChecks,
    note: `Gaussian tail fitted at per-comparison rates ${tail.fittedRates.join(', ')} (bench/lib/impostor-tail.ts)`,
  };
}

function printCalibration(c: ReturnType<typeof calibrationFigures>): void {
  console.log(`\nImpostor tail on this run: ${JSON.stringify(c.impostorTail)} (${c.note})`);
  for (const k of c.fitChecks)
    console.log(`  per-comparison rate ${k.perComparison}: empirical score ${k.empirical}, model ${k.model}`);
  console.log(
    `  (the shipped model gives, for 20 / 200 / 2,000 people: ${[20, 200, 2000].map((n) => thresholdFor(opts.recipe, n)).join(' / ')})`,
  );
}

async function main(): Promise<number> {
  const dataset = path.resolve(opts.dataset);
  if (!fs.existsSync(dataset)) {
    console.error(`dataset not found: ${dataset}`);
    return 2;
  }
  const refusal = calibrationRefusal(opts.half, opts.calibrate === true);
  if (refusal) {
    console.error(refusal);
    return 2;
  }
  if (opts.probeFrom !== undefined && opts.probeFrom <= opts.enroll) {
    console.error(`--probe-from ${opts.probeFrom} would probe with an enrolled photo (--enroll ${opts.enroll})`);
    return 2;
  }
  const split = openSetSplit(dataset, opts.enroll, {
    sample: opts.sample,
    half: opts.half === 'all' ? undefined : opts.half,
    probeFrom: opts.probeFrom !== undefined ? opts.probeFrom - 1 : undefined,
  });
  const enrollImages = split.enrolled.reduce((n, p) => n + p.enroll.length, 0);
  const probeImages = split.enrolled.reduce((n, p) => n + p.probes.length, 0) + split.strangers.length;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-'));
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  const analysisCache =
    opts.cache === false
      ? undefined
      : new DiskCache(path.join(opts.cache, `analyses-${opts.recipe}.jsonl`), `engine ${opts.recipe}`, analysisCodec);
  const gateCache =
    opts.cache === false
      ? undefined
      : new DiskCache<GateOutcome>(path.join(opts.cache, 'face-gate.jsonl'), gateCacheNamespace(), {
          encode: (v) => v,
          decode: (raw) => raw as GateOutcome,
        });
  if (analysisCache && gateCache)
    console.error(
      `cache ${path.resolve(opts.cache as string)}: ${analysisCache.stats.loaded} engine analyses, ${gateCache.stats.loaded} gate verdicts (--no-cache to recompute)`,
    );
  const index = await openLocalFaceIndex({
    dbPath: path.join(tmp, 'faces.db'),
    dataKey: randomBytes(32),
    logger,
    workers: opts.workers,
    recipeId: opts.recipe,
    threshold: opts.threshold,
    analysisMemo: analysisCache
      ? async (bytes, compute) => (await analysisCache.through(bytes, compute)).value
      : undefined,
  });
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {value}/{total} images | {eta_formatted} left',
      hideCursor: true,
      // Redirected to a file or CI log: still print a line every 10 s instead of nothing.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  try {
    const started = performance.now();
    bar.start(enrollImages + probeImages, 0, { phase: 'accuracy' });
    const outcome = await runOpenSet(index, split, opts.workers, () => bar.increment(), {
      impostorScores: opts.calibrate === true,
    });
    bar.stop();
    const elapsedS = (performance.now() - started) / 1000;

    let visits: Record<string, unknown> | undefined;
    if (opts.visits !== undefined) {
      const pipeline = await openDoorPipeline({ fusion: opts.fusion, gateCache });
      // A person who failed to enrol has non-mated probes, as in the per-image protocol.
      const enrolledNames = new Set(outcome.enrolledNames);
      const probes: { file: string; mate: string | null }[] = [
        ...split.enrolled.flatMap((p) =>
          p.probes.map((file) => ({ file, mate: enrolledNames.has(p.name) ? p.name : null })),
        ),
        ...split.strangers.map((s) => ({ file: s.photo, mate: null })),
      ];
      bar.start(probes.length, 0, { phase: `visits×${opts.visits}` });
      try {
        const run = await runVisits(
          index,
          probes,
          {
            frames: opts.visits,
            pipeline,
            concurrency: opts.workers,
            galleryPeople: outcome.enrolledPeople,
            cachedSearchMs: (jpeg) => analysisCache?.peek(jpeg)?.ms,
          },
          () => bar.increment(),
        );
        bar.stop();
        visits = visitFigures(run.records, pipeline.describe, index.threshold, opts.visits, opts.fusion);
        visits.errors = run.errors.length;
      } finally {
        await pipeline.close();
      }
    }

    const latencyFiles = split.strangers.slice(0, opts.latencyImages).map((s) => s.photo);
    bar.start(latencyFiles.length, 0, { phase: 'latency ' });
    // Timed calls go to the engine every time, cache or not.
    if (analysisCache) analysisCache.enabled = false;
    const latency = await measureLatency(index, latencyFiles, () => bar.increment());
    if (analysisCache) analysisCache.enabled = true;
    bar.stop();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    const { mated, nonMated } = outcome;
    // The index's threshold after enrollment: the calibrated one for this many people, or --threshold.
    const t = index.threshold;
    const at1 = fnirAtFpir(mated, nonMated, 0.01);
    const at01 = fnirAtFpir(mated, nonMated, 0.001);
    const ms = latency.wallMs.length > 0 ? latency.wallMs : outcome.callMs;
    const calibration = opts.calibrate
      ? calibrationFigures(outcome.impostorScores!, outcome.impostorComparisons!)
      : undefined;
    const figures = {
      dataset,
      recipe: opts.recipe,
      enroll: opts.enroll,
      half: opts.half,
      probeFrom: opts.probeFrom ?? opts.enroll + 1,
      enrolledPeople: outcome.enrolledPeople,
      failuresToEnrol: outcome.failuresToEnrol,
      matedProbes: mated.length,
      nonMatedProbes: nonMated.length,
      rank1: round(rank1(mated)),
      ...atFpirTargets(mated, nonMated),
      defaultThreshold: t,
      defaultThresholdSource:
        opts.threshold !== undefined
          ? '--threshold'
          : `thresholdFor(${opts.recipe}, ${outcome.enrolledPeople} people) in cloud/src/adapters/local/face-index/thresholds.ts`,
      atDefaultThreshold: atThreshold(mated, nonMated, t),
      msPerImage: {
        median: round(percentile(ms, 50), 1),
        p95: round(percentile(ms, 95), 1),
        images: ms.length,
        method: latency.wallMs.length > 0 ? 'wall clock, one image at a time' : 'wall clock under concurrent load',
        cpuMedian: round(percentile(latency.cpuMs, 50), 1),
        cpuP95: round(percentile(latency.cpuMs, 95), 1),
      },
      throughput: {
        workers: opts.workers,
        imagesPerSecond: round((enrollImages + probeImages) / elapsedS, 2),
        callMsMedian: round(percentile(outcome.callMs, 50), 1),
      },
      /** Of this bench process with `throughput.workers` engine workers; the back end's own RSS is measured by bench:door-load. */
      peakRssMb: Math.round(peakRss / 1e6),
      decodeErrors: outcome.errors.filter((e) => e.code === 'bad_image').length,
      otherErrors: outcome.errors.filter((e) => e.code !== 'bad_image' && e.code !== 'photo_rejected').length,
      ...(visits ? { visits } : {}),
      cache: analysisCache
        ? { dir: path.resolve(opts.cache as string), engine: analysisCache.stats, gate: gateCache!.stats }
        : null,
      ...(calibration ? { calibration } : {}),
      machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]!, 2), node: process.version },
      date: new Date().toISOString(),
    };

    const d = figures.atDefaultThreshold;
    console.log(
      `\nOpen-set accuracy on ${dataset} (recipe ${opts.recipe}, --enroll ${opts.enroll}, half ${opts.half})`,
    );
    console.log(
      `enrolled people ${figures.enrolledPeople}, failures to enrol ${figures.failuresToEnrol}, mated probes ${figures.matedProbes} (photos ${figures.probeFrom}+), non-mated probes ${figures.nonMatedProbes}`,
    );
    console.log(`rank-1                 ${pct(figures.rank1)}`);
    console.log(
      `FNIR @ FPIR 1%         ${pct(at1.fnir)} ${pctCi(figures.fnirAtFpirCi95['0.01'])}  (threshold ${at1.threshold.toFixed(4)})`,
    );
    console.log(
      `FNIR @ FPIR 0.1%       ${pct(at01.fnir)} ${pctCi(figures.fnirAtFpirCi95['0.001'])}  (threshold ${at01.threshold.toFixed(4)})`,
    );
    console.log(
      `at default threshold ${t}: FNIR ${pct(d.fnir)} ${pctCi(d.fnirCi95)} (${d.misses}/${mated.length}) / FPIR ${pct(d.fpir)} ${pctCi(d.fpirCi95)} (${d.falseMatches}/${nonMated.length})   [95% exact intervals]`,
    );
    if (opts.half === 'all')
      console.log(
        '(the default threshold was fitted on the tune half of dev: for dev figures on unseen photos use --half report)',
      );
    console.log(
      `ms/image (single image) median ${figures.msPerImage.median}, p95 ${figures.msPerImage.p95}  [${figures.msPerImage.method}, load avg ${figures.machine.loadAverage1m}]`,
    );
    console.log(
      `CPU ms/image (what an idle core would take) median ${figures.msPerImage.cpuMedian}, p95 ${figures.msPerImage.cpuP95}`,
    );
    console.log(
      `throughput ${figures.throughput.imagesPerSecond} images/s with ${opts.workers} workers; peak RSS of this process ${figures.peakRssMb} MB (the back end's own: npm run bench:door-load)`,
    );
    if (visits) printVisits(visits);
    if (calibration) printCalibration(calibration);

    if (opts.json) {
      fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
      fs.writeFileSync(opts.json, JSON.stringify(figures, null, 2) + '\n');
    }
    if (opts.scores)
      fs.writeFileSync(
        opts.scores,
        JSON.stringify({ mated, nonMated: nonMated.map((s) => (Number.isFinite(s) ? s : null)) }),
      );
    if (opts.plot) {
      const points = detCurve(mated, nonMated);
      fs.mkdirSync(path.dirname(path.resolve(opts.plot)), { recursive: true });
      fs.writeFileSync(
        opts.plot,
        detSvg(
          `DET, open set: ${path.basename(dataset)}, ${figures.enrolledPeople} enrolled, ${figures.nonMatedProbes} strangers`,
          [
            {
              label: `${opts.recipe} (rank-1 ${(figures.rank1 * 100).toFixed(1)}%)`,
              points,
              marker: {
                fpir: figures.atDefaultThreshold.fpir,
                fnir: figures.atDefaultThreshold.fnir,
                label: `default threshold ${t}`,
              },
            },
          ],
        ),
      );
    }
    return 0;
  } finally {
    bar.stop();
    clearInterval(rssTimer);
    await index.close();
    analysisCache?.close();
    gateCache?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    logger.error({ err }, 'bench:accuracy failed');
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
