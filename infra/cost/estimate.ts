/**
 * Monthly bill of one FaceGate site on AWS from the price table: what scales with entries
 * (Rekognition searches above all), with doors (IoT connection minutes) and with people (faces
 * stored), plus the fixed part (admin host, keys, alarms, dashboard, metrics).
 *
 * Usage assumptions are explicit inputs with defaults, each argued below; the estimate prints them.
 */
import { METRIC } from '../../cloud/src/lambda/emf-metrics.js';
import { PRICE_TABLE } from './price-table.js';

export interface CostInputs {
  doors: number;
  people: number;
  entriesPerDay: number;
  /**
   * Rekognition searches per entry (one entry = one visit, one decision). The default is the
   * highest figure measured (MEASURED_SEARCHES_PER_ENTRY); the worst case, every frame searched, is MAX_FRAMES_PER_VISIT (4).
   */
  searchesPerEntry: number;
  /** Enrolment photos (indexed faces) per person. */
  photosPerPerson: number;
  /** A frame on the wire (base64 JPEG in JSON); frames are capped at 128 KB by IoT Core. */
  frameKb: number;
  /** Days snapshots are kept (the stack's eventRetentionDays). */
  retentionDays: number;
  /** Recognition Lambda: billed duration per search and memory. */
  lambdaSecondsPerSearch: number;
  lambdaMemoryGb: number;
}

/**
 * Searches per visit measured by `npm run bench:accuracy -- --half report --visits 6` on
 * 2026-12-05 (bench-results/accuracy-report-*.json): 1.52 with one enrolment photo, 1.71 with
 * three, 1.75 with later probe photos; `npm run bench:visits` measured 1.5. The highest is the
 * default, so the estimate errs high.
 */
export const MEASURED_SEARCHES_PER_ENTRY = 1.75;

export const DEFAULT_INPUTS: Omit<CostInputs, 'doors' | 'people' | 'entriesPerDay'> = {
  searchesPerEntry: MEASURED_SEARCHES_PER_ENTRY,
  photosPerPerson: 3,
  frameKb: 60,
  retentionDays: 365,
  // SearchFacesByImage takes a few hundred ms; the DynamoDB and IoT calls around it add ~100 ms.
  lambdaSecondsPerSearch: 0.6,
  lambdaMemoryGb: 0.5,
};

/** What the stack deploys that bills by the month regardless of traffic (counted from infra/lib). */
export const FIXED_RESOURCES = {
  kmsKeys: 2,
  alarms: 12,
  dashboards: 1,
  customMetrics: Object.keys(METRIC).length,
  ebsGb: 20,
};

export interface CostLine {
  item: string;
  basis: string;
  usd: number;
}

const DAYS_PER_MONTH = 30.42;
const HOURS_PER_MONTH = 730;

export function estimateMonthlyCost(inputs: CostInputs): { lines: CostLine[]; total: number } {
  const p = PRICE_TABLE;
  const entries = inputs.entriesPerDay * DAYS_PER_MONTH;
  const searches = entries * inputs.searchesPerEntry;
  const frames = searches; // one frame per search; frames the door's face gate drops never leave it
  // Per frame: the command back, and per entry a door event or status change or two.
  const otherMessages = searches + entries * 2;
  const frameUnits = Math.ceil(inputs.frameKb / p.iot.messageIncrementKb);
  const faces = inputs.people * inputs.photosPerPerson;
  const snapshotGb = (inputs.entriesPerDay * inputs.retentionDays * inputs.frameKb * 0.75) / 1024 / 1024; // JPEG = 3/4 of base64

  const lines: CostLine[] = [
    {
      item: 'Rekognition searches',
      basis: `${fmt(searches)} SearchFacesByImage (${inputs.searchesPerEntry}/entry)`,
      usd: searches * p.rekognition.perImage,
    },
    {
      item: 'Rekognition face storage',
      basis: `${fmt(faces)} faces (${inputs.photosPerPerson}/person)`,
      usd: faces * p.rekognition.perStoredFaceMonth,
    },
    {
      item: 'IoT Core connectivity',
      basis: `${inputs.doors} doors always connected`,
      usd: ((inputs.doors * HOURS_PER_MONTH * 60) / 1e6) * p.iot.perMillionConnectionMinutes,
    },
    {
      item: 'IoT Core messages',
      basis: `${fmt(frames)} frames × ${frameUnits} units of 5 KB + ${fmt(otherMessages)} small`,
      usd: ((frames * frameUnits + otherMessages) / 1e6) * p.iot.perMillionMessages,
    },
    {
      item: 'IoT rules',
      basis: `${fmt(frames + entries * 2)} rule runs, one action each`,
      usd: ((frames + entries * 2) / 1e6) * (p.iot.perMillionRules + p.iot.perMillionActions),
    },
    {
      item: 'Lambda',
      basis: `${fmt(searches)} × ${inputs.lambdaSecondsPerSearch} s × ${inputs.lambdaMemoryGb} GB (arm64)`,
      usd:
        searches * inputs.lambdaSecondsPerSearch * inputs.lambdaMemoryGb * p.lambda.perGbSecond +
        ((searches + entries * 2) / 1e6) * p.lambda.perMillionRequests,
    },
    {
      item: 'DynamoDB',
      // Per search: door, person, budget reads; budget and visit writes. Per entry: the audit event (2 WCU with indexes).
      basis: `${fmt(searches * 3)} reads, ${fmt(searches * 2 + entries * 3)} writes`,
      usd:
        ((searches * 3) / 1e6) * p.dynamodb.perMillionReadUnits +
        ((searches * 2 + entries * 3) / 1e6) * p.dynamodb.perMillionWriteUnits,
    },
    {
      item: 'S3 snapshots',
      basis: `${fmt(entries)} PUTs, ${snapshotGb.toFixed(1)} GB kept ${inputs.retentionDays} days`,
      usd: (entries / 1000) * p.s3.perThousandPuts + snapshotGb * p.s3.perGbMonth,
    },
    {
      item: 'Admin host',
      basis: 't4g.small, public IPv4, 20 GB gp3',
      usd:
        HOURS_PER_MONTH * (p.ec2.t4gSmallPerHour + p.ec2.publicIpv4PerHour) +
        FIXED_RESOURCES.ebsGb * p.ec2.gp3PerGbMonth,
    },
    {
      item: 'KMS',
      basis: `${FIXED_RESOURCES.kmsKeys} keys (data, alarms); requests mostly saved by S3 bucket keys`,
      usd: FIXED_RESOURCES.kmsKeys * p.kms.perKeyMonth + ((entries * 2) / 1e4) * p.kms.perTenThousandRequests,
    },
    {
      item: 'CloudWatch',
      basis: `${FIXED_RESOURCES.alarms} alarms, ${FIXED_RESOURCES.dashboards} dashboard, ${FIXED_RESOURCES.customMetrics} metrics, ~1 GB logs`,
      usd:
        FIXED_RESOURCES.alarms * p.cloudwatch.perStandardAlarmMonth +
        FIXED_RESOURCES.dashboards * p.cloudwatch.perDashboardMonth +
        FIXED_RESOURCES.customMetrics * p.cloudwatch.perCustomMetricMonth +
        p.cloudwatch.perGbLogsIngested +
        p.cloudwatch.perGbLogsStoredMonth,
    },
  ];
  return { lines, total: lines.reduce((sum, l) => sum + l.usd, 0) };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * The most the site can spend on searches in a month whatever the doors send: each door's search
 * budget (perSecond) and the recognition Lambda's reserved concurrency both cap the rate.
 */
export function searchCeiling(
  doors: number,
  budgetPerSecond: number,
  reservedConcurrency: number,
  lambdaSecondsPerSearch: number,
): { searchesPerSecond: number; searchesPerMonth: number; usd: number } {
  const searchesPerSecond = Math.min(doors * budgetPerSecond, reservedConcurrency / lambdaSecondsPerSearch);
  const searchesPerMonth = searchesPerSecond * DAYS_PER_MONTH * 86_400;
  return { searchesPerSecond, searchesPerMonth, usd: searchesPerMonth * PRICE_TABLE.rekognition.perImage };
}
