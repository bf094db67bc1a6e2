/**
 * Rekognition collections over the local back end's own pieces: each collection is an
 * EmbeddingStore (sealed embeddings in SQLite, a file per collection under --data-dir, or in
 * memory) and a Gallery scoring the probe against every face. Rekognition matches faces, not
 * people, so each face is its own gallery row (the gallery's "person" is the face id) and no
 * multi-photo offset applies: a face's score is the same cosine the local back end computes for
 * a person enrolled from that one photo.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../../../../lib/logger.js';
import { Gallery } from '../face-index/gallery.js';
import { EmbeddingStore } from '../face-index/store.js';
import { RekognitionError, notFound } from './rekognition-errors.js';

/** Rekognition's BoundingBox: ratios of the image's width and height. */
export interface RatioBox {
  Width: number;
  Height: number;
  Left: number;
  Top: number;
}

/** What a collection keeps of an indexed face besides its embedding (Rekognition's Face). */
export interface FaceRecord {
  FaceId: string;
  ImageId: string;
  ExternalImageId?: string;
  BoundingBox: RatioBox;
  Confidence: number;
}

const faceRecordSchema = z.object({
  FaceId: z.string(),
  ImageId: z.string(),
  ExternalImageId: z.string().optional(),
  BoundingBox: z.object({ Width: z.number(), Height: z.number(), Left: z.number(), Top: z.number() }),
  Confidence: z.number(),
});

const FILE_SUFFIX = '.collection.db';

export class Collection {
  private readonly faces = new Map<string, { record: FaceRecord; vector: Float32Array }>();
  private readonly gallery = new Gallery(0);

  constructor(
    readonly id: string,
    readonly createdAt: Date,
    private readonly store: EmbeddingStore,
    private readonly model: string,
    log: Logger,
  ) {
    const { faces, unreadable } = store.loadAll();
    if (unreadable.length > 0)
      log.error({ collection: id, count: unreadable.length }, 'faces that fail to decrypt skipped');
    for (const face of faces) {
      // The store's person id column carries the face's Rekognition record (bound into the seal).
      const record = faceRecordSchema.safeParse(safeJson(face.personId));
      if (!record.success || face.model !== model) continue;
      this.faces.set(face.faceId, { record: record.data, vector: face.vector });
      this.gallery.add({ faceId: face.faceId, personId: face.faceId, model, vector: face.vector });
    }
  }

  get faceCount(): number {
    return this.faces.size;
  }

  add(record: Omit<FaceRecord, 'FaceId'>, vector: Float32Array): FaceRecord {
    const full: FaceRecord = { FaceId: randomUUID(), ...record };
    this.store.insert({ faceId: full.FaceId, personId: JSON.stringify(full), model: this.model, vector });
    this.faces.set(full.FaceId, { record: full, vector });
    this.gallery.add({ faceId: full.FaceId, personId: full.FaceId, model: this.model, vector });
    return full;
  }

  get(faceId: string): { record: FaceRecord; vector: Float32Array } | undefined {
    return this.faces.get(faceId);
  }

  /** Faces scoring at least `minScore` (cosine), best first, at most `max`. */
  search(probe: Float32Array, minScore: number, max: number): { record: FaceRecord; score: number }[] {
    return this.gallery
      .search(probe, { minSimilarity: minScore, maxMatches: max })
      .map((m) => ({ record: this.faces.get(m.faceId)!.record, score: m.similarity }));
  }

  /** Faces in the order they were indexed. */
  list(): FaceRecord[] {
    return [...this.faces.values()].map((f) => f.record);
  }

  /** Deletes the faces it holds; returns which ids were deleted and which were not there. */
  delete(faceIds: string[]): { deleted: string[]; notFound: string[] } {
    const deleted = [...new Set(faceIds)].filter((id) => this.faces.has(id));
    const missing = [...new Set(faceIds)].filter((id) => !this.faces.has(id));
    if (deleted.length > 0) {
      this.store.delete(deleted);
      for (const id of deleted) this.faces.delete(id);
      this.gallery.remove(new Set(deleted));
    }
    return { deleted, notFound: missing };
  }

  close(): void {
    this.store.close();
  }
}

export interface CollectionRegistryOptions {
  /** Folder for one SQLite file per collection; undefined keeps everything in memory. */
  dir?: string;
  dataKey: Buffer;
  /** Embedding model id of the engine: faces of another model are not loaded. */
  model: string;
  logger: Logger;
}

export class CollectionRegistry {
  private readonly collections = new Map<string, Collection>();

  constructor(private readonly options: CollectionRegistryOptions) {
    if (!options.dir) return;
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(options.dir).sort()) {
      if (!name.endsWith(FILE_SUFFIX)) continue;
      const id = name.slice(0, -FILE_SUFFIX.length);
      const file = path.join(options.dir, name);
      this.collections.set(id, this.open(id, file, fs.statSync(file).birthtime));
    }
  }

  create(id: string): Collection {
    if (this.collections.has(id)) {
      throw new RekognitionError('ResourceAlreadyExistsException', `The collection id: ${id} already exists`);
    }
    const collection = this.open(id, this.fileOf(id), new Date());
    this.collections.set(id, collection);
    return collection;
  }

  get(id: string): Collection {
    const collection = this.collections.get(id);
    if (!collection) throw notFound(`The collection id: ${id} does not exist`);
    return collection;
  }

  delete(id: string): void {
    const collection = this.get(id);
    collection.close();
    this.collections.delete(id);
    const file = this.fileOf(id);
    if (file !== ':memory:') for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }

  /** Collection ids, sorted. */
  ids(): string[] {
    return [...this.collections.keys()].sort();
  }

  close(): void {
    for (const collection of this.collections.values()) collection.close();
    this.collections.clear();
  }

  private fileOf(id: string): string {
    // Collection ids are [a-zA-Z0-9_.-]+ (validated before they get here): safe as file names.
    return this.options.dir ? path.join(this.options.dir, `${id}${FILE_SUFFIX}`) : ':memory:';
  }

  private open(id: string, file: string, createdAt: Date): Collection {
    const store = new EmbeddingStore(file, this.options.dataKey);
    return new Collection(id, createdAt, store, this.options.model, this.options.logger);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
