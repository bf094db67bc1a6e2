import { describe, expect, it } from 'vitest';
import {
  boundsOf,
  mergeOverlapping,
  overlap,
  type Rect,
} from '../../cloud/src/adapters/local/face-engine/merge-overlapping.js';

interface Det {
  id: string;
  rect: Rect;
  score: number;
}
const rect = (x: number, y: number, width: number, height: number): Rect => ({ x, y, width, height });
const ids = (dets: Det[]) =>
  mergeOverlapping(
    dets,
    (d) => d.rect,
    (d) => d.score,
  ).map((d) => d.id);

describe('merging overlapping face detections', () => {
  it('keeps two people side by side and drops the repeat of one of them (tight mesh boxes measured on dev photos)', () => {
    // Donald_Pettit and Ellen_Pompeo, 640 px each side by side: the engine said "3 faces".
    const dets: Det[] = [
      { id: 'right person', rect: rect(859, 161, 316, 370), score: 0.47 },
      { id: 'left person, repeated', rect: rect(226, 139, 269, 373), score: 0.79 },
      { id: 'left person', rect: rect(262, 102, 151, 196), score: 1 },
    ];
    expect(ids(dets)).toEqual(['left person', 'right person']);
  });

  it('merges at IoU 0.3 and keeps the more confident detection', () => {
    // Two 100×100 boxes shifted by 46 px: IoU = 54/146 ≈ 0.37, containment 0.54.
    const a = { id: 'a', rect: rect(0, 0, 100, 100), score: 0.6 };
    const b = { id: 'b', rect: rect(46, 0, 100, 100), score: 0.9 };
    expect(overlap(a.rect, b.rect).iou).toBeCloseTo(54 / 146, 5);
    expect(ids([a, b])).toEqual(['b']);
  });

  it('keeps neighbours whose boxes only touch or overlap a little', () => {
    // Shifted by 80 px: IoU 20/180 ≈ 0.11, containment 0.2: two faces.
    const a = { id: 'a', rect: rect(0, 0, 100, 100), score: 0.9 };
    const b = { id: 'b', rect: rect(80, 0, 100, 100), score: 0.8 };
    const c = { id: 'c', rect: rect(180, 0, 100, 100), score: 0.7 };
    expect(ids([a, b, c])).toEqual(['a', 'b', 'c']);
  });

  it('drops a small box lying inside a larger, more confident one (containment, low IoU)', () => {
    const big = { id: 'big', rect: rect(0, 0, 300, 300), score: 0.95 };
    const inside = { id: 'inside', rect: rect(100, 100, 80, 80), score: 0.9 };
    expect(overlap(big.rect, inside.rect).iou).toBeLessThan(0.1);
    expect(ids([inside, big])).toEqual(['big']);
  });

  it('bounds mesh points and copes with none', () => {
    expect(
      boundsOf([
        [10, 20, 0],
        [30, 5, 1],
        [15, 40, 2],
      ]),
    ).toEqual(rect(10, 5, 20, 35));
    expect(boundsOf([])).toEqual(rect(0, 0, 0, 0));
    expect(ids([])).toEqual([]);
  });
});
