/**
 * Local FaceIndex: the face engine (worker threads) + sealed embeddings in SQLite + an in-memory
 * gallery. Behaves like a Rekognition collection behind the same port.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../../../../lib/logger.js';
import { InvalidInputError, PhotoRejectedError } from '../../../errors.js';
import type {
  FaceIndex,
  FaceInspection,
  FaceSearchOptions,
  FaceSearchResult,
  DetectedFace,
} from '../../../ports/face-index.js';
import { FaceEngine } from '../face-engine/engine.js';
import { DEFAULT_RECIPE_ID } from '../face-engine/recipes.js';
import type { EngineAnalysis, EngineFace } from '../face-engine/types.js';
import { Gallery } from './gallery.js';
import { EmbeddingStore } from './store.js';
import { multiTemplateOffset, thresholdFor } from './thresholds.js';

export interface LocalFaceIndexOptions {
  /** SQLite file holding the embeddings (sealed). */
  dbPath: string;
  /** 32 bytes, from loadOrCreateDataKey(dataDir) in ../data-key.ts. */
  dataKey: Buffer;
  logger: Logger;
  /** Engine worker threads, default 1. */
  workers?: number;
  /** Override of the calibrated default threshold (0..1), fixed whatever the gallery size. */
  threshold?: number;
  /** Embedding recipe (benchmarks and experiments); default the shipped one. */
  recipeId?: string;
  /**
   * Benchmarks only: runs each engine analysis of search/index through a memo keyed by the bytes
   * (bench/lib/disk-cache.ts), so reruns on the same photos skip the engine. Default: none.
   */
  analysisMemo?: (bytes: Uint8Array, compute: () => Promise<EngineAnalysis>) => Promise<EngineAnalysis>;
  /**
   * The enrolment photo of a face, or null when there is none. Given, faces embedded by another
   * engine model (an installation enrolled before the engine changed) are re-embedded from their
   * photos when the index opens, so nobody has to be enrolled again; without it they are skipped.
   */
  photoOf?: (faceId: string) => Promise<Uint8Array | null>;
  /** Progress of that re-embedding: (done, total). */
  onReembedProgress?: (done: number, total: number) => void;
}

const optionsSchema = z.object({
  dbPath: z.string().min(1),
  dataKey: z.instanceof(Buffer).refine((k) => k.length === 32, 'dataKey must be 32 bytes'),
  workers: z.number().int().min(1).max(16).optional(),
  threshold: z.number().min(0).max(1).optional(),
  recipeId: z.string().min(1).optional(),
});
const personIdSchema = z.string().min(1).max(256);
const imageSchema = z.instanceof(Uint8Array, { message: 'image must be bytes' });
const searchOptionsSchema = z
  .object({
    minSimilarity: z.number().min(0).max(1).optional(),
    maxMatches: z.number().int().min(1).max(1000).optional(),
  })
  .optional();
const faceIdsSchema = z.array(z.string().min(1).max(256)).max(10_000);

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(`${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The port's DetectedFace (drops engine-only fields such as eyeDistance). */
function toDetected(face: EngineFace): DetectedFace {
  const { box, confidence, yaw, pitch, roll, sharpness } = face;
  return { box, confidence, yaw, pitch, roll, sharpness };
}

export async function openLocalFaceIndex(options: LocalFaceIndexOptions): Promise<FaceIndex> {
  const valid = parse(optionsSchema, options, 'face index options');
  const log = options.logger.child({ component: 'face-index' });
  const recipeId = valid.recipeId ?? DEFAULT_RECIPE_ID;
  // Fail at start, not at the first search, for a recipe with no calibration and no threshold given.
  if (valid.threshold === undefined) thresholdFor(recipeId, 1);
  const store = new EmbeddingStore(valid.dbPath, valid.dataKey);
  let engine: FaceEngine;
  try {
    engine = await FaceEngine.start({ logger: options.logger, workers: valid.workers ?? 1, recipeId });
  } catch (err) {
    store.close();
    throw err;
  }
  const gallery = new Gallery(multiTemplateOffset(recipeId));
  let seenVersion = -1;
  if (options.photoOf) {
    try {
      await reembedStaleFaces(store, engine, options.photoOf, log, options.onReembedProgress);
    } catch (err) {
      await engine.close();
      store.close();
      throw err;
    }
  }

  /** Reload the gallery when another process (the CLI) committed to the database. */
  function refresh(): void {
    const version = store.dataVersion();
    if (version === seenVersion) return;
    const { faces, unreadable } = store.loadAll();
    const usable = faces.filter((f) => f.model === engine.embeddingModel);
    if (unreadable.length > 0)
      log.error({ count: unreadable.length }, 'embeddings that fail to decrypt were skipped (wrong data key?)');
    if (usable.length < faces.length) {
      log.warn(
        { count: faces.length - usable.length, model: engine.embeddingModel },
        'embeddings from another engine model skipped (no enrolment photo to re-embed them from); re-enroll those people',
      );
    }
    gallery.replaceAll(usable);
    seenVersion = version;
    log.debug({ faces: usable.length }, 'face gallery loaded');
  }
  refresh();

  /**
   * Enrollment asks about the same photo three times (inspect for feedback, search for "already
   * matches someone", index): inspect computes the embedding too and leaves the analysis here for
   * the next calls on the same bytes, so a photo costs one engine pass instead of three. Door
   * frames only ever search, so they never enter or use this.
   */
  const recent = new Map<string, { analysis: EngineAnalysis; at: number }>();
  const RECENT_MAX = 16;
  const RECENT_TTL_MS = 120_000;
  const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  function recall(bytes: Uint8Array): EngineAnalysis | null {
    const now = Date.now();
    for (const [key, entry] of recent) if (now - entry.at > RECENT_TTL_MS) recent.delete(key);
    return recent.size === 0 ? null : (recent.get(digest(bytes))?.analysis ?? null);
  }
  async function analyzeForMatching(bytes: Uint8Array): Promise<EngineAnalysis> {
    const recalled = recall(bytes);
    if (recalled) return recalled;
    const compute = () => engine.analyze(bytes, { embed: true });
    return options.analysisMemo ? options.analysisMemo(bytes, compute) : compute();
  }

  /**
   * The calibrated threshold grows with the number of enrolled people, so that a stranger's chance
   * of matching someone stays at the calibrated FPIR as the gallery grows (thresholds.ts).
   */
  function currentThreshold(): number {
    if (valid.threshold !== undefined) return valid.threshold;
    refresh();
    return thresholdFor(recipeId, gallery.peopleCount());
  }

  const index: FaceIndex = {
    get threshold() {
      return currentThreshold();
    },

    async inspect(image: Uint8Array): Promise<FaceInspection> {
      const bytes = parse(imageSchema, image, 'image');
      const analysis = await engine.analyze(bytes, { embed: true });
      recent.set(digest(bytes), { analysis, at: Date.now() });
      while (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
      return {
        faces: analysis.faces.map(toDetected),
        imageWidth: analysis.imageWidth,
        imageHeight: analysis.imageHeight,
      };
    },

    async search(image: Uint8Array, searchOptions?: FaceSearchOptions): Promise<FaceSearchResult> {
      const bytes = parse(imageSchema, image, 'image');
      const opts = parse(searchOptionsSchema, searchOptions, 'search options');
      const maxMatches = opts?.maxMatches ?? 5;
      const analysis = await analyzeForMatching(bytes);
      const largest = analysis.faces[0];
      if (!largest || !analysis.embedding) return { face: null, faceCount: 0, matches: [] };
      refresh();
      const minSimilarity = opts?.minSimilarity ?? currentThreshold();
      const matches = gallery.search(analysis.embedding, { minSimilarity, maxMatches });
      return { face: toDetected(largest), faceCount: analysis.faces.length, matches };
    },

    async index(personId: string, image: Uint8Array): Promise<{ faceId: string; face: DetectedFace }> {
      const person = parse(personIdSchema, personId, 'personId');
      const bytes = parse(imageSchema, image, 'image');
      const analysis = await analyzeForMatching(bytes);
      const largest = analysis.faces[0];
      if (!largest || !analysis.embedding) {
        throw new PhotoRejectedError([{ code: 'no_face', message: 'no face was found in the photo' }]);
      }
      refresh(); // pick up other processes' changes before ours, so seenVersion stays truthful
      const faceId = randomUUID();
      const stored = { faceId, personId: person, model: engine.embeddingModel, vector: analysis.embedding };
      store.insert(stored);
      gallery.add(stored);
      // Our own commit leaves data_version unchanged for this connection, so no reload follows.
      log.info({ faceId, personId: person }, 'face indexed');
      return { faceId, face: toDetected(largest) };
    },

    async deleteFaces(faceIds: string[]): Promise<void> {
      const ids = parse(faceIdsSchema, faceIds, 'faceIds');
      if (ids.length === 0) return;
      const removed = store.delete(ids);
      gallery.remove(new Set(ids));
      log.info({ requested: ids.length, removed }, 'faces deleted');
    },

    async countFaces(): Promise<number> {
      return store.count();
    },

    async close(): Promise<void> {
      await engine.close();
      store.close();
    },
  };
  return index;
}

/**
 * Faces whose vectors came from another engine model are embedded again from their enrolment
 * photos with the current one (same face id, so records, photos and erasure are unchanged). A
 * photo that is missing or no longer shows a face leaves its face skipped, with a warning.
 */
async function reembedStaleFaces(
  store: EmbeddingStore,
  engine: FaceEngine,
  photoOf: (faceId: string) => Promise<Uint8Array | null>,
  log: Logger,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const stale = store.loadAll().faces.filter((f) => f.model !== engine.embeddingModel);
  if (stale.length === 0) return;
  const from = [...new Set(stale.map((f) => f.model))].join(', ');
  log.warn(
    { count: stale.length, from, to: engine.embeddingModel },
    'face engine changed: re-embedding enrolled faces from their photos',
  );
  let done = 0;
  let failed = 0;
  for (const face of stale) {
    const photo = await photoOf(face.faceId).catch(() => null);
    const analysis = photo ? await engine.analyze(photo, { embed: true }).catch(() => null) : null;
    if (analysis?.embedding) {
      store.replace({ ...face, model: engine.embeddingModel, vector: analysis.embedding });
    } else {
      failed++;
      log.warn(
        { faceId: face.faceId, personId: face.personId, photo: Boolean(photo) },
        'face could not be re-embedded',
      );
    }
    onProgress?.(++done, stale.length);
    if (done % 25 === 0 && done < stale.length) log.info({ done, total: stale.length }, 're-embedding faces');
  }
  log.info({ reembedded: stale.length - failed, failed }, 'enrolled faces re-embedded for the current engine');
}
