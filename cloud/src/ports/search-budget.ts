/**
 * Search budget port: how many face searches a door may cost. On AWS every search is one billed
 * Rekognition call, and a camera facing a busy corridor (or a hostile door) could send frames
 * without end; the budget caps what one door can spend. In memory for the local stack (one
 * process), DynamoDB on AWS (many Lambda containers share one budget per door).
 *
 * Behaviour every adapter must share: a door starts with its full burst; each granted take spends
 * one search; spent searches come back at the configured rate, never above the burst; doors do
 * not share budgets; `now` is the caller's clock (ms), so tests move time without waiting.
 */
export interface SearchBudget {
  /** Spends one search of the door's budget at `now`; false when the door has none left (deny: rate_limited). */
  tryTake(doorId: string, now: number): Promise<boolean>;
}

/** A door's budget: `burst` searches at once, `perSecond` earned back. */
export interface SearchBudgetLimits {
  burst: number;
  perSecond: number;
}

/**
 * Room for a queue of people (about ten visits of two frames each at once), then one search
 * every two seconds for as long as a crowd keeps coming: a visit every ~4 s at two frames each,
 * far more than one door admits, and a ceiling of 1,800 billed searches per door per hour.
 */
export const DEFAULT_SEARCH_BUDGET: SearchBudgetLimits = { burst: 20, perSecond: 0.5 };
