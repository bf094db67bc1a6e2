/**
 * The face engine as the back end sees it: a small pool of worker threads, each running
 * FaceEngineCore, so detection and embedding (100+ ms of WASM each) never block the main event
 * loop. A worker that dies or hangs is replaced; only the call it was running fails.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../../../../lib/logger.js';
import { ImageDecodeError, InvalidInputError, UpstreamError } from '../../../errors.js';
import { DEFAULT_RECIPE_ID, getRecipe } from './recipes.js';
import type { AnalyzeOptions, EngineAnalysis } from './types.js';
import type { WorkerData, WorkerErrorPayload, WorkerReply, WorkerRequest } from './worker-protocol.js';

export interface FaceEngineOptions {
  logger: Logger;
  /** Worker threads; default 1. Each holds its own copy of the models (≈ 150 MB). */
  workers?: number;
  /** Embedding recipe id (see recipes.ts); default the shipped one. */
  recipeId?: string;
  /** A call not answered in this time kills its worker (a hung WASM call cannot be interrupted). */
  callTimeoutMs?: number;
}

interface Job {
  id: number;
  image: Uint8Array<ArrayBuffer>;
  embed: boolean;
  timeoutMs: number;
  resolve: (analysis: EngineAnalysis) => void;
  reject: (err: Error) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

// Compiled (dist/, this file is engine.js) the worker is plain JS; from TypeScript (tsx, vitest)
// worker-entry.mjs registers tsx in the worker thread first.
const WORKER_URL = import.meta.url.endsWith('.js')
  ? new URL('./worker.js', import.meta.url)
  : new URL('./worker-entry.mjs', import.meta.url);
const RESTART_DELAY_MS = 1_000;

function toError(payload: WorkerErrorPayload): Error {
  if (payload.code === 'bad_image') return new ImageDecodeError(payload.message);
  if (payload.code === 'invalid_input') return new InvalidInputError(payload.message);
  return new UpstreamError('face-engine', payload.message);
}

export class FaceEngine {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  private constructor(
    private readonly options: FaceEngineOptions,
    readonly embeddingModel: string,
  ) {
    this.log = options.logger.child({ component: 'face-engine' });
    this.timeoutMs = options.callTimeoutMs ?? 60_000;
  }

  static async start(options: FaceEngineOptions): Promise<FaceEngine> {
    const recipe = getRecipe(options.recipeId ?? DEFAULT_RECIPE_ID);
    const engine = new FaceEngine(options, recipe.id);
    const count = Math.max(1, Math.floor(options.workers ?? 1));
    try {
      await Promise.all(Array.from({ length: count }, (_, i) => engine.spawn(i)));
    } catch (err) {
      await engine.close();
      throw err;
    }
    engine.log.info({ workers: count, embeddingModel: recipe.id }, 'face engine ready');
    return engine;
  }

  /** Decode, detect and (if asked) embed the largest face. Rejects with ImageDecodeError for non-images. */
  analyze(image: Uint8Array, options: AnalyzeOptions): Promise<EngineAnalysis> {
    if (this.closing) return Promise.reject(new UpstreamError('face-engine', 'engine is closed'));
    if (!(image instanceof Uint8Array)) return Promise.reject(new ImageDecodeError('image must be bytes'));
    return new Promise<EngineAnalysis>((resolve, reject) => {
      // Copy: the bytes are transferred to the worker and must not detach the caller's buffer.
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      this.queue.push({
        id: this.nextId++,
        image: new Uint8Array(image),
        embed: options.embed,
        timeoutMs,
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(new UpstreamError('face-engine', 'engine closed'));
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        slot.job?.reject(new UpstreamError('face-engine', 'engine closed'));
        slot.job = null;
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(index: number): Promise<void> {
    const data: WorkerData = { recipeId: this.embeddingModel };
    const worker = new Worker(WORKER_URL, { workerData: data, execArgv: [] });
    const slot: Slot = { index, worker, ready: false, job: null, timer: null };
    this.slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          slot.ready = true;
          resolve();
          this.dispatch();
        } else if (reply.type === 'init_failed') {
          reject(new UpstreamError('face-engine', `worker failed to start: ${reply.error.message}`));
          void worker.terminate();
        } else {
          this.settle(slot, reply);
        }
      });
      worker.on('error', (err) => {
        this.log.error({ err, worker: index }, 'face engine worker crashed');
        reject(new UpstreamError('face-engine', 'worker crashed', { cause: err }));
      });
      worker.on('exit', (code) => this.onExit(slot, code));
    });
  }

  private onExit(slot: Slot, code: number): void {
    if (this.slots[slot.index] !== slot) return; // already replaced
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    slot.ready = false;
    if (job) job.reject(new UpstreamError('face-engine', `worker exited (code ${code}) while analysing an image`));
    if (this.closing) return;
    this.log.warn({ worker: slot.index, code }, 'face engine worker exited; starting a replacement');
    const restart = () => {
      if (this.closing) return;
      this.spawn(slot.index).catch((err) => {
        this.log.error({ err, worker: slot.index }, 'replacement worker failed to start; retrying');
        setTimeout(restart, RESTART_DELAY_MS).unref();
      });
    };
    restart();
  }

  private settle(slot: Slot, reply: Extract<WorkerReply, { type: 'result' | 'error' }>): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) {
      this.log.warn({ worker: slot.index, id: reply.id }, 'reply for an unknown engine call ignored');
      return;
    }
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    if (reply.type === 'result') job.resolve(reply.analysis);
    else job.reject(toError(reply.error));
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot || !slot.ready || slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.timer = setTimeout(() => {
        this.log.error(
          { worker: slot.index, timeoutMs: job.timeoutMs },
          'face engine call timed out; restarting worker',
        );
        void slot.worker.terminate(); // 'exit' fails the job and starts a replacement
      }, job.timeoutMs);
      const request: WorkerRequest = { id: job.id, op: 'analyze', image: job.image, embed: job.embed };
      slot.worker.postMessage(request, [job.image.buffer]);
    }
  }
}
