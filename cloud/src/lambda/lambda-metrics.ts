/** Counts for one invocation of a Lambda: its outcome and the infrastructure failures it met. */
import type { RecognizeOutcome } from '../handlers/recognize-frame.js';
import type { TelemetryOutcome } from '../handlers/door-telemetry.js';
import { METRIC, type MetricCounts, type MetricName } from './emf-metrics.js';
import { isThrottled, type PortFailure, type PortName } from './failure-watch.js';

const FAILURE_METRIC: Record<PortName, MetricName> = {
  faceIndex: METRIC.faceSearchFailures,
  records: METRIC.recordsFailures,
  images: METRIC.snapshotFailures,
  messaging: METRIC.commandFailures,
  searchBudget: METRIC.budgetFailures,
  visits: METRIC.recordsFailures, // the visits table is DynamoDB too
};

function add(counts: MetricCounts, name: MetricName, n = 1): void {
  counts[name] = (counts[name] ?? 0) + n;
}

export function failureCounts(failures: PortFailure[], counts: MetricCounts = {}): MetricCounts {
  for (const f of failures) {
    add(counts, FAILURE_METRIC[f.port]);
    if (isThrottled(f.error)) add(counts, METRIC.throttledCalls);
  }
  return counts;
}

export function recognizeCounts(outcome: RecognizeOutcome | null, failures: PortFailure[]): MetricCounts {
  const counts = failureCounts(failures);
  if (!outcome) return counts;
  switch (outcome.status) {
    case 'decided':
      add(counts, outcome.result === 'granted' ? METRIC.accessGranted : METRIC.accessDenied);
      if ((outcome.reason as string) === 'rate_limited') add(counts, METRIC.framesOverBudget);
      break;
    case 'rejected':
      add(counts, METRIC.framesRejected);
      break;
    case 'stale':
      add(counts, METRIC.framesStale);
      break;
    case 'no_face':
      add(counts, METRIC.framesNoFace);
      break;
    default:
      break;
  }
  return counts;
}

export function telemetryCounts(
  outcome: TelemetryOutcome | null,
  failures: PortFailure[],
  disconnected: boolean,
): MetricCounts {
  const counts = failureCounts(failures);
  if (!outcome) return counts;
  if (outcome.status === 'applied' || outcome.status === 'duplicate') add(counts, METRIC.telemetryApplied);
  if (outcome.status === 'rejected') add(counts, METRIC.telemetryRejected);
  if (outcome.status === 'rate_limited') add(counts, METRIC.telemetryRateLimited);
  if (outcome.status === 'applied' && disconnected) add(counts, METRIC.doorDisconnects);
  return counts;
}
