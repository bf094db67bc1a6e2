/**
 * Where rekognition-local's Similarity thresholds let strangers in, measured through the real
 * JavaScript SDK against a real rekognition-local (engine, collections, HTTP, JSON protocol):
 *
 *   npm run bench:rekognition-local -- --dataset ../shared/faces/dev [--half report] [--mated] [--sample N]
 *
 * One collection holds the first photo of every enrolled person of the half (IndexFaces,
 * ExternalImageId = the person, QualityFilter NONE); every stranger of the half is searched
 * (SearchFacesByImage, FaceMatchThreshold 0) and counts as let in at T when any face comes back at
 * Similarity >= T. --mated also searches every other photo of the enrolled people (FNIR: the person
 * not among the matches at >= T). The scale was placed on the tune half's fit (similarity-scale.ts),
 * so figures are reported on --half report. Prints them and writes bench-results/rekognition-local.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import {
  CreateCollectionCommand,
  IndexFacesCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
} from '@aws-sdk/client-rekognition';
import { createRootLogger } from '../lib/logger.js';
import { startRekognitionLocal } from '../cloud/src/adapters/local/rekognition-local/index.js';
import {
  REFERENCE_COLLECTION_FACES,
  SIMILARITY_ANCHORS,
  scoreAtStrangerRate,
  similarityScale,
} from '../cloud/src/adapters/local/rekognition-local/similarity-scale.js';
import { CALIBRATIONS, perComparisonRate } from '../cloud/src/adapters/local/face-index/thresholds.js';
import { DEFAULT_RECIPE_ID } from '../cloud/src/adapters/local/face-engine/recipes.js';
import { openSetSplit } from './lib/dataset.js';
import { rateWithCi } from './lib/confidence.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const program = new Command('bench-rekognition-local')
  .requiredOption('--dataset <dir>', 'folder of <Person>/<n>.jpg photos')
  .option('--half <half>', 'tune | report (the scale was placed on tune)', 'report')
  .option('--mated', 'also search the enrolled people’s other photos (FNIR)')
  .option('--sample <n>', 'only the first N people (quick runs)', (v) => Number(v))
  .option('--json <file>', 'where to write the figures', path.join(ROOT, 'bench-results', 'rekognition-local.json'))
  .parse();
const opts = program.opts<{
  dataset: string;
  half: 'tune' | 'report';
  mated?: boolean;
  sample?: number;
  json: string;
}>();

const THRESHOLDS = [50, 80, 90, 95, 99];
const logger = createRootLogger({
  name: 'bench',
  level: process.env.FACEGATE_LOG_LEVEL ?? 'warn',
  destination: process.stderr,
});

const split = openSetSplit(opts.dataset, 1, { half: opts.half, ...(opts.sample ? { sample: opts.sample } : {}) });
const server = await startRekognitionLocal({ port: 0, dataKey: randomBytes(32), logger });
const client = new RekognitionClient({
  endpoint: server.url,
  region: 'local',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  maxAttempts: 1,
});
const CollectionId = 'bench';
const started = Date.now();
let calls = 0;
const progress = (what: string, i: number, n: number) => {
  if (i % 50 === 0 || i === n)
    process.stderr.write(`${what} ${i}/${n} (${Math.round((Date.now() - started) / 1000)} s)\n`);
};

/** Best Similarity of each person among the matches, or null when no face was found. */
async function search(file: string): Promise<Map<string, number> | null> {
  calls++;
  try {
    const res = await client.send(
      new SearchFacesByImageCommand({
        CollectionId,
        Image: { Bytes: fs.readFileSync(file) },
        FaceMatchThreshold: 0,
        MaxFaces: 10,
        QualityFilter: 'NONE',
      }),
    );
    const best = new Map<string, number>();
    for (const m of res.FaceMatches ?? []) {
      const id = m.Face?.ExternalImageId ?? '';
      best.set(id, Math.max(best.get(id) ?? 0, m.Similarity ?? 0));
    }
    return best;
  } catch (err) {
    if ((err as Error).name === 'InvalidParameterException') return null;
    throw err;
  }
}

try {
  await client.send(new CreateCollectionCommand({ CollectionId }));
  let indexed = 0;
  let failedToEnrol = 0;
  for (const [i, person] of split.enrolled.entries()) {
    calls++;
    const res = await client.send(
      new IndexFacesCommand({
        CollectionId,
        Image: { Bytes: fs.readFileSync(person.enroll[0]!) },
        ExternalImageId: person.name,
        MaxFaces: 1,
        QualityFilter: 'NONE',
      }),
    );
    if (res.FaceRecords?.length) indexed++;
    else failedToEnrol++;
    progress('indexed', i + 1, split.enrolled.length);
  }

  const strangerBest: number[] = [];
  let strangersWithoutFace = 0;
  for (const [i, stranger] of split.strangers.entries()) {
    const best = await search(stranger.photo);
    if (best === null) strangersWithoutFace++;
    strangerBest.push(best === null ? -1 : Math.max(-1, ...best.values()));
    progress('strangers', i + 1, split.strangers.length);
  }

  const matedSimilarity: number[] = [];
  if (opts.mated) {
    const probes = split.enrolled.flatMap((p) => p.probes.map((file) => ({ person: p.name, file })));
    for (const [i, probe] of probes.entries()) {
      const best = await search(probe.file);
      matedSimilarity.push(best?.get(probe.person) ?? -1);
      progress('mated probes', i + 1, probes.length);
    }
  }

  const { impostorTail } = CALIBRATIONS[DEFAULT_RECIPE_ID]!;
  const scale = similarityScale();
  const at = THRESHOLDS.map((t) => {
    const score = scale.fromSimilarity(t);
    // What the tune-half tail expects for this collection's size (the scale's own model).
    const p = Math.max(0, 1 - normalCdf((score - impostorTail.mean) / impostorTail.sd));
    const expected = 1 - (1 - p) ** indexed;
    return {
      faceMatchThreshold: t,
      score: Math.round(score * 1e4) / 1e4,
      strangersLetIn: rateWithCi(strangerBest.filter((s) => s >= t).length, strangerBest.length),
      modelStrangerRate: Math.round(expected * 1e5) / 1e5,
      ...(opts.mated ? { fnir: rateWithCi(matedSimilarity.filter((s) => s < t).length, matedSimilarity.length) } : {}),
    };
  });
  const figures = {
    date: new Date().toISOString(),
    command: `npm run bench:rekognition-local -- ${process.argv.slice(2).join(' ')}`,
    half: opts.half,
    collectionFaces: indexed,
    failedToEnrol,
    strangers: strangerBest.length,
    strangersWithoutFace,
    matedProbes: matedSimilarity.length,
    scale: {
      referenceCollectionFaces: REFERENCE_COLLECTION_FACES,
      anchors: SIMILARITY_ANCHORS.map((a) => ({
        ...a,
        score: Math.round(scoreAtStrangerRate(a.strangerRate, REFERENCE_COLLECTION_FACES) * 1e4) / 1e4,
        perComparison: perComparisonRate(REFERENCE_COLLECTION_FACES, a.strangerRate),
      })),
      knots: scale.knots,
    },
    topStrangerSimilarities: [...strangerBest].sort((a, b) => b - a).slice(0, 5),
    thresholds: at,
    seconds: Math.round((Date.now() - started) / 1000),
    calls,
  };
  console.log(
    `rekognition-local, half ${opts.half}: ${indexed} faces in the collection, ${strangerBest.length} strangers`,
  );
  for (const row of at) {
    const s = row.strangersLetIn;
    console.log(
      `  FaceMatchThreshold ${row.faceMatchThreshold} (score ${row.score}): strangers let in ${s.count}/${s.of} = ` +
        `${(s.rate * 100).toFixed(2)} % [${(s.ci95[0] * 100).toFixed(2)}, ${(s.ci95[1] * 100).toFixed(2)}] ` +
        `(model ${(row.modelStrangerRate * 100).toFixed(3)} %)` +
        (row.fnir ? `; FNIR ${(row.fnir.rate * 100).toFixed(1)} % of ${row.fnir.of}` : ''),
    );
  }
  fs.mkdirSync(path.dirname(opts.json), { recursive: true });
  fs.writeFileSync(opts.json, JSON.stringify(figures, null, 2) + '\n');
} finally {
  client.destroy();
  await server.close();
}

/** Standard normal CDF (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const tail = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - tail : tail;
}
