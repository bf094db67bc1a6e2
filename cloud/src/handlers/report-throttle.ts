/**
 * At most one report per key in a window: a door that keeps sending bad frames leaves one audit
 * event per problem a minute, not one per frame. Only for reports about faults; access decisions
 * are never throttled (each visit gets its own row). Per process: each Lambda container has its
 * own, which at worst reports a problem once per container per window.
 */
export class ReportThrottle {
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when the key may report now (and records that it did); false within the window of its last report. */
  shouldReport(key: string, now: number): boolean {
    const previous = this.lastAt.get(key);
    if (previous !== undefined && now - previous >= 0 && now - previous < this.windowMs) return false;
    this.lastAt.set(key, now);
    this.prune(now);
    return true;
  }

  private prune(now: number): void {
    if (this.lastAt.size < 1000) return;
    for (const [key, at] of this.lastAt) if (now - at >= this.windowMs) this.lastAt.delete(key);
  }
}
