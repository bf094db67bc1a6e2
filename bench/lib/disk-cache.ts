/**
 * A benchmark's memo of expensive, deterministic results (an engine analysis, a face gate's
 * verdict), keyed by the SHA-256 of the image bytes and a namespace naming the code and settings
 * that produced them (recipe id, gate limits). Kept as one append-only JSON-lines file, so a run
 * that is stopped half way keeps what it computed and the next run resumes from there.
 *
 * Only for benchmarks: reruns of bench:accuracy (other --enroll values, other fusion rules, the
 * experiments of docs/accuracy.md) then cost minutes instead of hours. Identical bytes give
 * identical results because the engine and the gate are deterministic; a change of code that
 * changes results must change the namespace (or delete the file).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface Entry<T> {
  key: string;
  /** Wall time of the original computation, so timings of a cached run stay meaningful. */
  ms: number;
  value: T;
}

export interface DiskCacheStats {
  hits: number;
  misses: number;
  /** Entries read from the file when opened. */
  loaded: number;
}

export class DiskCache<T> {
  private readonly entries = new Map<string, { ms: number; value: T }>();
  private readonly fd: number;
  /** Bytes of the file read so far (another process may append: see refresh()). */
  private readOffset = 0;
  readonly stats: DiskCacheStats = { hits: 0, misses: 0, loaded: 0 };
  /** While false, get() always misses and set() stores nothing (timing passes). */
  enabled = true;

  constructor(
    readonly file: string,
    private readonly namespace: string,
    private readonly codec: { encode(value: T): unknown; decode(raw: unknown): T },
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a+');
    this.refresh();
    this.stats.loaded = this.entries.size;
  }

  /**
   * Reads what was appended to the file since the last read: another process (a cache warmer,
   * bench/warm-visit-cache.ts) may be filling the same file. Our own lines are read back too,
   * harmlessly. A line still being written is left for the next refresh.
   */
  refresh(): void {
    const size = fs.fstatSync(this.fd).size;
    if (size <= this.readOffset) return;
    const buf = Buffer.alloc(size - this.readOffset);
    fs.readSync(this.fd, buf, 0, buf.length, this.readOffset);
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return;
    this.readOffset += end + 1;
    for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const raw = JSON.parse(line) as Entry<unknown>;
        if (!this.entries.has(raw.key)) this.entries.set(raw.key, { ms: raw.ms, value: this.codec.decode(raw.value) });
      } catch {
        // A line cut short by a stopped run: recomputed when needed.
      }
    }
  }

  key(bytes: Uint8Array): string {
    return createHash('sha256').update(this.namespace).update('\0').update(bytes).digest('hex');
  }

  /** The stored result and how long it took to compute, without counting a hit or a miss. */
  peek(bytes: Uint8Array): { ms: number; value: T } | undefined {
    if (!this.enabled) return undefined;
    const key = this.key(bytes);
    if (!this.entries.has(key)) this.refresh();
    return this.entries.get(key);
  }

  /** As peek, by a key from key(): lets a caller that noted the keys skip re-creating the bytes. */
  peekKey(key: string): { ms: number; value: T } | undefined {
    if (!this.enabled) return undefined;
    if (!this.entries.has(key)) this.refresh();
    return this.entries.get(key);
  }

  get(bytes: Uint8Array): T | undefined {
    const hit = this.peek(bytes);
    if (!this.enabled) return undefined;
    if (hit) this.stats.hits++;
    else this.stats.misses++;
    return hit?.value;
  }

  set(bytes: Uint8Array, value: T, ms: number): void {
    if (!this.enabled) return;
    const key = this.key(bytes);
    if (this.entries.has(key)) return;
    this.entries.set(key, { ms, value });
    fs.writeSync(
      this.fd,
      JSON.stringify({ key, ms: Math.round(ms * 10) / 10, value: this.codec.encode(value) }) + '\n',
    );
  }

  /** Computes through the cache; the second element says whether it was computed now. */
  async through(bytes: Uint8Array, compute: () => Promise<T>): Promise<{ value: T; ms: number; cached: boolean }> {
    const hit = this.peek(bytes);
    if (hit) {
      this.stats.hits++;
      return { value: hit.value, ms: hit.ms, cached: true };
    }
    if (this.enabled) this.stats.misses++;
    const start = performance.now();
    const value = await compute();
    const ms = performance.now() - start;
    this.set(bytes, value, ms);
    return { value, ms, cached: false };
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
