/**
 * Collapses a burst of identical decisions (the same person at the same door with the same
 * result, frame after frame while they stand there) into one audit event. Per process: each
 * Lambda instance has its own, which at worst logs a repeat the window would have hidden.
 */
export class RepeatWindow {
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when the same key was recorded within the window; otherwise records it now. */
  isRepeat(key: string, now: number): boolean {
    const previous = this.lastAt.get(key);
    if (previous !== undefined && now - previous >= 0 && now - previous < this.windowMs) return true;
    this.lastAt.set(key, now);
    this.prune(now);
    return false;
  }

  private prune(now: number): void {
    if (this.lastAt.size < 1000) return;
    for (const [key, at] of this.lastAt) if (now - at >= this.windowMs) this.lastAt.delete(key);
  }
}
