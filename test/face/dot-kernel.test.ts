import { describe, expect, it } from 'vitest';
import { KernelMatrix } from '../../cloud/src/adapters/local/face-index/dot-kernel.js';
import { DOT_KERNEL_WASM_BASE64 } from '../../cloud/src/adapters/local/face-index/dot-kernel-wasm.js';
import { seededRandom } from '../../bench/lib/visit-render.js';
// @ts-expect-error a plain ES module script without types
import { assembleDotKernel } from '../../scripts/build-dot-kernel.mjs';

function unit(dim: number, rnd: () => number): Float32Array {
  const v = Float32Array.from({ length: dim }, () => rnd() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('the gallery SIMD kernel', () => {
  it('is the assembly of dot-kernel.wat as committed (run scripts/build-dot-kernel.mjs after editing it)', async () => {
    expect(await assembleDotKernel()).toBe(DOT_KERNEL_WASM_BASE64);
  });

  it('scores every row as a float64 dot product would, to float32 rounding', () => {
    const rnd = seededRandom('dot-kernel-test');
    for (const [people, dim] of [
      [1, 16],
      [3, 128],
      [257, 512],
    ] as const) {
      const kernel = KernelMatrix.create(people, dim)!;
      expect(kernel).not.toBeNull();
      const rows: Float32Array[] = [];
      for (let r = 0; r < people; r++) {
        const row = unit(dim, rnd);
        rows.push(row);
        kernel.rows.set(row, r * dim);
      }
      for (let s = 0; s < 5; s++) {
        const probe = unit(dim, rnd);
        const got = kernel.score(probe);
        expect(got.length).toBe(people);
        rows.forEach((row, r) => {
          let want = 0;
          for (let i = 0; i < dim; i++) want += row[i]! * probe[i]!;
          expect(Math.abs(got[r]! - want)).toBeLessThan(1e-6);
        });
      }
    }
  });

  it('declines lengths it cannot serve, so the gallery scans those in JavaScript', () => {
    expect(KernelMatrix.create(10, 5)).toBeNull();
    expect(KernelMatrix.create(10, 24)).toBeNull();
    expect(KernelMatrix.create(0, 128)).toBeNull();
  });
});
