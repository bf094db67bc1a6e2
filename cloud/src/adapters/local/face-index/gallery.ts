/**
 * In-memory gallery of decrypted embeddings for search. A person enrolled from several photos is
 * scored against the (re-normalised) mean of their templates rather than the best single one:
 * taking the maximum over templates gives every stranger several chances to score high, so a
 * threshold calibrated on one photo per person would let more strangers through as people add
 * photos; the mean keeps the impostor scores where the threshold was calibrated while averaging
 * out each photo's pose and lighting.
 *
 * The per-person templates live in one contiguous Float32Array (a row per person), and a search is
 * one pass of dot products over it that keeps only the best few candidates: no object per person
 * and no sort of the whole gallery. For embedding lengths that are a multiple of 16 (the engines'
 * 128 and 512) the matrix lives in WebAssembly memory and the dot products run in the SIMD kernel
 * of dot-kernel.wat; other lengths (and runtimes without SIMD) use the JavaScript loop below.
 * bench:search measures it (100,000 people: see docs/accuracy.md).
 */
import type { FaceMatch } from '../../../ports/face-index.js';
import { KernelMatrix } from './dot-kernel.js';
import type { StoredFace } from './store.js';

/** Every person's mean template for one embedding length, row by row. */
interface TemplateMatrix {
  dim: number;
  rows: Float32Array;
  personIds: string[];
  /** Representative face id (the first enrolled) for the match's faceId. */
  faceIds: string[];
  /** Templates averaged into each row (the offset applies from two). */
  templates: Uint16Array;
  /** The SIMD kernel holding `rows`, when it can serve this length. */
  kernel: KernelMatrix | null;
}

export interface GallerySearchOptions {
  /** Matches below this similarity (0..1) are left out. */
  minSimilarity: number;
  maxMatches: number;
}

export class Gallery {
  private faces: StoredFace[] = [];
  private matrices: Map<number, TemplateMatrix> | null = null;

  constructor(
    /** Subtracted from the cosine of people with two or more templates (see MULTI_TEMPLATE_OFFSET). */
    private readonly multiTemplateOffset = 0,
  ) {}

  replaceAll(faces: StoredFace[]): void {
    this.faces = faces.slice();
    this.matrices = null;
  }

  add(face: StoredFace): void {
    this.faces.push(face);
    this.matrices = null;
  }

  remove(faceIds: Set<string>): void {
    this.faces = this.faces.filter((f) => !faceIds.has(f.faceId));
    this.matrices = null;
  }

  /** Faces (templates) held. */
  get size(): number {
    return this.faces.length;
  }

  /** Distinct people with a template of this length (the gallery size a threshold depends on). */
  peopleCount(dim?: number): number {
    const matrices = this.build();
    if (dim !== undefined) return matrices.get(dim)?.personIds.length ?? 0;
    let n = 0;
    for (const m of matrices.values()) n += m.personIds.length;
    return n;
  }

  /**
   * The best `maxMatches` people at or above `minSimilarity`, best first, one per person: what
   * FaceIndex.search returns. Equal scores keep enrolment order (as a stable sort would).
   */
  search(probe: Float32Array, options: GallerySearchOptions): FaceMatch[] {
    const m = this.build().get(probe.length);
    const k = Math.max(0, Math.floor(options.maxMatches));
    if (!m || k === 0) return [];
    const { dim, rows, templates } = m;
    const offset = this.multiTemplateOffset;
    // Best k so far, sorted best first; a candidate enters only if strictly better than the last.
    const bestRow = new Int32Array(k);
    const bestScore = new Float64Array(k);
    let held = 0;
    const people = m.personIds.length;
    const scores = m.kernel?.score(probe);
    for (let r = 0, base = 0; r < people; r++, base += dim) {
      let score = scores ? scores[r]! : dot(rows, base, probe, dim);
      if (templates[r]! > 1) score -= offset;
      if (toSimilarity(score) < options.minSimilarity) continue;
      if (held === k && score <= bestScore[k - 1]!) continue;
      let at = held < k ? held++ : k - 1;
      while (at > 0 && bestScore[at - 1]! < score) {
        bestScore[at] = bestScore[at - 1]!;
        bestRow[at] = bestRow[at - 1]!;
        at--;
      }
      bestScore[at] = score;
      bestRow[at] = r;
    }
    const out: FaceMatch[] = [];
    for (let j = 0; j < held; j++) {
      const r = bestRow[j]!;
      out.push({ faceId: m.faceIds[r]!, personId: m.personIds[r]!, similarity: toSimilarity(bestScore[j]!) });
    }
    return out;
  }

  /** Cosine of the probe against every person's mean template (less the offset for several photos), best first. */
  bestPerPerson(probe: Float32Array): { faceId: string; personId: string; score: number }[] {
    const m = this.build().get(probe.length);
    if (!m) return [];
    const out: { faceId: string; personId: string; score: number }[] = [];
    const scores = m.kernel?.score(probe);
    for (let r = 0; r < m.personIds.length; r++) {
      let score = scores ? scores[r]! : dot(m.rows, r * m.dim, probe, m.dim);
      if (m.templates[r]! > 1) score -= this.multiTemplateOffset;
      out.push({ faceId: m.faceIds[r]!, personId: m.personIds[r]!, score });
    }
    return out.sort((a, b) => b.score - a.score);
  }

  /**
   * Mean templates per person, in order of each person's first face. A person whose faces have
   * different lengths (another model) keeps only those of their first face's length, as before.
   */
  private build(): Map<number, TemplateMatrix> {
    if (this.matrices) return this.matrices;
    const byPerson = new Map<string, { faceId: string; dim: number; faces: Float32Array[] }>();
    const countByDim = new Map<number, number>();
    for (const face of this.faces) {
      const current = byPerson.get(face.personId);
      if (!current) {
        byPerson.set(face.personId, { faceId: face.faceId, dim: face.vector.length, faces: [face.vector] });
        countByDim.set(face.vector.length, (countByDim.get(face.vector.length) ?? 0) + 1);
      } else if (current.dim === face.vector.length) current.faces.push(face.vector);
    }
    const matrices = new Map<number, TemplateMatrix>();
    for (const [dim, count] of countByDim) {
      const kernel = KernelMatrix.create(count, dim);
      matrices.set(dim, {
        dim,
        rows: kernel?.rows ?? new Float32Array(dim * count),
        personIds: [],
        faceIds: [],
        templates: new Uint16Array(count),
        kernel,
      });
    }
    for (const [personId, person] of byPerson) {
      const m = matrices.get(person.dim)!;
      const r = m.personIds.length;
      const row = m.rows.subarray(r * person.dim, (r + 1) * person.dim);
      // Sum in a Float32Array, as the previous per-person accumulation did, so scores are bit-identical.
      for (const v of person.faces) for (let i = 0; i < person.dim; i++) row[i]! += v[i]!;
      let norm = 0;
      for (const x of row) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < person.dim; i++) row[i]! /= norm;
      m.personIds.push(personId);
      m.faceIds.push(person.faceId);
      m.templates[r] = Math.min(person.faces.length, 65_535);
    }
    this.matrices = matrices;
    return matrices;
  }
}

/** rows[base..base+dim) · probe. Four running sums let the CPU overlap the multiply-adds. */
function dot(rows: Float32Array, base: number, probe: Float32Array, dim: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const tail = dim - (dim % 4);
  for (let i = 0; i < tail; i += 4) {
    s0 += rows[base + i]! * probe[i]!;
    s1 += rows[base + i + 1]! * probe[i + 1]!;
    s2 += rows[base + i + 2]! * probe[i + 2]!;
    s3 += rows[base + i + 3]! * probe[i + 3]!;
  }
  for (let i = tail; i < dim; i++) s0 += rows[base + i]! * probe[i]!;
  return s0 + s1 + s2 + s3;
}

/** Cosine (−1..1) → similarity 0..1 as the port promises. */
export function toSimilarity(cosine: number): number {
  return Math.min(1, Math.max(0, cosine));
}

export type { FaceMatch };
