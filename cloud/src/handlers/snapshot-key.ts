/**
 * Where a visit's frame is kept: grouped by door and UTC day so retention can drop whole days,
 * one key per (visit, seq), so a frame the door sends twice lands on the same key.
 */
export function visitSnapshotKey(doorId: string, at: number, visitId: string, seq: number): string {
  const day = new Date(at).toISOString().slice(0, 10);
  return `snapshots/${doorId}/${day}/${visitId}-${seq}.jpg`;
}
