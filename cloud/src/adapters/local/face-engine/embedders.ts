/**
 * Recognition models run on an aligned face crop. Each knows its input size, how much context
 * around the ArcFace template it was trained with, and its pixel normalisation.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ARCFACE_TEMPLATE_112, scaleTemplate, type Point } from './align.js';
import { humanPackageDir } from '../../../../../lib/human/model-files.js';
import type { EmbedderName } from './recipes.js';

// Minimal structural types of the tfjs objects we use (the library's own types live in Human's bundle).
export interface TensorLike {
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
  shape: number[];
}
export interface GraphModelLike {
  execute(input: TensorLike): TensorLike | TensorLike[];
  dispose(): void;
}
export interface TfLike {
  loadGraphModel(url: string): Promise<GraphModelLike>;
  tensor4d(values: Float32Array, shape: [number, number, number, number], dtype: 'float32'): TensorLike;
}

/** What the engine needs from any recognition model. */
export interface Embedder {
  readonly name: EmbedderName;
  /** Input side in pixels (square). */
  readonly size: number;
  /** Where the five landmarks go in the input square. */
  readonly template: Point[];
  /** `crops` are size×size×3 floats 0..255; returns one raw vector per crop. */
  embed(crops: Float32Array[]): Promise<Float32Array[]>;
  dispose(): void;
}

export interface EmbedderSpec {
  name: Exclude<EmbedderName, 'dlib' | 'mbf'>;
  /** Input side in pixels (square). */
  size: number;
  /** Extra context around the 112-px ArcFace template, as a fraction of the side. */
  margin: number;
  /** Pixel value 0..255 → model input. */
  normalise: (v: number) => number;
  modelUrl: () => string;
}

function humanModel(file: string): () => string {
  return () => pathToFileURL(path.join(humanPackageDir(), 'models', file)).href;
}

export const GRAPH_EMBEDDERS: Record<Exclude<EmbedderName, 'dlib' | 'mbf'>, EmbedderSpec> = {
  // HSE FaceRes (Human's default): trained on loose crops, expects 0..255.
  faceres: { name: 'faceres', size: 224, margin: 0.2, normalise: (v) => v, modelUrl: humanModel('faceres.json') },
};

export function templateFor(spec: EmbedderSpec): Point[] {
  return scaleTemplate(ARCFACE_TEMPLATE_112, 112, spec.size, spec.margin);
}

export class GraphEmbedder implements Embedder {
  readonly name: EmbedderName;
  readonly size: number;
  readonly template: Point[];

  private constructor(
    readonly spec: EmbedderSpec,
    private readonly tf: TfLike,
    private readonly model: GraphModelLike,
  ) {
    this.name = spec.name;
    this.size = spec.size;
    this.template = templateFor(spec);
  }

  static async load(tf: TfLike, spec: EmbedderSpec): Promise<GraphEmbedder> {
    return new GraphEmbedder(spec, tf, await tf.loadGraphModel(spec.modelUrl()));
  }

  async embed(crops: Float32Array[]): Promise<Float32Array[]> {
    const { size, normalise } = this.spec;
    const batch = new Float32Array(crops.length * size * size * 3);
    crops.forEach((crop, k) => {
      const offset = k * crop.length;
      for (let i = 0; i < crop.length; i++) batch[offset + i] = normalise(crop[i]!);
    });
    const input = this.tf.tensor4d(batch, [crops.length, size, size, 3], 'float32');
    let outputs: TensorLike[] = [];
    try {
      const result = this.model.execute(input);
      outputs = Array.isArray(result) ? result : [result];
      // faceres also outputs age and gender heads; the descriptor is the widest output.
      const descriptor = outputs.reduce((best, t) => ((t.shape[1] ?? 0) > (best.shape[1] ?? 0) ? t : best));
      const dims = descriptor.shape[1] ?? 0;
      const values = Float32Array.from(await descriptor.data());
      return crops.map((_, k) => values.slice(k * dims, (k + 1) * dims));
    } finally {
      input.dispose();
      for (const t of outputs) t.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
