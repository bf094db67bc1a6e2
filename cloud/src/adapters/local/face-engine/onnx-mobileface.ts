/**
 * An ArcFace-trained MobileFaceNet (512-d, ONNX, 4.9 MB), run by onnxruntime-web's WASM backend
 * (no native addon, nothing compiled): input 1×3×112×112, RGB, (v − 127) / 128, on the standard
 * ArcFace 112-px five-point template. The model file comes from the npm package
 * faceplugin-face-recognition-js, unpacked by scripts/fetch-face-model.mjs at `npm ci`.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from '../../../../../lib/errors.js';
import { ARCFACE_TEMPLATE_112 } from './align.js';
import type { Embedder } from './embedders.js';

const require = createRequire(import.meta.url);

/** Where scripts/fetch-face-model.mjs puts the model: node_modules/.facegate-models/ (found from here, source or build). */
export function mobileFaceModelFile(): string {
  // onnxruntime-web exports no package.json: climb from its entry point to the node_modules holding it.
  let dir = path.dirname(require.resolve('onnxruntime-web'));
  while (path.basename(dir) !== 'node_modules' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, '.facegate-models', 'mobileface-arcface-512.onnx');
}

const SIZE = 112;

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  env: { wasm: { numThreads: number } };
  InferenceSession: { create(model: Uint8Array, options: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

export class OnnxMobileFace implements Embedder {
  readonly name = 'mbf' as const;
  readonly size = SIZE;
  readonly template = ARCFACE_TEMPLATE_112;

  private constructor(
    private readonly ort: Ort,
    private readonly session: OrtSession,
  ) {}

  static async load(modelFile = mobileFaceModelFile()): Promise<OnnxMobileFace> {
    if (!fs.existsSync(modelFile)) {
      throw new ConfigError(
        `the face recognition model is not installed (${modelFile}): run npm ci, or node scripts/fetch-face-model.mjs`,
      );
    }
    const ort = (await import('onnxruntime-web')) as unknown as Ort;
    ort.env.wasm.numThreads = 1; // one engine per worker thread already
    const session = await ort.InferenceSession.create(fs.readFileSync(modelFile), { executionProviders: ['wasm'] });
    return new OnnxMobileFace(ort, session);
  }

  async embed(crops: Float32Array[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const plane = SIZE * SIZE;
    for (const crop of crops) {
      // HWC 0..255 → CHW (v − 127) / 128.
      const input = new Float32Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        input[i] = (crop[i * 3]! - 127) / 128;
        input[plane + i] = (crop[i * 3 + 1]! - 127) / 128;
        input[2 * plane + i] = (crop[i * 3 + 2]! - 127) / 128;
      }
      const tensor = new this.ort.Tensor('float32', input, [1, 3, SIZE, SIZE]);
      const result = await this.session.run({ [this.session.inputNames[0]!]: tensor });
      out.push(Float32Array.from(result[this.session.outputNames[0]!]!.data));
    }
    return out;
  }

  dispose(): void {
    void this.session.release();
  }
}
