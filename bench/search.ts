/**
 * bench:search — how the local face index's search scales with the number of enrolled people.
 * Synthetic unit templates (random directions of the engine's 512 dimensions; the scan does not
 * care what faces they are) go through the real gallery code the back end searches with, one
 * search at a time, exactly as FaceIndex.search calls it (threshold filter, top 5).
 *
 *   npm run bench:search -- --people 100000 [--searches 300] [--photos-per-person 1] [--json out.json]
 */
import { Command, InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Gallery } from '../cloud/src/adapters/local/face-index/gallery.js';
import { multiTemplateOffset } from '../cloud/src/adapters/local/face-index/thresholds.js';
import { DEFAULT_RECIPE_ID } from '../cloud/src/adapters/local/face-engine/recipes.js';
import { percentile } from './lib/metrics.js';
import { seededRandom } from './lib/visit-render.js';

const int = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
  return n;
};

const opts = new Command('bench:search')
  .option('--people <n>', 'enrolled people', int(1), 100_000)
  .option('--photos-per-person <n>', 'templates per person (averaged into one per person)', int(1), 1)
  .option('--dim <n>', 'embedding dimensions (the shipped engine: 512)', int(2), 512)
  .option('--searches <n>', 'searches timed, one at a time', int(10), 300)
  .option('--json <file>', 'write the figures as JSON')
  .parse()
  .opts<{ people: number; photosPerPerson: number; dim: number; searches: number; json?: string }>();

/** A random unit vector (Gaussian directions are uniform on the sphere). */
function unitVector(dim: number, rnd: () => number): Float32Array {
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i += 2) {
    const r = Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12)));
    const th = 2 * Math.PI * rnd();
    v[i] = r * Math.cos(th);
    if (i + 1 < dim) v[i + 1] = r * Math.sin(th);
  }
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dim; i++) v[i]! /= norm;
  return v;
}

const heapMb = () => process.memoryUsage().heapUsed / 1e6;
const rssMb = () => process.memoryUsage().rss / 1e6;
const externalMb = () => (process.memoryUsage().external + process.memoryUsage().arrayBuffers) / 1e6;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function main(): number {
  const rnd = seededRandom(`bench-search-${opts.people}-${opts.dim}`);
  gc();
  const before = { heap: heapMb(), external: externalMb(), rss: rssMb() };
  const gallery = new Gallery(multiTemplateOffset(DEFAULT_RECIPE_ID));
  const faces = [];
  for (let p = 0; p < opts.people; p++)
    for (let k = 0; k < opts.photosPerPerson; k++)
      faces.push({
        faceId: `face-${p}-${k}`,
        personId: `person-${p}`,
        model: 'synthetic',
        vector: unitVector(opts.dim, rnd),
      });
  gallery.replaceAll(faces);
  faces.length = 0;

  // The first search builds the per-person templates (as the first search after a load does).
  const probes = Array.from({ length: opts.searches }, () => unitVector(opts.dim, rnd));
  let t0 = performance.now();
  gallery.search(probes[0]!, { minSimilarity: 0, maxMatches: 5 });
  const buildMs = performance.now() - t0;
  gc();
  const after = { heap: heapMb(), external: externalMb(), rss: rssMb() };

  // Warm-up, then each search timed alone, as FaceIndex.search calls it (default top 5, threshold filter).
  for (let i = 0; i < Math.min(20, probes.length); i++)
    gallery.search(probes[i]!, { minSimilarity: 0.5, maxMatches: 5 });
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let sink = 0;
  for (const probe of probes) {
    const cpu = process.cpuUsage();
    t0 = performance.now();
    const matches = gallery.search(probe, { minSimilarity: 0, maxMatches: 5 });
    ms.push(performance.now() - t0);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
    sink += matches.length;
  }
  if (sink !== probes.length * Math.min(5, opts.people))
    throw new Error('a search returned fewer matches than asked for');

  const per10k = (mb: number) => Math.round((mb / opts.people) * 10_000 * 100) / 100;
  const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
  const figures = {
    people: opts.people,
    photosPerPerson: opts.photosPerPerson,
    dim: opts.dim,
    searches: ms.length,
    msPerSearch: {
      p50: round(percentile(ms, 50), 3),
      p95: round(percentile(ms, 95), 3),
      max: round(Math.max(...ms), 3),
    },
    /** Process CPU time per search: what it costs on an idle core when the machine is shared. */
    cpuMsPerSearch: { p50: round(percentile(cpuMs, 50), 3), p95: round(percentile(cpuMs, 95), 3) },
    firstSearchBuildMs: round(buildMs, 1),
    memoryPer10kPeopleMb: {
      jsHeap: per10k(after.heap - before.heap),
      typedArrays: per10k(after.external - before.external),
      rss: per10k(after.rss - before.rss),
      method: (globalThis as { gc?: unknown }).gc
        ? 'after a forced GC, minus the same before the gallery was built'
        : 'without --expose-gc: includes garbage not yet collected',
    },
    machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]!), node: process.version },
    date: new Date().toISOString(),
  };
  console.log(
    `Gallery search over ${opts.people} people (${opts.photosPerPerson} photo(s) each, ${opts.dim}-d), ${ms.length} searches one at a time`,
  );
  console.log(
    `ms per search: p50 ${figures.msPerSearch.p50}, p95 ${figures.msPerSearch.p95} (load avg ${figures.machine.loadAverage1m})`,
  );
  console.log(`CPU ms per search (an idle core): p50 ${figures.cpuMsPerSearch.p50}, p95 ${figures.cpuMsPerSearch.p95}`);
  console.log(`first search (builds the per-person templates): ${figures.firstSearchBuildMs} ms`);
  const m = figures.memoryPer10kPeopleMb;
  console.log(
    `memory per 10,000 people: JS heap ${m.jsHeap} MB + typed arrays ${m.typedArrays} MB (RSS ${m.rss} MB) [${m.method}]`,
  );
  if (opts.json) {
    fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
    fs.writeFileSync(opts.json, JSON.stringify(figures, null, 2) + '\n');
  }
  return 0;
}

process.exit(main());
