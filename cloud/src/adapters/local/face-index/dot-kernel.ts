/**
 * A template matrix in WebAssembly memory, scored by the SIMD kernel of dot-kernel.wat: one probe
 * against every row in one call. Four float32 lanes make a 100,000-person search of 512-d
 * templates about four times faster than the JavaScript loop (bench:search, docs/accuracy.md).
 * Sums are float32 (about 1e-6 from a float64 sum of the same products), which no threshold notices.
 */
import { DOT_KERNEL_WASM_BASE64 } from './dot-kernel-wasm.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  scores(rows: number, probe: number, people: number, dim: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where this runtime has no WebAssembly SIMD (the caller scans in JS). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = Buffer.from(DOT_KERNEL_WASM_BASE64, 'base64');
  compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return compiled;
}

export class KernelMatrix {
  /** Row r of the matrix is rows[r*dim .. (r+1)*dim): fill it before the first score(). */
  readonly rows: Float32Array;
  private readonly probe: Float32Array;
  private readonly out: Float32Array;
  private readonly exports: KernelExports;

  private constructor(
    module: WebAssembly.Module,
    readonly people: number,
    readonly dim: number,
  ) {
    this.exports = new WebAssembly.Instance(module).exports as unknown as KernelExports;
    // Layout: probe, scores, rows; every part starts on 16 bytes (dim is a multiple of 16 floats).
    const probeAt = 0;
    const outAt = dim * 4;
    const rowsAt = outAt + Math.ceil((people * 4) / 16) * 16;
    const bytes = rowsAt + people * dim * 4;
    const have = this.exports.memory.buffer.byteLength;
    if (bytes > have) this.exports.memory.grow(Math.ceil((bytes - have) / 65_536));
    const buffer = this.exports.memory.buffer;
    this.probe = new Float32Array(buffer, probeAt, dim);
    this.out = new Float32Array(buffer, outAt, people);
    this.rows = new Float32Array(buffer, rowsAt, people * dim);
  }

  /** A matrix of `people` rows of `dim` floats, or null when the kernel cannot serve it. */
  static create(people: number, dim: number): KernelMatrix | null {
    if (people < 1 || dim < 16 || dim % 16 !== 0) return null;
    const module = kernelModule();
    return module ? new KernelMatrix(module, people, dim) : null;
  }

  /** rows · probe for every row; the returned view is overwritten by the next call. */
  score(probe: Float32Array): Float32Array {
    this.probe.set(probe);
    this.exports.scores(this.rows.byteOffset, this.probe.byteOffset, this.people, this.dim, this.out.byteOffset);
    return this.out;
  }
}
