/**
 * Progress of a long copy, "N of M" per kind. On a terminal one line is rewritten in place; into
 * a pipe or a log (systemd, CI, `| tee`) a line is printed at most every `intervalMs`, plus the
 * last one, so the log shows the run is alive without a line per item.
 */
export interface ProgressOutput {
  write(text: string): void;
  readonly isTTY?: boolean;
}

export interface Progress {
  /** Begins a kind of item: `label` such as "people", `total` items to look at. */
  start(label: string, total: number): void;
  /** `done` items of the current kind are finished (moved or found already there). */
  update(done: number): void;
  /** Ends the current kind with a final line, e.g. "people: 12 of 12 (3 already there)". */
  finish(summary: string): void;
}

export function createProgress(
  output: ProgressOutput,
  options: { intervalMs?: number; now?: () => number } = {},
): Progress {
  const intervalMs = options.intervalMs ?? 5_000;
  const now = options.now ?? Date.now;
  const tty = output.isTTY === true;
  let label = '';
  let total = 0;
  let done = 0;
  let lastLine = 0;
  const line = () => `${label}: ${done} of ${total}`;
  return {
    start(nextLabel, nextTotal) {
      label = nextLabel;
      total = nextTotal;
      done = 0;
      lastLine = now();
      if (tty) output.write(`\r${line()}`);
    },
    update(nextDone) {
      done = nextDone;
      if (tty) output.write(`\r${line()}`);
      else if (now() - lastLine >= intervalMs) {
        lastLine = now();
        output.write(`${line()}\n`);
      }
    },
    finish(summary) {
      output.write(`${tty ? '\r\x1b[K' : ''}${label}: ${summary}\n`);
    },
  };
}
