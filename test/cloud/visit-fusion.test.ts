import { describe, expect, it } from 'vitest';
import { FUSION_RULES, fuseVisit, meanFusion, type FusionRule } from '../../cloud/src/domain/visit-fusion.js';

const c = (personId: string, similarity: number) => ({ personId, similarity });

describe('fuseVisit (mean rule)', () => {
  it('one frame: its own ranking', () => {
    expect(fuseVisit([[c('ann', 0.97), c('bob', 0.6)]])).toEqual([
      { personId: 'ann', score: 0.97, listedIn: 1 },
      { personId: 'bob', score: 0.6, listedIn: 1 },
    ]);
  });

  it('averages a person over the frames that listed them', () => {
    const fused = fuseVisit([
      [c('ann', 0.96), c('bob', 0.7)],
      [c('ann', 0.94), c('bob', 0.8)],
    ]);
    expect(fused.map((f) => f.personId)).toEqual(['ann', 'bob']);
    expect(fused[0]!.score).toBeCloseTo(0.95, 10);
    expect(fused[1]!.score).toBeCloseTo(0.75, 10);
  });

  it("counts a person missing from a frame as that frame's lowest listed score", () => {
    // A stranger's single lucky frame: 0.97 for eve once, then a frame where eve is not listed at all.
    const fused = fuseVisit([
      [c('eve', 0.97), c('bob', 0.5)],
      [c('bob', 0.62), c('ann', 0.55)],
    ]);
    const eve = fused.find((f) => f.personId === 'eve')!;
    expect(eve.score).toBeCloseTo((0.97 + 0.55) / 2, 10);
    expect(eve.listedIn).toBe(1);
    const ann = fused.find((f) => f.personId === 'ann')!;
    expect(ann.score).toBeCloseTo((0.5 + 0.55) / 2, 10);
    expect(fused[0]!.personId).toBe('eve');
  });

  it('a frame with a face but nobody listed counts 0 for everyone', () => {
    const fused = fuseVisit([[c('ann', 0.9)], []]);
    expect(fused).toEqual([{ personId: 'ann', score: 0.45, listedIn: 1 }]);
  });

  it('no frames, no candidates; ties rank by person id', () => {
    expect(fuseVisit([])).toEqual([]);
    expect(fuseVisit([[c('zed', 0.8), c('abe', 0.8)]]).map((f) => f.personId)).toEqual(['abe', 'zed']);
  });

  it('the rule is swappable and named', () => {
    const maxRule: FusionRule = (frames) =>
      frames
        .flat()
        .map((x) => ({ personId: x.personId, score: x.similarity, listedIn: 1 }))
        .sort((a, b) => b.score - a.score);
    expect(fuseVisit([[c('ann', 0.9)], [c('ann', 0.3)]], maxRule)[0]!.score).toBe(0.9);
    expect(FUSION_RULES.mean).toBe(meanFusion);
  });
});
