/**
 * `npm run cost -- --doors 10 --people 500 --entries-per-day 300 [--searches-per-entry N]
 * [--photos-per-person N] [--frame-kb N] [--retention-days N]`: the monthly bill of one site from
 * the dated price table (infra/cost/price-table.ts). The entry point is cost-command.ts.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SEARCH_BUDGET } from '../../cloud/src/ports/search-budget.js';
import { DEFAULT_RECOGNIZE_CONCURRENCY } from '../lib/settings.js';
import { DEFAULT_INPUTS, estimateMonthlyCost, searchCeiling, type CostInputs } from './estimate.js';
import { PRICE_TABLE } from './price-table.js';

const OPTIONS = {
  doors: { type: 'string' },
  people: { type: 'string' },
  'entries-per-day': { type: 'string' },
  'searches-per-entry': { type: 'string' },
  'photos-per-person': { type: 'string' },
  'frame-kb': { type: 'string' },
  'retention-days': { type: 'string' },
  help: { type: 'boolean' },
} as const;

function number(values: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}

export function main(argv: string[]): number {
  let inputs: CostInputs;
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
    if (values.help) {
      console.log('usage: npm run cost -- --doors N --people N --entries-per-day N [--searches-per-entry N] …');
      return 0;
    }
    inputs = {
      ...DEFAULT_INPUTS,
      doors: number(values, 'doors'),
      people: number(values, 'people'),
      entriesPerDay: number(values, 'entries-per-day'),
      searchesPerEntry: number(values, 'searches-per-entry', DEFAULT_INPUTS.searchesPerEntry),
      photosPerPerson: number(values, 'photos-per-person', DEFAULT_INPUTS.photosPerPerson),
      frameKb: number(values, 'frame-kb', DEFAULT_INPUTS.frameKb),
      retentionDays: number(values, 'retention-days', DEFAULT_INPUTS.retentionDays),
    };
  } catch (err) {
    console.error(`cost: ${(err as Error).message}`);
    return 2;
  }
  const { lines, total } = estimateMonthlyCost(inputs);
  console.log(
    `FaceGate site on AWS: ${inputs.doors} doors, ${inputs.people} people, ${inputs.entriesPerDay} entries a day`,
  );
  console.log(`Prices: ${PRICE_TABLE.region} list prices as of ${PRICE_TABLE.asOf}, USD per month, no free tier\n`);
  const width = Math.max(...lines.map((l) => l.item.length));
  for (const line of lines) {
    console.log(`${line.item.padEnd(width)}  ${line.usd.toFixed(2).padStart(9)}  ${line.basis}`);
  }
  console.log(`${'Total'.padEnd(width)}  ${total.toFixed(2).padStart(9)}`);
  const ceiling = searchCeiling(
    inputs.doors,
    DEFAULT_SEARCH_BUDGET.perSecond,
    DEFAULT_RECOGNIZE_CONCURRENCY,
    inputs.lambdaSecondsPerSearch,
  );
  console.log(
    `\nCeiling: the search budget (${DEFAULT_SEARCH_BUDGET.perSecond}/s per door) and reserved concurrency ` +
      `(${DEFAULT_RECOGNIZE_CONCURRENCY}) cap searches at ${ceiling.searchesPerSecond.toFixed(1)}/s, ` +
      `${Math.round(ceiling.searchesPerMonth).toLocaleString('en-US')} a month: at most $${ceiling.usd.toFixed(0)} of Rekognition ` +
      'if every door sent frames without pause (the SearchBudgetExceeded alarm fires long before).',
  );
  return 0;
}
