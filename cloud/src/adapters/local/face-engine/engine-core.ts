/**
 * The face engine proper, one instance per worker thread: Human (BlazeFace + FaceMesh) on the
 * tfjs WASM backend finds faces and landmarks; the largest face is aligned on five landmarks and
 * embedded by the recognition models of the configured recipe. Runs off the main thread.
 */
import { ImageDecodeError } from '../../../errors.js';
import { ARCFACE_TEMPLATE_112, warpAligned, zoomTemplate } from './align.js';
import { decodeImage, type RgbImage } from './decode.js';
import type * as tfc from '@tensorflow/tfjs-core';
import { DlibResNet } from './dlib-resnet.js';
import { GRAPH_EMBEDDERS, GraphEmbedder, type Embedder, type TfLike, type TensorLike } from './embedders.js';
import { fivePointsFromMesh } from './landmarks.js';
import { OnnxMobileFace } from './onnx-mobileface.js';
import { boundsOf, mergeOverlapping } from './merge-overlapping.js';
import { ENGINE_LIMITS } from './limits.js';
import { loadHuman } from '../../../../../lib/human/load-human.js';
import { SHARPNESS_CROP } from '../../../../../lib/sharpness.js';
import { getRecipe, type EmbeddingRecipe } from './recipes.js';
import { sharpnessScore } from './sharpness.js';
import type { AnalyzeOptions, EngineAnalysis, EngineFace } from './types.js';
import { l2normalise } from './vector.js';

interface HumanFace {
  score: number;
  box: [number, number, number, number];
  mesh: number[][];
  rotation?: { angle?: { roll: number; yaw: number; pitch: number } } | null;
}
interface HumanLike {
  tf: TfLike & { tensor3d(data: Uint8Array | Int32Array, shape: [number, number, number], dtype: 'int32'): TensorLike };
  load(): Promise<void>;
  init(): Promise<void>;
  detect(input: TensorLike): Promise<{ face: HumanFace[]; error?: string | null }>;
}

const RAD_TO_DEG = 180 / Math.PI;

/** Human's face section: BlazeFace and FaceMesh only; recognition runs on the aligned crop here. */
const HUMAN_FACE_CONFIG = {
  enabled: true,
  detector: { enabled: true, rotation: false, maxDetected: 10, minConfidence: 0.3, return: false },
  mesh: { enabled: true }, // landmarks for alignment; also rejects half-visible faces
  iris: { enabled: false },
  description: { enabled: false }, // we run recognition ourselves on the aligned crop
  emotion: { enabled: false },
  antispoof: { enabled: false },
  liveness: { enabled: false },
  attention: { enabled: false },
};

export class FaceEngineCore {
  private constructor(
    private readonly human: HumanLike,
    private readonly recipe: EmbeddingRecipe,
    private readonly embedders: Embedder[],
  ) {}

  static async create(recipeId: string): Promise<FaceEngineCore> {
    const recipe = getRecipe(recipeId);
    const human = await loadHuman<HumanLike>(HUMAN_FACE_CONFIG);
    const embedders: Embedder[] = [];
    for (const { model } of recipe.components) {
      embedders.push(
        model === 'dlib'
          ? await DlibResNet.load(human.tf as unknown as typeof tfc)
          : model === 'mbf'
            ? await OnnxMobileFace.load()
            : await GraphEmbedder.load(human.tf, GRAPH_EMBEDDERS[model]),
      );
    }
    return new FaceEngineCore(human, recipe, embedders);
  }

  get embeddingModel(): string {
    return this.recipe.id;
  }

  async analyze(bytes: Uint8Array, options: AnalyzeOptions): Promise<EngineAnalysis> {
    const image = await decodeImage(bytes);
    const scale = image.originalWidth / image.width; // back to original-image pixels
    const tensor = this.human.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    let detected: HumanFace[];
    try {
      const result = await this.human.detect(tensor);
      if (result.error) throw new Error(`face detection failed: ${result.error}`);
      detected = result.face;
    } finally {
      tensor.dispose();
    }
    const meshed = detected.filter((f) => f.mesh && f.mesh.length >= 468);
    // FaceMesh can return one face twice (one more face than people in the photo): merge repeats.
    const candidates = mergeOverlapping(
      meshed,
      (f) => boundsOf(f.mesh),
      (f) => f.score,
    )
      .map((f) => ({ human: f, landmarks: fivePointsFromMesh(f.mesh) }))
      .filter(
        (f) =>
          f.human.box[2] * scale >= ENGINE_LIMITS.minFaceSide && f.human.box[3] * scale >= ENGINE_LIMITS.minFaceSide,
      )
      .sort((a, b) => b.human.box[2] * b.human.box[3] - a.human.box[2] * a.human.box[3]);

    const faces: EngineFace[] = candidates.map(({ human: f, landmarks }) => {
      const crop = warpAligned(image, landmarks, ARCFACE_TEMPLATE_112, SHARPNESS_CROP);
      const angle = f.rotation?.angle;
      const [le, re] = landmarks as [[number, number], [number, number]];
      return {
        box: {
          x: Math.round(f.box[0] * scale),
          y: Math.round(f.box[1] * scale),
          width: Math.round(f.box[2] * scale),
          height: Math.round(f.box[3] * scale),
        },
        confidence: Math.round(f.score * 1000) / 1000,
        yaw: angle ? Math.round(angle.yaw * RAD_TO_DEG) || 0 : null,
        pitch: angle ? Math.round(angle.pitch * RAD_TO_DEG) || 0 : null,
        roll: angle ? Math.round(angle.roll * RAD_TO_DEG) || 0 : null,
        sharpness: sharpnessScore(crop, SHARPNESS_CROP),
        eyeDistance: Math.round(Math.hypot(re[0] - le[0], re[1] - le[1]) * scale * 10) / 10,
      };
    });

    const largest = candidates[0];
    const embedding = options.embed && largest ? await this.embed(image, largest.landmarks) : null;
    return {
      imageWidth: image.originalWidth,
      imageHeight: image.originalHeight,
      faces,
      embedding,
      embeddingModel: this.recipe.id,
    };
  }

  /** Fused embedding: per model, L2-normalised (flip-averaged if asked), scaled by √weight, concatenated. */
  private async embed(image: RgbImage, landmarks: [number, number][]): Promise<Float32Array> {
    const parts: Float32Array[] = [];
    for (const [k, component] of this.recipe.components.entries()) {
      const embedder = this.embedders[k]!;
      const crops: Float32Array[] = [];
      for (const scale of component.scales ?? [1]) {
        const template = scale === 1 ? embedder.template : zoomTemplate(embedder.template, embedder.size, scale);
        crops.push(warpAligned(image, landmarks, template, embedder.size));
        if (component.flip) crops.push(warpAligned(image, landmarks, template, embedder.size, true));
      }
      const vectors = (await embedder.embed(crops)).map(l2normalise);
      const mean = new Float32Array(vectors[0]!.length);
      for (const v of vectors) for (let i = 0; i < v.length; i++) mean[i]! += v[i]! / vectors.length;
      const unit = l2normalise(mean);
      const w = Math.sqrt(component.weight);
      parts.push(unit.map((x) => x * w));
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const fused = new Float32Array(total);
    let offset = 0;
    for (const p of parts) {
      fused.set(p, offset);
      offset += p.length;
    }
    return l2normalise(fused);
  }
}

export { ImageDecodeError };
