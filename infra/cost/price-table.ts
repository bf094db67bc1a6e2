/**
 * AWS list prices the cost estimate uses: US East (N. Virginia), on demand, USD, without free
 * tiers or taxes. Kept in the repository with the date they were read so an estimate can say what
 * it is based on; other regions differ by a few to ~20 %. Check the pages below before a budget
 * decision: these figures were transcribed, not fetched by the command.
 */
export const PRICE_TABLE = {
  asOf: '2025-06',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/rekognition/pricing/',
    'https://aws.amazon.com/iot-core/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/s3/pricing/',
    'https://aws.amazon.com/kms/pricing/',
    'https://aws.amazon.com/ec2/pricing/on-demand/',
    'https://aws.amazon.com/vpc/pricing/',
    'https://aws.amazon.com/ebs/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
  ],
  rekognition: {
    /** SearchFacesByImage, IndexFaces, DetectFaces (group 1), first 1 M images a month. */
    perImage: 0.001,
    /** Face metadata stored in a collection, per face per month. */
    perStoredFaceMonth: 0.00001,
  },
  iot: {
    /** Per million connection minutes. */
    perMillionConnectionMinutes: 0.08,
    /** Per million messages (first billion); a message is metered in 5 KB increments. */
    perMillionMessages: 1.0,
    messageIncrementKb: 5,
    /** Rules engine: per million rules triggered and per million actions executed. */
    perMillionRules: 0.15,
    perMillionActions: 0.15,
  },
  lambda: {
    /** arm64, per GB-second. */
    perGbSecond: 0.0000133334,
    perMillionRequests: 0.2,
  },
  dynamodb: {
    /** On demand, per million write / read request units. */
    perMillionWriteUnits: 0.625,
    perMillionReadUnits: 0.125,
    perGbMonth: 0.25,
  },
  s3: {
    perGbMonth: 0.023,
    perThousandPuts: 0.005,
  },
  kms: {
    perKeyMonth: 1.0,
    perTenThousandRequests: 0.03,
  },
  ec2: {
    /** t4g.small on demand, per hour. */
    t4gSmallPerHour: 0.0168,
    /** A public IPv4 address, per hour. */
    publicIpv4PerHour: 0.005,
    /** gp3, per GB-month. */
    gp3PerGbMonth: 0.08,
  },
  cloudwatch: {
    perStandardAlarmMonth: 0.1,
    perDashboardMonth: 3.0,
    perCustomMetricMonth: 0.3,
    perGbLogsIngested: 0.5,
    perGbLogsStoredMonth: 0.03,
  },
} as const;
