/**
 * Per-key token buckets: each key may spend `burst` at once and earns `perSecond` back. Plain
 * function of the clock passed in (no timers). The number of keys is bounded: the least recently
 * used key is forgotten first, so many door ids cannot grow the map without limit.
 */
export interface TokenBucketOptions {
  burst: number;
  perSecond: number;
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Spends one token of `key` at time `now` (ms); false when the bucket is empty. */
  take(key: string, now: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    const earned = (Math.max(0, now - bucket.at) / 1000) * this.options.perSecond;
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + earned);
    bucket.at = now;
    this.buckets.delete(key); // re-insert: Map order is the LRU order
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** The last `size` ids seen per key, to recognise a resent message. Bounded per key and in keys. */
export class RecentIds {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly size: number,
    private readonly maxKeys = 10_000,
  ) {}

  has(key: string, id: string): boolean {
    return this.seen.get(key)?.has(id) ?? false;
  }

  remember(key: string, id: string): void {
    let ids = this.seen.get(key);
    if (!ids) {
      ids = new Set();
      this.seen.set(key, ids);
      if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
    }
    ids.add(id);
    if (ids.size > this.size) ids.delete(ids.values().next().value as string);
  }
}
