/**
 * Deployment settings, from CDK context (`-c key=value` or cdk.json) with defaults. Validated with
 * zod so a typo fails the synth with the setting's name instead of deploying something odd.
 */
import { z } from 'zod';
import { SITE_ID_PATTERN } from '../../protocol/index.js';
import { DEFAULT_SEARCH_BUDGET } from '../../cloud/src/ports/search-budget.js';
import { DEFAULT_REKOGNITION_THRESHOLD } from '../../cloud/src/adapters/aws/rekognition-face-index.js';

export const DEFAULT_RECOGNIZE_CONCURRENCY = 10;

const Cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 203.0.113.0/24');

export const FacegateSettingsSchema = z.object({
  /** Short name of the site: names the stack, the Rekognition collection and the IoT policy. */
  site: z.string().regex(SITE_ID_PATTERN, 'must be 1-24 chars of a-z, 0-9 and -').default('main'),
  /**
   * Who may reach the admin site on 443, e.g. the office's addresses. Absent: nobody from the
   * internet; operators reach the site through an SSM port-forwarding session (infra/README.md).
   * Open to the world only when someone writes 0.0.0.0/0 on purpose.
   */
  adminCidr: Cidr.optional(),
  /** Audit events (DynamoDB TTL) and door snapshots (S3 lifecycle) are deleted after this many days. */
  eventRetentionDays: z.coerce.number().int().min(1).max(3650).default(365),
  /** Rekognition similarity (0..1) at or above which a face opens a door. */
  matchThreshold: z.coerce.number().gt(0).max(1).default(DEFAULT_REKOGNITION_THRESHOLD),
  /** The account's `iot:Data-ATS` endpoint; when absent the Lambdas look it up (DescribeEndpoint). */
  iotDataEndpoint: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)
    .optional(),
  /** What the admin host's systemd unit runs with /usr/bin/node-20, in the release's folder (the built admin site). */
  adminStartCommand: z.string().min(1).default('server/admin-site.mjs'),
  /** SNS topic for the alarms (e.g. one your on-call tooling subscribes to); absent: the stack makes `facegate-<site>-alarms`. */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
    .optional(),
  /** Cost guard: face searches a door may make at once, then per second (DynamoDB token bucket per door). */
  searchBurst: z.coerce.number().int().min(1).max(1000).default(DEFAULT_SEARCH_BUDGET.burst),
  searchPerSecond: z.coerce.number().gt(0).max(100).default(DEFAULT_SEARCH_BUDGET.perSecond),
  /**
   * Reserved concurrency of the recognition Lambda: at most this many searches run at once for the
   * whole site, and the account's other functions keep the rest (the account must keep 10 unreserved).
   */
  recognizeConcurrency: z.coerce.number().int().min(1).max(1000).default(DEFAULT_RECOGNIZE_CONCURRENCY),
  /** Frames denied by the per-door search budget within 5 minutes that raise the cost alarm. */
  overBudgetAlarmFrames: z.coerce.number().int().min(1).max(100_000).default(20),
  /**
   * The site's IANA time zone: a person's validity dates are whole days there and the admin site
   * shows every time in it (FACEGATE_TIME_ZONE on the host). The instance's own clock is UTC.
   */
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC').default('UTC'),
  /** CloudWatch Logs retention for the Lambdas, the admin host and VPC flow logs. */
  logRetentionDays: z.coerce.number().int().min(1).max(3653).default(90),
});
export type FacegateSettings = z.infer<typeof FacegateSettingsSchema>;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function readSettings(context: (key: string) => unknown): FacegateSettings {
  const raw = Object.fromEntries(
    Object.keys(FacegateSettingsSchema.shape)
      .map((key): [string, unknown] => [key, context(key)])
      .filter(([, value]) => value !== undefined),
  );
  const parsed = FacegateSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid CDK context ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}
