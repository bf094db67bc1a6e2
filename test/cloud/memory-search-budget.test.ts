import { describe, expect, it } from 'vitest';
import { MemorySearchBudget } from '../../cloud/src/adapters/local/memory-search-budget.js';
import { searchBudgetContract } from '../contracts/search-budget.contract.js';

searchBudgetContract('memory', { open: async (limits) => new MemorySearchBudget(limits) });

describe('MemorySearchBudget', () => {
  it('refuses limits that could never grant a search', () => {
    expect(() => new MemorySearchBudget({ burst: 0, perSecond: 1 })).toThrow(/burst/);
    expect(() => new MemorySearchBudget({ burst: 2, perSecond: 0 })).toThrow(/perSecond/);
  });
});
