/**
 * The local back end's adapters over one data directory: SQLite records, the sealed file store,
 * the face index (opened lazily: listing people should not load a neural network), and the
 * local CA. Shared by the server (local-stack.ts) and the one-shot CLI commands, which run in
 * their own process against the same files.
 */
import { secureDataDir } from './data-dir.js';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';
import { loadOrCreateDataKey } from '../cloud/src/adapters/local/data-key.js';
import { openSqliteRecords } from '../cloud/src/adapters/local/records/sqlite-records.js';
import { EncryptedFileStore } from '../cloud/src/adapters/local/file-store/encrypted-file-store.js';
import { openLocalFaceIndex } from '../cloud/src/adapters/local/face-index/index.js';
import { openLocalCa, type LocalCa } from '../cloud/src/adapters/local/ca/index.js';
import type { FaceIndex } from '../cloud/src/ports/face-index.js';
import type { Records } from '../cloud/src/ports/records.js';
import type { ImageStore } from '../cloud/src/ports/image-store.js';
import { DATA_FILES } from './data-files.js';

export interface LocalBackend {
  dataDir: string;
  records: Records;
  images: ImageStore;
  faceIndex: FaceIndex;
  ca: LocalCa;
  close(): Promise<void>;
}

export { DATA_FILES } from './data-files.js';

/** A FaceIndex that starts the engine on first use and stays open afterwards. */
function lazyFaceIndex(open: () => Promise<FaceIndex>): FaceIndex & { opened(): boolean } {
  let pending: Promise<FaceIndex> | null = null;
  let ready: FaceIndex | null = null;
  const get = () => {
    pending ??= open().then((index) => (ready = index));
    return pending;
  };
  return {
    opened: () => pending !== null,
    get threshold(): number {
      if (!ready) throw new Error('face index threshold read before the engine started');
      return ready.threshold;
    },
    inspect: async (image) => (await get()).inspect(image),
    search: async (image, options) => (await get()).search(image, options),
    index: async (personId, image) => (await get()).index(personId, image),
    deleteFaces: async (faceIds) => (await get()).deleteFaces(faceIds),
    countFaces: async () => (await get()).countFaces(),
    close: async () => {
      if (pending) await (await pending).close();
    },
  };
}

export async function openLocalBackend(options: {
  dataDir: string;
  logger: Logger;
  engineWorkers?: number;
  /** Overrides the face engine's calibrated match threshold. */
  matchThreshold?: number;
  /** Start the face engine now (the server) rather than on first use (the CLI). */
  eagerEngine?: boolean;
}): Promise<LocalBackend> {
  const { dataDir, logger } = options;
  secureDataDir(dataDir, logger);
  const dataKey = loadOrCreateDataKey(dataDir);
  const records = openSqliteRecords(path.join(dataDir, DATA_FILES.records));
  const images = new EncryptedFileStore(path.join(dataDir, DATA_FILES.images), dataKey);
  const ca = await openLocalCa(path.join(dataDir, DATA_FILES.ca), logger);
  const openIndex = () =>
    openLocalFaceIndex({
      dbPath: path.join(dataDir, DATA_FILES.faces),
      dataKey,
      logger,
      workers: options.engineWorkers ?? 1,
      ...(options.matchThreshold !== undefined && { threshold: options.matchThreshold }),
      // After an engine change, enrolled faces are embedded again from their sealed photos.
      photoOf: async (faceId) => {
        const face = await records.getFace(faceId);
        return face ? ((await images.get(face.photoKey))?.bytes ?? null) : null;
      },
    });
  const faceIndex = options.eagerEngine ? await openIndex() : lazyFaceIndex(openIndex);
  return {
    dataDir,
    records,
    images,
    faceIndex,
    ca,
    async close() {
      await faceIndex.close();
      await records.close();
    },
  };
}
