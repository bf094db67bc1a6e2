/**
 * Worker-thread entry of the face engine: one FaceEngineCore, requests answered one at a time.
 * Errors are returned as messages (never thrown out of the thread), so a bad image fails only
 * its own call.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FacegateError } from '../../../../../lib/errors.js';
import { FaceEngineCore } from './engine-core.js';
import { workerRequestSchema, type WorkerData, type WorkerErrorPayload, type WorkerReply } from './worker-protocol.js';

function toPayload(err: unknown): WorkerErrorPayload {
  if (err instanceof FacegateError) return { code: err.code, message: err.message };
  return { code: 'engine', message: err instanceof Error ? err.message : String(err) };
}

const port = parentPort;
if (!port) throw new Error('face engine worker must run in a worker thread');
const send = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

try {
  const core = await FaceEngineCore.create((workerData as WorkerData).recipeId);
  // Requests are serialised: the WASM backend is single-threaded, overlapping calls only add latency.
  let queue = Promise.resolve();
  port.on('message', (raw: unknown) => {
    const parsed = workerRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      send({ type: 'error', id, error: { code: 'invalid_input', message: 'malformed engine request' } });
      return;
    }
    const request = parsed.data;
    queue = queue.then(async () => {
      try {
        const analysis = await core.analyze(request.image, { embed: request.embed });
        send({ type: 'result', id: request.id, analysis });
      } catch (err) {
        send({ type: 'error', id: request.id, error: toPayload(err) });
      }
    });
  });
  send({ type: 'ready', embeddingModel: core.embeddingModel });
} catch (err) {
  send({ type: 'init_failed', error: toPayload(err) });
}
