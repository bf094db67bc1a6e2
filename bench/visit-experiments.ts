/**
 * Offline experiments on the calibration (tune) half at visit level, from what bench:accuracy
 * cached: the engine's embedding of every photo and of every frame the door sends, and the face
 * gate's verdict on every rendered frame. Nothing here runs the engine; run
 * `npm run bench:accuracy -- --dataset DIR --half tune --enroll 1 --visits 6` (and --enroll 3, and
 * --recipe R for another recipe) first. Refuses the report half: these experiments choose things.
 *
 *   node bin/run-ts.mjs bench/visit-experiments.ts --dataset ../shared/faces/dev [--enroll-recipe R] [--probe-recipe R]
 *
 * For each --enroll (1, 3), each way of keeping enrolment photos (mean template as shipped, or
 * separate templates scored by their best) and each fusion rule (score mean as shipped, max, first
 * frame, embedding mean), it prints, per visit with the early answers of the back end:
 * - FNIR / FPIR at the shipped default threshold (thresholdFor(recipe, people)), exact 95% intervals;
 * - the rule's own threshold for a per-visit FPIR of 0.1% from a Gaussian tail fitted to its
 *   per-comparison impostor scores (400 stranger visits × every enrolled person, as the shipped
 *   calibration), and FNIR there: the comparison at equal FPIR that 400 strangers alone cannot give.
 */
import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AgentConfigSchema } from '../agent/src/config.js';
import { DEFAULT_RECIPE_ID } from '../cloud/src/adapters/local/face-engine/recipes.js';
import type { EngineAnalysis } from '../cloud/src/adapters/local/face-engine/types.js';
import {
  CALIBRATIONS,
  multiTemplateOffset,
  perComparisonRate,
  thresholdFor,
} from '../cloud/src/adapters/local/face-index/thresholds.js';
import { analysisCodec } from './lib/analysis-codec.js';
import { calibrationRefusal } from './lib/calibration-split.js';
import { clopperPearson } from './lib/confidence.js';
import { openSetSplit } from './lib/dataset.js';
import { DiskCache } from './lib/disk-cache.js';
import { agentFrameChoice, gateCacheNamespace } from './lib/door-pipeline.js';
import { fitImpostorTail, tailQuantile } from './lib/impostor-tail.js';
import type { GateOutcome } from './lib/run-visits.js';
import { renderVisit } from './lib/visit-render.js';

const opts = new Command('visit-experiments')
  .requiredOption('--dataset <dir>')
  .option('--half <half>', 'only tune: experiments choose things', (v) => z.enum(['tune', 'report']).parse(v), 'tune')
  .option('--frames <n>', 'frames per visit', (v) => z.coerce.number().int().min(1).parse(v), 6)
  .option('--enroll-recipe <id>', 'embeddings of enrolment photos', DEFAULT_RECIPE_ID)
  .option('--probe-recipe <id>', 'embeddings of probe frames and photos', DEFAULT_RECIPE_ID)
  .option('--cache <dir>', 'bench:accuracy cache', '.cache/bench-accuracy')
  .option('--json <file>')
  .parse()
  .opts<{
    dataset: string;
    half: 'tune' | 'report';
    frames: number;
    enrollRecipe: string;
    probeRecipe: string;
    cache: string;
    json?: string;
  }>();

type Vec = Float32Array;
const dot = (a: Vec, b: Vec) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const unitMean = (vs: Vec[]): Vec => {
  const m = new Float32Array(vs[0]!.length);
  for (const v of vs) for (let i = 0; i < m.length; i++) m[i]! += v[i]!;
  const n = Math.sqrt(dot(m, m)) || 1;
  for (let i = 0; i < m.length; i++) m[i]! /= n;
  return m;
};

/** A visit as the back end sees it: the embedding of each frame sent (null: no face found), in order. */
interface ProbeVisit {
  file: string;
  mate: string | null;
  frames: (Vec | null)[];
  photo: Vec | null;
}

/** Per enrolled person: their templates; `score` gives one similarity per person for a probe vector. */
interface GalleryModel {
  people: string[];
  score(probe: Vec): Float64Array;
}

function galleryOf(enrolled: Map<string, Vec[]>, mode: 'mean' | 'separate', offset: number): GalleryModel {
  const people = [...enrolled.keys()];
  const templates = people.map((p) => (mode === 'mean' ? [unitMean(enrolled.get(p)!)] : enrolled.get(p)!));
  const several = people.map((p) => enrolled.get(p)!.length > 1);
  return {
    people,
    score: (probe) =>
      Float64Array.from(templates, (ts, i) => Math.max(...ts.map((t) => dot(t, probe))) - (several[i] ? offset : 0)),
  };
}

/** Fusion rules over the frames with a face found; each returns every person's fused score. */
type Fusion = (frames: Vec[], gallery: GalleryModel) => Float64Array;
const FUSIONS: Record<string, Fusion> = {
  'score-mean (shipped)': (frames, g) => {
    const s = frames.map((f) => g.score(f));
    return Float64Array.from(s[0]!, (_, i) => s.reduce((a, x) => a + x[i]!, 0) / s.length);
  },
  'score-max': (frames, g) => {
    const s = frames.map((f) => g.score(f));
    return Float64Array.from(s[0]!, (_, i) => Math.max(...s.map((x) => x[i]!)));
  },
  'first-frame': (frames, g) => g.score(frames[0]!),
  'embedding-mean': (frames, g) => g.score(unitMean(frames)),
};

/**
 * Per person, the visit's fused score with early answers: the back end decides after each frame
 * sent, so a person is matched at t if the fusion of some prefix of the frames reaches t.
 */
function visitScores(v: ProbeVisit, fuse: Fusion, g: GalleryModel): Float64Array | null {
  const withFace: Vec[] = [];
  let best: Float64Array | null = null;
  for (const f of v.frames) {
    if (!f) continue;
    withFace.push(f);
    const s = fuse(withFace, g);
    if (best) for (let i = 0; i < best.length; i++) best[i] = Math.max(best[i]!, s[i]!);
    else best = s;
  }
  return best;
}

function argmax(s: Float64Array): number {
  let b = 0;
  for (let i = 1; i < s.length; i++) if (s[i]! > s[b]!) b = i;
  return b;
}

const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`;
const ci = (k: number, n: number) => {
  const [lo, hi] = clopperPearson(k, n);
  return `[${(lo * 100).toFixed(1)}, ${(hi * 100).toFixed(1)}]`;
};

async function main(): Promise<number> {
  const refusal = calibrationRefusal(opts.half, true);
  if (refusal) {
    console.error(`experiments choose recipes and rules: ${refusal}`);
    return 2;
  }
  const dataset = path.resolve(opts.dataset);
  const codec = analysisCodec;
  const enrolCache = new DiskCache<EngineAnalysis>(
    path.join(opts.cache, `analyses-${opts.enrollRecipe}.jsonl`),
    `engine ${opts.enrollRecipe}`,
    codec,
  );
  const probeCache =
    opts.probeRecipe === opts.enrollRecipe
      ? enrolCache
      : new DiskCache<EngineAnalysis>(
          path.join(opts.cache, `analyses-${opts.probeRecipe}.jsonl`),
          `engine ${opts.probeRecipe}`,
          codec,
        );
  const gateCache = new DiskCache<GateOutcome>(path.join(opts.cache, 'face-gate.jsonl'), gateCacheNamespace(), {
    encode: (v) => v,
    decode: (r) => r as GateOutcome,
  });
  const visitSettings = AgentConfigSchema.shape.visit.parse(undefined);
  const choose = agentFrameChoice(
    visitSettings,
    Math.round(1000 / AgentConfigSchema.shape.frames.parse(undefined).maxFps),
  );
  const missing = { enrol: 0, gate: 0, frame: 0, photo: 0 };
  const embeddingOf = (cache: DiskCache<EngineAnalysis>, bytes: Buffer) => cache.get(bytes);

  const visitMemo = new Map<string, { frames: (Vec | null)[]; photo: Vec | null; complete: boolean }>();
  async function visitOf(file: string) {
    const known = visitMemo.get(file);
    if (known) return known;
    const photo = fs.readFileSync(file);
    const frames = await renderVisit(photo, { frames: opts.frames, seed: file.split(/[\\/]/).slice(-2).join('/') });
    const gated = frames.map((f) => gateCache.get(f));
    const gateMissing = gated.some((g) => g === undefined);
    if (gateMissing) missing.gate++;
    const sent = choose(gated.map((g) => g ?? { ok: false }));
    const vectors = sent.map((i) => {
      const a = embeddingOf(probeCache, frames[i]!);
      if (!a) missing.frame++;
      return a?.embedding ?? null;
    });
    const photoAnalysis = embeddingOf(probeCache, photo);
    if (!photoAnalysis) missing.photo++;
    // A visit not fully cached is left out (and counted) rather than scored on guesses.
    const complete = !gateMissing && sent.every((i) => probeCache.peek(frames[i]!) !== undefined) && !!photoAnalysis;
    const v = { frames: vectors, photo: photoAnalysis?.embedding ?? null, complete };
    visitMemo.set(file, v);
    return v;
  }

  const results: Record<string, unknown>[] = [];
  for (const enroll of [1, 3]) {
    const split = openSetSplit(dataset, enroll, { half: opts.half });
    const enrolled = new Map<string, Vec[]>();
    for (const p of split.enrolled) {
      const vs = p.enroll
        .map((f) => embeddingOf(enrolCache, fs.readFileSync(f)))
        .flatMap((a) => {
          if (!a) missing.enrol++;
          return a?.embedding ? [a.embedding] : [];
        });
      if (vs.length > 0) enrolled.set(p.name, vs);
    }
    const probes: ProbeVisit[] = [];
    let done = 0;
    const all = [
      ...split.enrolled.flatMap((p) => p.probes.map((file) => ({ file, mate: enrolled.has(p.name) ? p.name : null }))),
      ...split.strangers.map((s) => ({ file: s.photo, mate: null })),
    ];
    let incomplete = 0;
    for (const { file, mate } of all) {
      const v = await visitOf(file);
      if (v.complete) probes.push({ file, mate, frames: v.frames, photo: v.photo });
      else incomplete++;
      if (++done % 200 === 0) console.error(`enroll ${enroll}: ${done}/${all.length} visits read`);
    }
    const people = enrolled.size;
    const shipped = thresholdFor(opts.enrollRecipe in CALIBRATIONS ? opts.enrollRecipe : DEFAULT_RECIPE_ID, people);
    const target = CALIBRATIONS[DEFAULT_RECIPE_ID]!.targetFpir;
    const calibratedOffset = multiTemplateOffset(DEFAULT_RECIPE_ID);
    const galleries: [string, GalleryModel][] =
      enroll === 1
        ? [['one photo', galleryOf(enrolled, 'mean', 0)]]
        : [
            [`mean template, offset ${calibratedOffset} (shipped)`, galleryOf(enrolled, 'mean', calibratedOffset)],
            [
              `separate templates (best), offset ${calibratedOffset}`,
              galleryOf(enrolled, 'separate', calibratedOffset),
            ],
          ];
    console.log(
      `\n--enroll ${enroll}, half ${opts.half}: ${people} people, ${probes.filter((p) => p.mate).length} mated visits, ${probes.filter((p) => !p.mate).length} stranger visits (${incomplete} left out: not in the cache); enrol ${opts.enrollRecipe}, probe ${opts.probeRecipe}; shipped threshold ${shipped}`,
    );
    for (const [gName, g] of galleries) {
      type Rule = [string, (v: ProbeVisit) => Float64Array | null];
      const rules: Rule[] = [
        ['per image (the photo)', (v) => (v.photo ? g.score(v.photo) : null)],
        ...Object.entries(FUSIONS).map(([name, fuse]): Rule => [name, (v) => visitScores(v, fuse, g)]),
      ];
      for (const [rName, rule] of rules) {
        const mated: { score: number; correct: boolean }[] = [];
        const strangers: number[] = [];
        const impostor: number[] = [];
        for (const v of probes) {
          const s = rule(v);
          if (!s) {
            if (v.mate) mated.push({ score: -Infinity, correct: false });
            else strangers.push(-Infinity);
            continue;
          }
          const top = argmax(s);
          if (v.mate) mated.push({ score: s[top]!, correct: g.people[top] === v.mate });
          else {
            strangers.push(s[top]!);
            for (const x of s) impostor.push(x);
          }
        }
        const comparisons = strangers.length * people;
        const tail = fitImpostorTail(impostor, comparisons);
        const own = tailQuantile(tail, perComparisonRate(people, target));
        const missesAt = (t: number) => mated.filter((m) => !(m.correct && m.score >= t)).length;
        const fpAt = (t: number) => strangers.filter((s) => s >= t).length;
        const row = {
          enroll,
          gallery: gName,
          rule: rName,
          people,
          mated: mated.length,
          strangers: strangers.length,
          shippedThreshold: shipped,
          atShipped: { misses: missesAt(shipped), falseMatches: fpAt(shipped) },
          ownThreshold: Math.round(own * 10_000) / 10_000,
          impostorTail: { mean: Math.round(tail.mean * 1e5) / 1e5, sd: Math.round(tail.sd * 1e6) / 1e6 },
          atOwn: { misses: missesAt(own), falseMatches: fpAt(own) },
        };
        results.push(row);
        console.log(
          `  ${gName.padEnd(40)} ${rName.padEnd(22)} at shipped ${shipped}: FNIR ${pct(row.atShipped.misses, mated.length)} ${ci(row.atShipped.misses, mated.length)} FPIR ${row.atShipped.falseMatches}/${strangers.length} | own threshold for FPIR ${target * 100}% ${row.ownThreshold} (tail μ ${row.impostorTail.mean} σ ${row.impostorTail.sd}): FNIR ${pct(row.atOwn.misses, mated.length)} ${ci(row.atOwn.misses, mated.length)} FPIR ${row.atOwn.falseMatches}/${strangers.length}`,
        );
      }
    }
  }
  console.log(`\nmissing from the cache: ${JSON.stringify(missing)} (non-zero: run bench:accuracy on this half first)`);
  if (opts.json)
    fs.writeFileSync(
      opts.json,
      JSON.stringify(
        { half: opts.half, enrollRecipe: opts.enrollRecipe, probeRecipe: opts.probeRecipe, missing, results },
        null,
        2,
      ) + '\n',
    );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
