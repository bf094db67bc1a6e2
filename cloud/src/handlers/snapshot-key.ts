/** Where a decision's snapshot lives: grouped by door and UTC day so retention can drop whole days. */
export function snapshotKey(doorId: string, at: number, eventId: string): string {
  const day = new Date(at).toISOString().slice(0, 10);
  return `snapshots/${doorId}/${day}/${eventId}.jpg`;
}
