/**
 * rekognition-local's Similarity scale (monotone, anchored where the tune-half fit puts 5 % / 1 % /
 * 0.1 % of strangers) and its collections' persistence (sealed SQLite files reopened).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import {
  REFERENCE_COLLECTION_FACES,
  scoreAtStrangerRate,
  similarityScale,
} from '../../cloud/src/adapters/local/rekognition-local/similarity-scale.js';
import { CollectionRegistry } from '../../cloud/src/adapters/local/rekognition-local/collections.js';
import { thresholdFor } from '../../cloud/src/adapters/local/face-index/thresholds.js';
import { DEFAULT_RECIPE_ID } from '../../cloud/src/adapters/local/face-engine/recipes.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

describe('Similarity scale', () => {
  const scale = similarityScale();

  it('is monotone over the whole score range and stays in 0..100', () => {
    let previous = -Infinity;
    for (let score = -1; score <= 1.0001; score += 0.002) {
      const s = scale.toSimilarity(score);
      expect(s).toBeGreaterThanOrEqual(previous);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(100);
      previous = s;
    }
    expect(scale.toSimilarity(1)).toBe(100);
  });

  it('puts 80 / 90 / 99 where the fitted tail lets in 5 % / 1 % / 0.1 % of strangers', () => {
    expect(scale.toSimilarity(scoreAtStrangerRate(0.05, REFERENCE_COLLECTION_FACES))).toBeCloseTo(80, 6);
    expect(scale.toSimilarity(scoreAtStrangerRate(0.01, REFERENCE_COLLECTION_FACES))).toBeCloseTo(90, 6);
    expect(scale.toSimilarity(scoreAtStrangerRate(0.001, REFERENCE_COLLECTION_FACES))).toBeCloseTo(99, 6);
    // 99 is the local back end's own default threshold for a gallery of that size.
    expect(scale.fromSimilarity(99)).toBeCloseTo(thresholdFor(DEFAULT_RECIPE_ID, REFERENCE_COLLECTION_FACES), 4);
  });

  it('inverts: fromSimilarity(T) is the lowest score reported at T', () => {
    for (const t of [0, 10, 50, 70, 80, 85, 90, 95, 99, 99.5, 100]) {
      const score = scale.fromSimilarity(t);
      expect(scale.toSimilarity(score)).toBeCloseTo(t, 9);
      if (t > 0) expect(scale.toSimilarity(score - 1e-4)).toBeLessThan(t);
    }
  });
});

describe('collections on disk', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) removeDir(dir);
  });

  it('keeps faces and their records across a reopen, and deleting a collection removes its file', () => {
    dir = makeTempDir('rekognition-local');
    const dataKey = randomBytes(32);
    const options = { dir, dataKey, model: 'dlib-tta-v1', logger: silentLogger() };
    const vector = new Float32Array(128).fill(1 / Math.sqrt(128));
    const first = new CollectionRegistry(options);
    const face = first.create('staff').add(
      {
        ImageId: 'img-1',
        ExternalImageId: 'alice',
        BoundingBox: { Width: 0.5, Height: 0.5, Left: 0.1, Top: 0.2 },
        Confidence: 99,
      },
      vector,
    );
    first.create('visitors');
    first.close();

    const second = new CollectionRegistry(options);
    expect(second.ids()).toEqual(['staff', 'visitors']);
    expect(second.get('staff').list()).toEqual([face]);
    expect(
      second
        .get('staff')
        .search(vector, 0.99, 5)
        .map((m) => m.record.ExternalImageId),
    ).toEqual(['alice']);
    second.delete('staff');
    second.close();

    const third = new CollectionRegistry(options);
    expect(third.ids()).toEqual(['visitors']);
    expect(() => third.get('staff')).toThrow(/does not exist/);
    third.close();
    // Another data key cannot read the faces (they are sealed): the collection opens empty of them.
    const other = new CollectionRegistry({ ...options, dataKey: randomBytes(32) });
    expect(other.get('visitors').faceCount).toBe(0);
    other.close();
  });
});
