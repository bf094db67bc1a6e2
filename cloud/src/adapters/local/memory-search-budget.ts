/** The search budget of a single back-end process (the local stack): a token bucket per door. */
import { TokenBuckets } from '../../domain/token-bucket.js';
import { DEFAULT_SEARCH_BUDGET, type SearchBudget, type SearchBudgetLimits } from '../../ports/search-budget.js';

export class MemorySearchBudget implements SearchBudget {
  private readonly buckets: TokenBuckets;

  constructor(limits: SearchBudgetLimits = DEFAULT_SEARCH_BUDGET) {
    if (!(limits.burst >= 1) || !(limits.perSecond > 0)) {
      throw new Error(`search budget needs burst >= 1 and perSecond > 0, got ${JSON.stringify(limits)}`);
    }
    this.buckets = new TokenBuckets(limits);
  }

  async tryTake(doorId: string, now: number): Promise<boolean> {
    return this.buckets.take(doorId, now);
  }
}
