/**
 * Whether the face the gate just passed can still be the person the visit under way follows, or
 * must be someone else who stepped up within the idle window (the first person walked through,
 * the next one is already in view). Without this, the second person joins the first one's visit,
 * which the back end has already answered: no decision and no access-log row for them.
 *
 * The rule, chosen on the frames bench:visits renders (bench/lib/visit-render.ts: 24 walk-ups of
 * dev photos, 6 frames each, every pair of gated frames of one walk-up, and the last gated face
 * of each walk-up against the first of the next one):
 *
 * - Size. A person walking up to the door only comes closer: their face grows (later/earlier box
 *   side within one walk-up: 0.86 at the least, the detector's jitter; median 1.33). The next
 *   person starts further back: their first face against the last face of the one before was
 *   0.32-0.83 (median 0.50). A face that shrank below 0.75 of the last one seen is a new person:
 *   22 of those 23 hand-overs, and no pair of frames of one walk-up.
 * - Position. The renders keep every face near the centre (centre shift within a walk-up at most
 *   0.66 box sides), so a jump says nothing there; at a real door a second person can stand
 *   beside the first. A walker crosses the picture at most ≈ 7.5 box sides a second (1.5 m/s,
 *   BlazeFace's box ≈ 0.2 m at least), so a centre that moved more than 1.5 box sides (jitter,
 *   a turned head) plus that much per second since the last face cannot be the same person. At
 *   5 judged frames a second that is a jump of 3 box sides; after a long gap it never fires,
 *   since nothing then tells a walker from a newcomer.
 *
 * A wrong split costs one more search and one more row for the same person; a missed split loses
 * the second person's decision and row. Neither opens the door for anyone the back end refused.
 */

/** Where a gated face is, in pixels of the judged frame. */
export interface FacePlace {
  cx: number;
  cy: number;
  /** Box side (the gate's sizePx). */
  size: number;
}

/** Later / earlier box side below this: the face shrank, so it is someone further back. */
export const SHRINK_RATIO = 0.75;
/** Centre jump, in box sides, that detector jitter and head movement stay under. */
export const JUMP_BOX_SIDES = 1.5;
/** How far a walker's face can cross the picture per millisecond, in box sides. */
export const WALK_BOX_SIDES_PER_MS = 7.5 / 1000;

export function placeOfBox(box: { x: number; y: number; width: number; height: number }, size: number): FacePlace {
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, size };
}

/** True when `next`, seen `elapsedMs` after `last`, cannot be the same walking person. */
export function isNewPerson(last: FacePlace, next: FacePlace, elapsedMs: number): boolean {
  if (last.size <= 0 || next.size <= 0) return false;
  if (next.size / last.size < SHRINK_RATIO) return true;
  const shift = Math.hypot(next.cx - last.cx, next.cy - last.cy) / Math.max(last.size, next.size);
  return shift > JUMP_BOX_SIDES + WALK_BOX_SIDES_PER_MS * Math.max(0, elapsedMs);
}
