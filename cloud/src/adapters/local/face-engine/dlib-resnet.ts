/**
 * dlib's face recognition ResNet (128-d, the model behind face_recognition / face-api), run on
 * the shared tfjs engine from the weights that @vladmandic/face-api ships. The forward pass
 * mirrors face-api's FaceRecognitionNet (conv + per-channel scale, residual blocks, zero-padded
 * down-sampling shortcut); we only replace its axis-aligned crop with a five-point similarity
 * alignment into the same 150-px chip geometry.
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import type { Point } from './align.js';
import { ARCFACE_TEMPLATE_112 } from './align.js';
import type { Embedder } from './embedders.js';

type Tf = typeof tfc;
type Tensor4D = tfc.Tensor4D;
type WeightMap = Record<string, tfc.Tensor>;

const require = createRequire(import.meta.url);
const MEAN_RGB = [122.782, 117.001, 104.298] as const;
export const DLIB_SIZE = 150;

export function faceApiModelDir(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/**
 * face-api's dlib chip: square side c with the centroid of (eyes, mouth centre) at (0.5c, 0.43c)
 * and mean eye-to-mouth distance 0.45c. Expressed as a 5-point template for our aligner.
 */
export function dlibTemplate(size = DLIB_SIZE): Point[] {
  const [le, re, , ml, mr] = ARCFACE_TEMPLATE_112 as [Point, Point, Point, Point, Point];
  const mouth: Point = [(ml[0] + mr[0]) / 2, (ml[1] + mr[1]) / 2];
  const cx = (le[0] + re[0] + mouth[0]) / 3;
  const cy = (le[1] + re[1] + mouth[1]) / 3;
  const eyeMouth =
    (Math.hypot(mouth[0] - le[0], mouth[1] - le[1]) + Math.hypot(mouth[0] - re[0], mouth[1] - re[1])) / 2;
  const k = (0.45 * size) / eyeMouth;
  return ARCFACE_TEMPLATE_112.map(([x, y]) => [0.5 * size + (x - cx) * k, 0.43 * size + (y - cy) * k]);
}

export class DlibResNet implements Embedder {
  readonly name = 'dlib' as const;
  readonly size = DLIB_SIZE;
  readonly template = dlibTemplate(DLIB_SIZE);

  private constructor(
    private readonly tf: Tf,
    private readonly w: WeightMap,
  ) {}

  static async load(tf: Tf): Promise<DlibResNet> {
    const dir = faceApiModelDir();
    const manifest = JSON.parse(
      await fs.readFile(path.join(dir, 'face_recognition_model-weights_manifest.json'), 'utf8'),
    ) as {
      paths: string[];
      weights: tfc.io.WeightsManifestEntry[];
    }[];
    const weights: WeightMap = {};
    for (const group of manifest) {
      const buffers = await Promise.all(group.paths.map((p) => fs.readFile(path.join(dir, p))));
      const joined = Buffer.concat(buffers);
      const ab = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
      Object.assign(weights, tf.io.decodeWeights(ab, group.weights));
    }
    return new DlibResNet(tf, weights);
  }

  private get(name: string): tfc.Tensor {
    const t = this.w[name];
    if (!t) throw new Error(`dlib model lacks weight ${name}`);
    return t;
  }

  private convLayer(x: Tensor4D, name: string, stride: 1 | 2, relu: boolean, padding: 'same' | 'valid'): Tensor4D {
    const tf = this.tf;
    let out = tf.conv2d(x, this.get(`${name}/conv/filters`) as tfc.Tensor4D, stride, padding);
    out = tf.add(out, this.get(`${name}/conv/bias`));
    out = tf.add(tf.mul(out, this.get(`${name}/scale/weights`)), this.get(`${name}/scale/biases`));
    return relu ? tf.relu(out) : out;
  }

  private residual(x: Tensor4D, name: string): Tensor4D {
    let out = this.convLayer(x, `${name}/conv1`, 1, true, 'same');
    out = this.convLayer(out, `${name}/conv2`, 1, false, 'same');
    return this.tf.relu(this.tf.add(out, x));
  }

  private residualDown(x: Tensor4D, name: string): Tensor4D {
    const tf = this.tf;
    let out = this.convLayer(x, `${name}/conv1`, 2, true, 'valid');
    out = this.convLayer(out, `${name}/conv2`, 1, false, 'same');
    let pooled = tf.avgPool(x, 2, 2, 'valid');
    if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
      const [b, h, w, c] = out.shape;
      out = tf.concat([out, tf.zeros([b, 1, w, c])], 1);
      out = tf.concat([out, tf.zeros([b, h + 1, 1, c])], 2);
    }
    if (pooled.shape[3] !== out.shape[3]) pooled = tf.concat([pooled, tf.zeros(pooled.shape)], 3);
    return tf.relu(tf.add(pooled, out));
  }

  /** `crops`: 150×150×3 floats 0..255, aligned with dlibTemplate(). Returns raw 128-d descriptors. */
  async embed(crops: Float32Array[]): Promise<Float32Array[]> {
    const tf = this.tf;
    const n = crops.length;
    const batch = new Float32Array(n * DLIB_SIZE * DLIB_SIZE * 3);
    crops.forEach((crop, k) => {
      const off = k * crop.length;
      for (let i = 0; i < crop.length; i += 3) {
        batch[off + i] = (crop[i]! - MEAN_RGB[0]) / 255;
        batch[off + i + 1] = (crop[i + 1]! - MEAN_RGB[1]) / 255;
        batch[off + i + 2] = (crop[i + 2]! - MEAN_RGB[2]) / 255;
      }
    });
    const descriptors = tf.tidy(() => {
      let s = this.convLayer(tf.tensor4d(batch, [n, DLIB_SIZE, DLIB_SIZE, 3]), 'conv32_down', 2, true, 'valid');
      s = tf.maxPool(s, 3, 2, 'valid');
      for (const b of ['conv32_1', 'conv32_2', 'conv32_3']) s = this.residual(s, b);
      s = this.residualDown(s, 'conv64_down');
      for (const b of ['conv64_1', 'conv64_2', 'conv64_3']) s = this.residual(s, b);
      s = this.residualDown(s, 'conv128_down');
      for (const b of ['conv128_1', 'conv128_2']) s = this.residual(s, b);
      s = this.residualDown(s, 'conv256_down');
      for (const b of ['conv256_1', 'conv256_2']) s = this.residual(s, b);
      s = this.residualDown(s, 'conv256_down_out');
      return tf.matMul(tf.mean<tfc.Tensor2D>(s, [1, 2]), this.get('fc'));
    });
    try {
      const values = await descriptors.data();
      return crops.map((_, k) => Float32Array.from(values.subarray(k * 128, (k + 1) * 128)));
    } finally {
      descriptors.dispose();
    }
  }

  dispose(): void {
    for (const t of Object.values(this.w)) t.dispose();
  }
}
