/**
 * CloudWatch metrics from a Lambda without an API call: one line of Embedded Metric Format on
 * stdout, which Lambda's log agent turns into metrics in the `FaceGate` namespace with a `Site`
 * dimension (the alarms and the dashboard in infra/lib/observability.ts read these names).
 */
export const METRICS_NAMESPACE = 'FaceGate';

/** Every metric the Lambdas emit; infra reads the same names. */
export const METRIC = {
  accessGranted: 'AccessGranted',
  accessDenied: 'AccessDenied',
  framesRejected: 'FramesRejected',
  framesStale: 'FramesStale',
  framesNoFace: 'FramesNoFace',
  /** Frames denied by the per-door search budget (the cost guard). */
  framesOverBudget: 'FramesOverBudget',
  faceSearchFailures: 'FaceSearchFailures',
  recordsFailures: 'RecordsFailures',
  snapshotFailures: 'SnapshotFailures',
  commandFailures: 'CommandFailures',
  budgetFailures: 'SearchBudgetFailures',
  /** Calls an AWS service refused as throttled (any port). */
  throttledCalls: 'ThrottledCalls',
  telemetryApplied: 'TelemetryApplied',
  telemetryRejected: 'TelemetryRejected',
  telemetryRateLimited: 'TelemetryRateLimited',
  doorDisconnects: 'DoorDisconnects',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export type MetricCounts = Partial<Record<MetricName, number>>;
export type MetricSink = (line: string) => void;

/** One EMF line for these counts (none when every count is 0). */
export function emfLine(site: string, counts: MetricCounts, now = Date.now()): string | null {
  const entries = Object.entries(counts).filter(([, n]) => n && n > 0) as [MetricName, number][];
  if (entries.length === 0) return null;
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Site']],
          Metrics: entries.map(([name]) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    Site: site,
    ...Object.fromEntries(entries),
  });
}

export const stdoutSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function emitMetrics(sink: MetricSink, site: string, counts: MetricCounts): void {
  const line = emfLine(site, counts);
  if (line) sink(line);
}
