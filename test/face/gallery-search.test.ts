import { describe, expect, it } from 'vitest';
import { Gallery, toSimilarity } from '../../cloud/src/adapters/local/face-index/gallery.js';
import type { StoredFace } from '../../cloud/src/adapters/local/face-index/store.js';
import { seededRandom } from '../../bench/lib/visit-render.js';

/**
 * The gallery before it kept its templates in one matrix (commit 256519b): a Float32Array per
 * person, a sequential dot product, every person scored and sorted, then FaceIndex.search's
 * map / filter / slice. The fast scan must return the same people in the same order, up to the
 * SIMD kernel's float32 sums: where two people's scores are within 1e-6 of each other it may
 * order them either way.
 */
function referenceSearch(
  faces: StoredFace[],
  offset: number,
  probe: Float32Array,
  minSimilarity: number,
  maxMatches: number,
): { faceId: string; personId: string; similarity: number }[] {
  const byPerson = new Map<string, { personId: string; faceId: string; templates: number; vector: Float32Array }>();
  for (const face of faces) {
    const current = byPerson.get(face.personId);
    if (!current)
      byPerson.set(face.personId, {
        personId: face.personId,
        faceId: face.faceId,
        templates: 1,
        vector: Float32Array.from(face.vector),
      });
    else if (current.vector.length === face.vector.length) {
      for (let i = 0; i < face.vector.length; i++) current.vector[i]! += face.vector[i]!;
      current.templates += 1;
    }
  }
  const out: { faceId: string; personId: string; score: number }[] = [];
  for (const person of byPerson.values()) {
    let norm = 0;
    for (const x of person.vector) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < person.vector.length; i++) person.vector[i]! /= norm;
    if (person.vector.length !== probe.length) continue;
    let score = 0;
    for (let i = 0; i < probe.length; i++) score += person.vector[i]! * probe[i]!;
    if (person.templates > 1) score -= offset;
    out.push({ faceId: person.faceId, personId: person.personId, score });
  }
  return out
    .sort((a, b) => b.score - a.score)
    .map((m) => ({ faceId: m.faceId, personId: m.personId, similarity: toSimilarity(m.score) }))
    .filter((m) => m.similarity >= minSimilarity)
    .slice(0, maxMatches);
}

function vector(dim: number, rnd: () => number, common = 0): Float32Array {
  // A shared component, as dlib vectors have, puts many scores close together near the top.
  const v = Float32Array.from({ length: dim }, (_, i) => rnd() - 0.5 + (i === 0 ? common : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('gallery search over one template matrix', () => {
  it('returns the same people, order and similarities as the previous per-person scan', () => {
    const rnd = seededRandom('gallery-search-test');
    for (const [people, dim, common] of [
      [1, 3, 0],
      [7, 5, 0],
      [300, 128, 2],
      [1000, 128, 4],
      [500, 512, 0],
    ] as const) {
      const faces: StoredFace[] = [];
      for (let p = 0; p < people; p++) {
        const photos = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < photos; k++)
          faces.push({ faceId: `f${p}-${k}`, personId: `p${p}`, model: 'm', vector: vector(dim, rnd, common) });
      }
      // A stray template of another length for one person is ignored for them, as before.
      faces.push({ faceId: 'odd', personId: 'p0', model: 'm', vector: vector(dim + 1, rnd) });
      const gallery = new Gallery(0.006);
      gallery.replaceAll(faces);
      for (let s = 0; s < 10; s++) {
        const probe = vector(dim, rnd, common);
        for (const [minSimilarity, maxMatches] of [
          [0, 1],
          [0, 5],
          [0.5, 1000],
          [0.9, 3],
        ] as const) {
          const got = gallery.search(probe, { minSimilarity, maxMatches });
          const want = referenceSearch(faces, 0.006, probe, minSimilarity, maxMatches);
          const everyone = new Map(referenceSearch(faces, 0.006, probe, 0, Infinity).map((m) => [m.personId, m]));
          expect(got.length).toBe(want.length);
          got.forEach((m, i) => {
            // The same ranking of similarities, and each person returned with their own score and face.
            expect(m.similarity).toBeCloseTo(want[i]!.similarity, 6);
            const own = everyone.get(m.personId)!;
            expect(m.faceId).toBe(own.faceId);
            expect(m.similarity).toBeCloseTo(own.similarity, 6);
          });
          expect(new Set(got.map((m) => m.personId)).size).toBe(got.length);
        }
      }
      expect(gallery.peopleCount(dim)).toBe(people);
    }
  });

  it('keeps the first enrolled of equal scores first, as a stable sort did', () => {
    const gallery = new Gallery(0);
    const same = Float32Array.from([0.6, 0.8]);
    gallery.replaceAll([
      { faceId: 'a', personId: 'anna', model: 'm', vector: same },
      { faceId: 'b', personId: 'ben', model: 'm', vector: same },
      { faceId: 'c', personId: 'cleo', model: 'm', vector: same },
    ]);
    expect(gallery.search(same, { minSimilarity: 0, maxMatches: 2 }).map((m) => m.personId)).toEqual(['anna', 'ben']);
  });

  it('follows additions and removals', () => {
    const gallery = new Gallery(0);
    gallery.add({ faceId: 'a', personId: 'anna', model: 'm', vector: Float32Array.from([1, 0]) });
    expect(gallery.search(Float32Array.from([0, 1]), { minSimilarity: 0.5, maxMatches: 5 })).toEqual([]);
    gallery.add({ faceId: 'b', personId: 'ben', model: 'm', vector: Float32Array.from([0, 1]) });
    expect(gallery.search(Float32Array.from([0, 1]), { minSimilarity: 0.5, maxMatches: 5 })).toEqual([
      { faceId: 'b', personId: 'ben', similarity: 1 },
    ]);
    gallery.remove(new Set(['b']));
    expect(gallery.peopleCount()).toBe(1);
    expect(gallery.search(Float32Array.from([0, 1]), { minSimilarity: 0.5, maxMatches: 5 })).toEqual([]);
  });
});
