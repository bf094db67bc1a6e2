/**
 * Non-maximum suppression over the detector's final faces. BlazeFace's own NMS runs on its raw
 * anchors; after FaceMesh refines each detection the same face can come back twice (measured: two
 * people side by side at 640 px each gave "3 faces", a face found once with a tight box and again
 * inside a box spanning most of the photo). Overlap is judged on the tight box around the 468
 * mesh points, not on Human's enlarged box, which reaches the neighbouring face: on side-by-side
 * pairs of different people the tight boxes never overlapped, while the duplicate's lay 81 %
 * inside the face it repeated (IoU 0.23).
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MergeLimits {
  /** Intersection over union at or above which two detections are one face. */
  iou: number;
  /** Share of the smaller box inside the other at or above which they are one face. */
  containment: number;
}

/**
 * 0.3 IoU is the usual NMS figure; containment 0.5 catches a repeat inside a bigger box. Two real
 * faces whose tight boxes overlap by half would hide each other's eyes and nose.
 */
export const DEFAULT_MERGE_LIMITS: MergeLimits = { iou: 0.3, containment: 0.5 };

function area(r: Rect): number {
  return Math.max(0, r.width) * Math.max(0, r.height);
}

export function overlap(a: Rect, b: Rect): { iou: number; containment: number } {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = area(a) + area(b) - inter;
  const smaller = Math.min(area(a), area(b));
  return { iou: union > 0 ? inter / union : 0, containment: smaller > 0 ? inter / smaller : 0 };
}

/** The axis-aligned box around landmark points ([x, y, …] each). */
export function boundsOf(points: readonly (readonly number[])[]): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x === undefined || y === undefined) continue;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  if (minX > maxX) return { x: 0, y: 0, width: 0, height: 0 };
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/**
 * Greedy NMS: most confident first (larger box on a tie); a detection overlapping one already
 * kept beyond either limit is dropped. Returns the kept items in that order.
 */
export function mergeOverlapping<T>(
  items: readonly T[],
  rectOf: (item: T) => Rect,
  scoreOf: (item: T) => number,
  limits: MergeLimits = DEFAULT_MERGE_LIMITS,
): T[] {
  const ranked = items
    .map((item) => ({ item, rect: rectOf(item), score: scoreOf(item) }))
    .sort((a, b) => b.score - a.score || area(b.rect) - area(a.rect));
  const kept: typeof ranked = [];
  for (const candidate of ranked) {
    const duplicate = kept.some((k) => {
      const o = overlap(k.rect, candidate.rect);
      return o.iou >= limits.iou || o.containment >= limits.containment;
    });
    if (!duplicate) kept.push(candidate);
  }
  return kept.map((k) => k.item);
}
