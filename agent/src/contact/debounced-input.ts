/**
 * A GPIO input with its own debounce: a level counts only once it has held for `debounceMs`.
 * Reed switches and push buttons chatter for a few milliseconds on every change; without this a
 * single opening would read as several. Done here rather than with onoff's `debounceTimeout` so
 * the rule is ours and tested (onoff cannot run off a Pi).
 */
import type { GpioInputLine } from './gpio-contact.js';

export interface DebouncedInputOptions {
  debounceMs: number;
  /** Called with each new stable level (not with the initial one). */
  onStable: (value: 0 | 1) => void;
  onError: (err: Error) => void;
}

export class DebouncedInput {
  private stable: 0 | 1;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly line: GpioInputLine,
    private readonly options: DebouncedInputOptions,
  ) {
    this.stable = line.readSync();
    line.watch((err, value) => {
      if (err) {
        this.options.onError(err);
        return;
      }
      this.edge(value);
    });
  }

  /** The last stable level. */
  get value(): 0 | 1 {
    return this.stable;
  }

  private edge(value: 0 | 1): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.options.debounceMs <= 0) {
      this.settle(value);
      return;
    }
    // Each edge restarts the wait; the level read once it is quiet is the one that counts.
    this.timer = setTimeout(() => {
      this.timer = null;
      let level: 0 | 1;
      try {
        level = this.line.readSync();
      } catch (err) {
        this.options.onError(err as Error);
        return;
      }
      this.settle(level);
    }, this.options.debounceMs);
  }

  private settle(value: 0 | 1): void {
    if (value === this.stable) return;
    this.stable = value;
    this.options.onStable(value);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.line.unwatchAll();
    this.line.unexport();
  }
}
