/**
 * The DynamoDB search budget on dynalite: the SearchBudget contract (burst, refill, doors apart,
 * racing takes), budgets shared between containers, and a failing table surfacing as an error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { DynamoSearchBudget } from '../../cloud/src/adapters/aws/dynamo-search-budget.js';
import { UpstreamError } from '../../cloud/src/errors.js';
import { readSearchBudgetConfig } from '../../cloud/src/lambda/search-budget-env.js';
import { searchBudgetContract } from '../contracts/search-budget.contract.js';
import { startDynalite, type LocalDynamo } from './local-aws.js';

let dynamo: LocalDynamo;
let tableName: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  tableName = (await dynamo.createTables(`b${randomUUID().slice(0, 8)}`)).budgets;
});
afterAll(async () => {
  await dynamo?.stop();
});

const open = (limits: { burst: number; perSecond: number }, table = tableName) =>
  new DynamoSearchBudget({ client: dynamo.client, tableName: table, limits, logger: silentLogger() });

searchBudgetContract('dynamodb (dynalite)', { open: async (limits) => open(limits) });

describe('DynamoSearchBudget', () => {
  const t0 = 1_800_000_000_000;

  it('is one budget per door across containers (two adapters, one table), racing each other', async () => {
    const limits = { burst: 5, perSecond: 0.001 };
    const [a, b] = [open(limits), open(limits)];
    const door = `door-${randomUUID().slice(0, 8)}`;
    const takes = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).tryTake(door, t0)));
    expect(takes.filter(Boolean)).toHaveLength(5);
    expect(await a.tryTake(door, t0 + 1_000)).toBe(false);
    expect(await b.tryTake(door, t0 + 1_000_000)).toBe(true); // 1,000 s at 0.001/s earned one back
  });

  it('a budget it cannot read is an error, not a grant', async () => {
    const broken = open({ burst: 5, perSecond: 1 }, `${tableName}-missing`);
    const err = await broken.tryTake('front-door', t0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
  });

  it('refuses limits that could never grant a search', () => {
    expect(() => open({ burst: 0, perSecond: 1 })).toThrow(/burst/);
    expect(() => open({ burst: 2, perSecond: 0 })).toThrow(/perSecond/);
  });
});

describe('search budget configuration', () => {
  const env = { AWS_REGION: 'eu-west-1', FACEGATE_TABLE_BUDGETS: 'budgets' };
  it('reads the table and the limits, with the port defaults', () => {
    expect(readSearchBudgetConfig(env)).toEqual({
      region: 'eu-west-1',
      tableName: 'budgets',
      limits: { burst: 20, perSecond: 0.5 },
    });
    expect(
      readSearchBudgetConfig({ ...env, FACEGATE_SEARCH_BURST: '5', FACEGATE_SEARCH_PER_SECOND: '0.1' }).limits,
    ).toEqual({ burst: 5, perSecond: 0.1 });
  });
  it('names what is missing or malformed', () => {
    expect(() => readSearchBudgetConfig({ AWS_REGION: 'eu-west-1' })).toThrow(/FACEGATE_TABLE_BUDGETS/);
    expect(() => readSearchBudgetConfig({ ...env, FACEGATE_SEARCH_BURST: '2.5' })).toThrow(/FACEGATE_SEARCH_BURST/);
    expect(() => readSearchBudgetConfig({ ...env, FACEGATE_SEARCH_PER_SECOND: '0' })).toThrow(/PER_SECOND/);
  });
});
