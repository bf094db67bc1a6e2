import { describe, expect, it } from 'vitest';
import { Gallery } from '../../cloud/src/adapters/local/face-index/gallery.js';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};
const face = (faceId: string, personId: string, vector: Float32Array) => ({ faceId, personId, model: 'test', vector });

describe('gallery scoring', () => {
  it('scores a one-photo person by plain cosine and a several-photo person by their mean template less the offset', () => {
    const gallery = new Gallery(0.01);
    gallery.replaceAll([
      face('a1', 'alice', unit(1, 0, 0)),
      face('b1', 'bob', unit(0, 1, 0)),
      face('b2', 'bob', unit(0, 0, 1)),
    ]);
    const probe = unit(1, 1, 0);
    const [first, second] = gallery.bestPerPerson(probe);
    expect(first).toMatchObject({ personId: 'alice', faceId: 'a1' });
    expect(first!.score).toBeCloseTo(Math.SQRT1_2, 5);
    // bob's mean template is (0, 1, 1)/√2: cosine with the probe is 0.5, less the offset.
    expect(second).toMatchObject({ personId: 'bob', faceId: 'b1' });
    expect(second!.score).toBeCloseTo(0.5 - 0.01, 5);
  });

  it('keeps its per-person templates in step with additions and removals', () => {
    const gallery = new Gallery(0);
    gallery.replaceAll([face('b1', 'bob', unit(0, 1, 0))]);
    const probe = unit(0, 0, 1);
    expect(gallery.bestPerPerson(probe)[0]!.score).toBeCloseTo(0, 5);
    gallery.add(face('b2', 'bob', unit(0, 0, 1)));
    expect(gallery.bestPerPerson(probe)[0]!.score).toBeCloseTo(Math.SQRT1_2, 5);
    gallery.remove(new Set(['b1', 'b2']));
    expect(gallery.bestPerPerson(probe)).toEqual([]);
    expect(gallery.size).toBe(0);
  });
});
