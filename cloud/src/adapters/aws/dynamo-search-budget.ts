/**
 * SearchBudget on DynamoDB, shared by every Lambda container: one token bucket per door in the
 * `budgets` table (dynamo-schema.ts). DynamoDB's update expressions cannot compute a refill
 * (no min, no clock), so each take reads the bucket, computes the refill here and writes the new
 * state with a conditional update on the item's revision (compare-and-swap). A take that lost a
 * race reads again; a door with no token left costs one read and no write.
 *
 * Fail secure for cost, not for the door: if the budget cannot be read or written the error
 * propagates (the recognition Lambda then denies without searching and counts an infrastructure
 * failure); if contention outlasts MAX_ATTEMPTS the take is refused (a door that busy is over
 * budget anyway).
 */
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../../../../lib/logger.js';
import { UpstreamError } from '../../errors.js';
import { DEFAULT_SEARCH_BUDGET, type SearchBudget, type SearchBudgetLimits } from '../../ports/search-budget.js';
import { isAwsError } from './aws-errors.js';

/** Rounds of read-compute-write before a take gives up under contention (and is refused). */
export const MAX_ATTEMPTS = 16;

export interface DynamoSearchBudgetOptions {
  client: Pick<DynamoDBClient, 'send'>;
  tableName: string;
  limits?: SearchBudgetLimits;
  logger: Logger;
}

interface Bucket {
  tokens: number;
  /** ms of the last take (the refill is counted from here). */
  at: number;
  rev: number;
}

export class DynamoSearchBudget implements SearchBudget {
  private readonly limits: SearchBudgetLimits;
  private readonly log: Logger;

  constructor(private readonly options: DynamoSearchBudgetOptions) {
    this.limits = options.limits ?? DEFAULT_SEARCH_BUDGET;
    if (!(this.limits.burst >= 1) || !(this.limits.perSecond > 0)) {
      throw new Error(`search budget needs burst >= 1 and perSecond > 0, got ${JSON.stringify(this.limits)}`);
    }
    this.log = options.logger.child({ component: 'dynamo-search-budget' });
  }

  async tryTake(doorId: string, now: number): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const bucket = await this.read(doorId);
      const { burst, perSecond } = this.limits;
      const start = bucket ?? { tokens: burst, at: now, rev: 0 };
      const elapsedSec = Math.max(0, now - start.at) / 1000;
      const available = Math.min(burst, start.tokens + elapsedSec * perSecond);
      if (available < 1) return false;
      const next: Bucket = { tokens: available - 1, at: Math.max(now, start.at), rev: start.rev + 1 };
      if (await this.write(doorId, next, bucket ? start.rev : null)) return true;
    }
    this.log.warn({ doorId, attempts: MAX_ATTEMPTS }, 'search budget contended; take refused');
    return false;
  }

  private async read(doorId: string): Promise<Bucket | null> {
    let res;
    try {
      res = await this.options.client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: { doorId: { S: doorId } }, ConsistentRead: true }),
      );
    } catch (err) {
      throw new UpstreamError('dynamodb', `could not read the search budget of ${doorId}`, { cause: err });
    }
    const item = res.Item;
    if (!item) return null;
    const tokens = Number(item.tokens?.N);
    const at = Number(item.at?.N);
    const rev = Number(item.rev?.N);
    if (![tokens, at, rev].every(Number.isFinite)) {
      throw new UpstreamError('dynamodb', `malformed search budget item for ${doorId}`);
    }
    return { tokens, at, rev };
  }

  /** Writes the bucket if nobody else did since `expectedRev` (null: the item must not exist yet). */
  private async write(doorId: string, next: Bucket, expectedRev: number | null): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { doorId: { S: doorId } },
          UpdateExpression: 'SET tokens = :tokens, #at = :at, rev = :rev',
          ConditionExpression: expectedRev === null ? 'attribute_not_exists(doorId)' : 'rev = :expected',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: {
            ':tokens': { N: String(next.tokens) },
            ':at': { N: String(next.at) },
            ':rev': { N: String(next.rev) },
            ...(expectedRev === null ? {} : { ':expected': { N: String(expectedRev) } }),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, 'ConditionalCheckFailedException')) return false;
      throw new UpstreamError('dynamodb', `could not update the search budget of ${doorId}`, { cause: err });
    }
  }
}
