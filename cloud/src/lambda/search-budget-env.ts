/**
 * The recognition Lambda's search budget (the cost guard) from its environment: the DynamoDB
 * table the stack made and the per-door limits set at deploy (infra/lib/settings.ts). Kept apart
 * from env.ts so the composition root only adds `createSearchBudget(readSearchBudgetConfig(), log)`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../../../lib/errors.js';
import { envOptional } from '../../../lib/env.js';
import type { Logger } from '../../../lib/logger.js';
import { DynamoSearchBudget } from '../adapters/aws/dynamo-search-budget.js';
import { DEFAULT_SEARCH_BUDGET, type SearchBudgetLimits } from '../ports/search-budget.js';

export const SEARCH_BUDGET_ENV = {
  table: 'FACEGATE_TABLE_BUDGETS',
  burst: 'FACEGATE_SEARCH_BURST',
  perSecond: 'FACEGATE_SEARCH_PER_SECOND',
} as const;

export interface SearchBudgetConfig {
  region: string;
  tableName: string;
  limits: SearchBudgetLimits;
}

type Env = Record<string, string | undefined>;

function positive(name: string, fallback: number, env: Env): number {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(`${name} must be a positive number, got ${raw}`);
  return value;
}

export function readSearchBudgetConfig(env: Env = process.env): SearchBudgetConfig {
  const region = envOptional('AWS_REGION', env);
  const tableName = envOptional(SEARCH_BUDGET_ENV.table, env);
  if (!region) throw new ConfigError('AWS_REGION must be set');
  if (!tableName) throw new ConfigError(`${SEARCH_BUDGET_ENV.table} must be set`);
  const burst = positive(SEARCH_BUDGET_ENV.burst, DEFAULT_SEARCH_BUDGET.burst, env);
  if (!Number.isInteger(burst)) throw new ConfigError(`${SEARCH_BUDGET_ENV.burst} must be a whole number`);
  return {
    region,
    tableName,
    limits: { burst, perSecond: positive(SEARCH_BUDGET_ENV.perSecond, DEFAULT_SEARCH_BUDGET.perSecond, env) },
  };
}

export function createSearchBudget(
  config: SearchBudgetConfig,
  logger: Logger,
  client = new DynamoDBClient({ region: config.region }),
): DynamoSearchBudget {
  return new DynamoSearchBudget({ client, tableName: config.tableName, limits: config.limits, logger });
}
