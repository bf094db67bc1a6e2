/** Exponential backoff with jitter, for restarting camera processes and retrying the first connection. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** 0..1: the delay is randomly reduced by up to this fraction so many doors do not retry in step. */
  jitter?: number;
}

export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt; each call doubles it up to maxMs. */
  next(): number {
    const { minMs, maxMs, jitter = 0.2 } = this.options;
    const raw = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(raw * (1 - Math.random() * jitter));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** setTimeout as a promise that a stop signal can cut short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
