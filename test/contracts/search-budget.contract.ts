/**
 * The SearchBudget port's behaviour, written once and run against each adapter (in memory here;
 * the DynamoDB adapter runs it against dynalite). Every case uses its own door ids, so an adapter
 * whose state outlives one case (a table) needs no reset.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SearchBudget, SearchBudgetLimits } from '../../cloud/src/ports/search-budget.js';

export interface SearchBudgetHarness {
  /** A budget with these limits (a fresh adapter, or one over a shared table). */
  open(limits: SearchBudgetLimits): Promise<SearchBudget>;
}

export function searchBudgetContract(name: string, harness: SearchBudgetHarness): void {
  describe(`SearchBudget contract: ${name}`, () => {
    const door = () => `door-${randomUUID().slice(0, 8)}`;
    const t0 = 1_800_000_000_000;

    it('grants the burst at once, then refuses', async () => {
      const budget = await harness.open({ burst: 3, perSecond: 1 });
      const d = door();
      const takes = [];
      for (let i = 0; i < 5; i++) takes.push(await budget.tryTake(d, t0));
      expect(takes).toEqual([true, true, true, false, false]);
    });

    it('earns searches back at the configured rate, never above the burst', async () => {
      const budget = await harness.open({ burst: 2, perSecond: 0.5 });
      const d = door();
      expect(await budget.tryTake(d, t0)).toBe(true);
      expect(await budget.tryTake(d, t0)).toBe(true);
      expect(await budget.tryTake(d, t0 + 1_000)).toBe(false); // half a search earned
      expect(await budget.tryTake(d, t0 + 2_000)).toBe(true); // one earned since t0
      // A long quiet spell refills to the burst, not beyond it.
      const later = t0 + 3_600_000;
      expect([await budget.tryTake(d, later), await budget.tryTake(d, later), await budget.tryTake(d, later)]).toEqual([
        true,
        true,
        false,
      ]);
    });

    it('keeps doors apart', async () => {
      const budget = await harness.open({ burst: 1, perSecond: 0.001 });
      const a = door();
      const b = door();
      expect(await budget.tryTake(a, t0)).toBe(true);
      expect(await budget.tryTake(a, t0)).toBe(false);
      expect(await budget.tryTake(b, t0)).toBe(true);
    });

    it('never grants more than the burst to takes racing each other', async () => {
      const budget = await harness.open({ burst: 4, perSecond: 0.001 });
      const d = door();
      const takes = await Promise.all(Array.from({ length: 12 }, () => budget.tryTake(d, t0)));
      expect(takes.filter(Boolean)).toHaveLength(4);
    });
  });
}
