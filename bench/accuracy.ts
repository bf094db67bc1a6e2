/**
 * bench:accuracy — open-set identification accuracy and speed of the local face index on a
 * photo folder (see ../shared/faces/README.md for the protocol). Uses the same FaceIndex the
 * door's back end uses, on a temporary encrypted database.
 *
 *   npm run bench:accuracy -- --dataset ../shared/faces/dev [--enroll 1] [--json out.json] [--plot det.svg]
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
import { openSetSplit } from './lib/dataset.js';
import { detCurve, fnirAt, fnirAtFpir, fpirAt, percentile, rank1 } from './lib/metrics.js';
import { detSvg } from './lib/det-plot.js';
import { measureLatency, runOpenSet } from './lib/run-open-set.js';

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
}>();

const logger = createRootLogger({
  name: 'bench-accuracy',
  level: process.env.FACEGATE_LOG_LEVEL ?? 'warn',
  pretty: false,
  destination: process.stderr,
});

async function main(): Promise<number> {
  const dataset = path.resolve(opts.dataset);
  if (!fs.existsSync(dataset)) {
    console.error(`dataset not found: ${dataset}`);
    return 2;
  }
  const split = openSetSplit(dataset, opts.enroll, opts.sample);
  const enrollImages = split.enrolled.reduce((n, p) => n + p.enroll.length, 0);
  const probeImages = split.enrolled.reduce((n, p) => n + p.probes.length, 0) + split.strangers.length;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-bench-'));
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  const index = await openLocalFaceIndex({
    dbPath: path.join(tmp, 'faces.db'),
    dataKey: randomBytes(32),
    logger,
    workers: opts.workers,
    recipeId: opts.recipe,
    threshold: opts.threshold,
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
    const outcome = await runOpenSet(index, split, opts.workers, () => bar.increment());
    bar.stop();
    const elapsedS = (performance.now() - started) / 1000;

    const latencyFiles = split.strangers.slice(0, opts.latencyImages).map((s) => s.photo);
    bar.start(latencyFiles.length, 0, { phase: 'latency ' });
    const latency = await measureLatency(index, latencyFiles, () => bar.increment());
    bar.stop();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    const { mated, nonMated } = outcome;
    const t = index.threshold;
    const at1 = fnirAtFpir(mated, nonMated, 0.01);
    const at01 = fnirAtFpir(mated, nonMated, 0.001);
    const round = (v: number, d = 4) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);
    const ms = latency.wallMs.length > 0 ? latency.wallMs : outcome.callMs;
    const figures = {
      dataset,
      recipe: opts.recipe,
      enroll: opts.enroll,
      enrolledPeople: outcome.enrolledPeople,
      failuresToEnrol: outcome.failuresToEnrol,
      matedProbes: mated.length,
      nonMatedProbes: nonMated.length,
      rank1: round(rank1(mated)),
      fnirAtFpir: { '0.01': round(at1.fnir), '0.001': round(at01.fnir) },
      thresholdAtFpir: { '0.01': round(at1.threshold), '0.001': round(at01.threshold) },
      defaultThreshold: t,
      atDefaultThreshold: { fnir: round(fnirAt(mated, t)), fpir: round(fpirAt(nonMated, t)) },
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
      /** Of this bench process with `throughput.workers` engine workers; the back end's own RSS is measured by bench:door. */
      peakRssMb: Math.round(peakRss / 1e6),
      decodeErrors: outcome.errors.filter((e) => e.code === 'bad_image').length,
      otherErrors: outcome.errors.filter((e) => e.code !== 'bad_image' && e.code !== 'photo_rejected').length,
      machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]!, 2), node: process.version },
      date: new Date().toISOString(),
    };

    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    console.log(`\nOpen-set accuracy on ${dataset} (recipe ${opts.recipe}, --enroll ${opts.enroll})`);
    console.log(
      `enrolled people ${figures.enrolledPeople}, failures to enrol ${figures.failuresToEnrol}, mated probes ${figures.matedProbes}, non-mated probes ${figures.nonMatedProbes}`,
    );
    console.log(`rank-1                 ${pct(figures.rank1)}`);
    console.log(`FNIR @ FPIR 1%         ${pct(at1.fnir)}   (threshold ${at1.threshold.toFixed(4)})`);
    console.log(`FNIR @ FPIR 0.1%       ${pct(at01.fnir)}   (threshold ${at01.threshold.toFixed(4)})`);
    console.log(
      `at default threshold ${t}: FNIR ${pct(figures.atDefaultThreshold.fnir)} / FPIR ${pct(figures.atDefaultThreshold.fpir)}`,
    );
    console.log(
      `ms/image (single image) median ${figures.msPerImage.median}, p95 ${figures.msPerImage.p95}  [${figures.msPerImage.method}, load avg ${figures.machine.loadAverage1m}]`,
    );
    console.log(
      `CPU ms/image (what an idle core would take) median ${figures.msPerImage.cpuMedian}, p95 ${figures.msPerImage.cpuP95}`,
    );
    console.log(
      `throughput ${figures.throughput.imagesPerSecond} images/s with ${opts.workers} workers; peak RSS of this process ${figures.peakRssMb} MB (the back end's own: npm run bench:door)`,
    );

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
              label: `${opts.recipe} (rank-1 ${pct(figures.rank1)})`,
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
