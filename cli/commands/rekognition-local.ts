/**
 * `facegate rekognition-local --port N`: serves Rekognition's JSON API over the local face engine
 * (docs/rekognition-local.md). Collections live in memory unless --data-dir is given, where each
 * is a SQLite file of sealed embeddings under the folder's own data key.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../lib/logger.js';
import { ConfigError } from '../../lib/errors.js';
import { loadOrCreateDataKey } from '../../cloud/src/adapters/local/data-key.js';
import { startRekognitionLocal } from '../../cloud/src/adapters/local/rekognition-local/index.js';

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65_535),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).optional(),
  workers: z.number().int().min(1).max(8).default(1),
  region: z.string().min(1).default('local'),
});

export type RekognitionLocalCliOptions = z.input<typeof optionsSchema>;

export async function rekognitionLocalCommand(
  raw: RekognitionLocalCliOptions,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`rekognition-local: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const dir = opts.dataDir ? path.resolve(opts.dataDir) : undefined;
  const server = await startRekognitionLocal({
    port: opts.port,
    host: opts.host,
    ...(dir ? { dir: path.join(dir, 'collections') } : {}),
    dataKey: dir ? loadOrCreateDataKey(dir) : randomBytes(32),
    workers: opts.workers,
    region: opts.region,
    logger,
  });
  logger.info({ url: server.url, collections: dir ?? 'in memory' }, 'rekognition-local ready');
  // Printed whatever the log level: the line a person or a script waits for. On a pipe it goes to
  // stderr so stdout stays JSON logs only (as serve's banner).
  const out = process.stdout.isTTY ? process.stdout : process.stderr;
  out.write(`rekognition-local listening on ${server.url} (set the SDK's endpoint to it)\n`);
  return { stop: () => server.close() };
}
