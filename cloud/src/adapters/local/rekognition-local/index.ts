/**
 * rekognition-local: a Rekognition-compatible endpoint over the local face engine, so an existing
 * Rekognition application (boto3, the JavaScript SDK) and FaceGate's own AWS adapters run offline.
 */
import type { Logger } from '../../../../../lib/logger.js';
import { FaceEngine } from '../face-engine/engine.js';
import { CollectionRegistry } from './collections.js';
import { startRekognitionHttpServer, type RekognitionHttpServer } from './http-server.js';
import { similarityScale } from './similarity-scale.js';

export interface RekognitionLocalOptions {
  port: number;
  host?: string;
  /** Collections persist here (sealed with dataKey); undefined keeps them in memory. */
  dir?: string;
  dataKey: Buffer;
  logger: Logger;
  /** Engine worker threads, default 1. */
  workers?: number;
  region?: string;
}

export interface RekognitionLocal extends RekognitionHttpServer {
  /** Stops the server, then the engine, then closes the collections. */
  close(): Promise<void>;
}

export async function startRekognitionLocal(options: RekognitionLocalOptions): Promise<RekognitionLocal> {
  const engine = await FaceEngine.start({ logger: options.logger, workers: options.workers ?? 1 });
  const collections = new CollectionRegistry({
    ...(options.dir ? { dir: options.dir } : {}),
    dataKey: options.dataKey,
    model: engine.embeddingModel,
    logger: options.logger,
  });
  let server: RekognitionHttpServer;
  try {
    server = await startRekognitionHttpServer({
      context: {
        engine,
        collections,
        scale: similarityScale(engine.embeddingModel),
        region: options.region ?? 'local',
        account: '000000000000',
      },
      logger: options.logger,
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
    });
  } catch (err) {
    await engine.close();
    collections.close();
    throw err;
  }
  return {
    port: server.port,
    url: server.url,
    async close() {
      await server.close();
      await engine.close();
      collections.close();
    },
  };
}
