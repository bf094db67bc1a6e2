/** migrate-to-aws progress: rewritten in place on a terminal, one line every interval into a pipe, always the last. */
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../cli/migrate/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, output: { isTTY, write: (text: string) => void chunks.push(text) } };
}

describe('migration progress', () => {
  it('into a pipe: a line when the interval has passed, not one per item, and the final summary', () => {
    let now = 0;
    const { chunks, output } = sink(false);
    const progress = createProgress(output, { intervalMs: 5_000, now: () => now });
    progress.start('events', 1000);
    for (let done = 1; done <= 1000; done++) {
      now += 20; // 20 s for the whole kind
      progress.update(done);
    }
    progress.finish('1000 of 1000 (moved 1000, 0 already there)');
    expect(chunks).toEqual([
      'events: 250 of 1000\n',
      'events: 500 of 1000\n',
      'events: 750 of 1000\n',
      'events: 1000 of 1000\n',
      'events: 1000 of 1000 (moved 1000, 0 already there)\n',
    ]);
  });

  it('on a terminal: one line rewritten in place, ended by the summary', () => {
    const { chunks, output } = sink(true);
    const progress = createProgress(output, { now: () => 0 });
    progress.start('people', 2);
    progress.update(1);
    progress.update(2);
    progress.finish('2 of 2 (moved 2, 0 already there)');
    expect(chunks.join('')).toBe(
      '\rpeople: 0 of 2\rpeople: 1 of 2\rpeople: 2 of 2\r\x1b[Kpeople: 2 of 2 (moved 2, 0 already there)\n',
    );
  });
});
