/** The cost estimate (`npm run cost`): arithmetic from the price table, the ceiling, and the command's input checks. */
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_INPUTS, estimateMonthlyCost, searchCeiling } from '../../infra/cost/estimate.js';
import { PRICE_TABLE } from '../../infra/cost/price-table.js';

const example = { ...DEFAULT_INPUTS, doors: 10, people: 500, entriesPerDay: 300 };
const line = (lines: { item: string; usd: number }[], item: string) => lines.find((l) => l.item === item)!.usd;

describe('monthly cost estimate', () => {
  it('prices searches, faces and doors from the table, and totals the lines', () => {
    const { lines, total } = estimateMonthlyCost(example);
    const searches = 300 * 30.42 * DEFAULT_INPUTS.searchesPerEntry;
    expect(line(lines, 'Rekognition searches')).toBeCloseTo(searches * PRICE_TABLE.rekognition.perImage, 6);
    expect(line(lines, 'Rekognition face storage')).toBeCloseTo(1500 * PRICE_TABLE.rekognition.perStoredFaceMonth, 9);
    expect(line(lines, 'IoT Core connectivity')).toBeCloseTo(((10 * 730 * 60) / 1e6) * 0.08, 9);
    expect(total).toBeCloseTo(
      lines.reduce((s, l) => s + l.usd, 0),
      9,
    );
    // The worked example in infra/README.md.
    expect(total.toFixed(2)).toBe('45.62');
  });

  it('scales the per-entry lines with entries and searches per entry, not the fixed ones', () => {
    const base = estimateMonthlyCost({ ...example, searchesPerEntry: 4 }).lines;
    const double = estimateMonthlyCost({ ...example, entriesPerDay: 600, searchesPerEntry: 2 }).lines;
    expect(line(double, 'Rekognition searches')).toBeCloseTo(line(base, 'Rekognition searches'), 9); // 2×entries, ½ searches
    expect(line(double, 'Admin host')).toBe(line(base, 'Admin host'));
    expect(line(double, 'S3 snapshots')).toBeGreaterThan(line(base, 'S3 snapshots'));
  });

  it('caps searches by the per-door budget or the reserved concurrency, whichever is lower', () => {
    expect(searchCeiling(10, 0.5, 10, 0.6).searchesPerSecond).toBe(5);
    expect(searchCeiling(100, 0.5, 10, 0.5).searchesPerSecond).toBe(20);
  });

  it('the command refuses a missing or negative input with exit code 2', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { main } = await import('../../infra/cost/cli.js');
    expect(main(['--doors', '10'])).toBe(2);
    expect(main(['--doors=-1', '--people', '5', '--entries-per-day', '3'])).toBe(2);
    expect(errors).toEqual(['cost: --people is required', 'cost: --doors must be a number >= 0, got "-1"']);
    expect(main(['--doors', '10', '--people', '500', '--entries-per-day', '300'])).toBe(0);
    expect(logs.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/Total\s+45\.62/);
    vi.restoreAllMocks();
  });
});
