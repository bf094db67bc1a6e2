/**
 * Two sites in one account and region (issue 8 item 1): `par` and `paris`, chosen so that one
 * site id is a prefix of the other (the classic wildcard trap: `thing/facegate_par*` would cover
 * Paris). Both stacks are synthesised offline; the test renders every IAM statement, the IoT door
 * policy and the topic rules of each site into plain ARN patterns and proves that none of them
 * reaches the other site's things, thing group, policy, topics, rules, tables, bucket, key or
 * collection, and that no resource name of one equals the other's.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doorThingName } from '../../cloud/src/adapters/aws/iot-names.js';
import { DOOR_CHANNELS } from '../../protocol/index.js';
import { buildStack, TEST_ACCOUNT, TEST_REGION } from './cdk-app.js';
import { topicMatchesFilter } from './support/topic-filter.js';

type Resources = Record<string, { Type: string; Properties: any }>;
interface Site {
  site: string;
  stackName: string;
  resources: Resources;
  cleanup: () => void;
}

const SITES = ['par', 'paris'] as const;
const DOOR = 'front-door'; // both sites have one
const arn = (resource: string) => `arn:aws:iot:${TEST_REGION}:${TEST_ACCOUNT}:${resource}`;

/** Actions that have no resource type in IAM, so `*` is the only possible resource. */
const NO_RESOURCE_TYPE = new Set(['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint', 'rekognition:DetectFaces']);

let sites: Site[];

beforeAll(() => {
  sites = SITES.map((site) => {
    const built = buildStack({ site });
    return {
      site,
      stackName: built.stack.stackName,
      resources: Template.fromStack(built.stack).toJSON().Resources as Resources,
      cleanup: built.cleanup,
    };
  });
});
afterAll(() => sites?.forEach((s) => s.cleanup()));

/**
 * A CloudFormation value as a string: pseudo parameters by their test values, `Ref`/`GetAtt` as
 * `<stack>:<logicalId>` so a reference can only ever mean a resource of the stack it is in.
 */
function render(value: unknown, stackName: string): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref === 'AWS::Region') return TEST_REGION;
  if (v.Ref === 'AWS::AccountId') return TEST_ACCOUNT;
  if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (typeof v.Ref === 'string') return `<${stackName}:${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${stackName}:${[v['Fn::GetAtt']].flat().join('.')}>`;
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => render(p, stackName)).join(sep);
  }
  if (v['Fn::ImportValue']) return `<import:${JSON.stringify(v['Fn::ImportValue'])}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** IAM (and IoT policy) wildcard semantics: `*` any run of characters, `?` one; policy variables as `*`. */
function covers(pattern: string, resource: string): boolean {
  const source = pattern
    .replace(/\$\{[^}]+\}/g, '\u0000')
    .split('')
    .map((c) => (c === '*' || c === '\u0000' ? '.*' : c === '?' ? '.' : c.replace(/[.+^$()|[\]\\{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(resource);
}

/** The concrete ARNs of one site that the other must not reach (a door called `front-door` at each). */
function siteResources(s: Site): string[] {
  const thing = doorThingName(s.site, DOOR);
  const topics = DOOR_CHANNELS.map((c) => `facegate/${s.site}/doors/${DOOR}/${c}`);
  const own = Object.entries(s.resources)
    .filter(([, r]) =>
      ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Rekognition::Collection'].includes(
        r.Type,
      ),
    )
    .map(([id]) => `<${s.stackName}:${id}.Arn>`);
  const rules = Object.values(s.resources)
    .filter((r) => r.Type === 'AWS::IoT::TopicRule')
    .map((r) => arn(`rule/${r.Properties.RuleName}`));
  return [
    arn(`thing/${thing}`),
    arn(`client/${thing}`),
    arn(`thinggroup/facegate-${s.site}-doors`),
    arn(`policy/facegate-${s.site}-door`),
    ...topics.map((t) => arn(`topic/${t}`)),
    ...topics.map((t) => arn(`topicfilter/${t}`)),
    ...rules,
    `arn:aws:rekognition:${TEST_REGION}:${TEST_ACCOUNT}:collection/facegate-${s.site}`,
    `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/facegate/${s.site}/admin/env`,
    ...own,
  ];
}

/** Every Allow statement of the stack's IAM policies (identity policies on its roles). */
function iamStatements(s: Site): { actions: string[]; resources: string[] }[] {
  return Object.values(s.resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties.PolicyDocument.Statement as any[])
    .filter((st) => st.Effect === 'Allow')
    .map((st) => ({
      actions: [st.Action].flat() as string[],
      resources: [st.Resource].flat().map((r) => render(r, s.stackName)),
    }));
}

describe('two sites in one account and region', () => {
  it('no IAM statement of one site reaches a resource of the other', () => {
    for (const [a, b] of [sites, [...sites].reverse()] as [Site, Site][]) {
      const theirs = siteResources(b);
      const statements = iamStatements(a);
      expect(statements.length).toBeGreaterThan(20);
      for (const { actions, resources } of statements) {
        for (const pattern of resources) {
          if (pattern === '*') {
            // `*` only for actions IAM cannot scope (and which act on no site's resources).
            expect(
              actions.filter((x) => !NO_RESOURCE_TYPE.has(x)),
              `${a.site}: ${actions.join()} on *`,
            ).toEqual([]);
            continue;
          }
          const reached = theirs.filter((r) => covers(pattern, r));
          expect(reached, `${a.site}: ${actions.join()} on ${pattern}`).toEqual([]);
          expect(pattern, 'no cross-stack reference').not.toContain(`<${b.stackName}:`);
        }
      }
    }
  });

  it("the check itself sees a wildcard that would cover the other site's doors", () => {
    const [par, paris] = sites as [Site, Site];
    const theirs = siteResources(paris);
    expect(theirs.filter((r) => covers(arn('thing/facegate_par*'), r))).toEqual([
      arn('thing/facegate_paris_front-door'),
    ]);
    expect(theirs.filter((r) => covers(arn('thing/facegate_par_*'), r))).toEqual([]);
    expect(theirs.some((r) => covers(arn('topic/facegate/*/doors/*/commands'), r))).toBe(true);
    expect(siteResources(par).some((r) => covers(`<${par.stackName}:*`, r))).toBe(true);
  });

  it("each site's door policy grants nothing to the other site's door, even if attached to its certificate", () => {
    for (const [a, b] of [sites, [...sites].reverse()] as [Site, Site][]) {
      const policies = Object.values(a.resources).filter((r) => r.Type === 'AWS::IoT::Policy');
      expect(policies).toHaveLength(1);
      const theirThing = doorThingName(b.site, DOOR);
      const theirs = siteResources(b);
      for (const statement of policies[0]!.Properties.PolicyDocument.Statement as any[]) {
        // Every statement holds only for a thing of this site…
        const thingPattern: string = statement.Condition?.StringLike?.['iot:Connection.Thing.ThingName'];
        expect(thingPattern, statement.Sid).toBe(`facegate_${a.site}_*`);
        expect(covers(thingPattern, theirThing), statement.Sid).toBe(false);
        // …and, the connection's own thing aside, no topic of the other site.
        for (const resource of [statement.Resource].flat().map((r: unknown) => render(r, a.stackName))) {
          if (resource.includes(':client/')) continue;
          expect(
            theirs.filter((r) => covers(resource, r)),
            `${statement.Sid} ${resource}`,
          ).toEqual([]);
        }
      }
    }
  });

  it("each site's rules read only its own doors' topics and presence events", () => {
    for (const [a, b] of [sites, [...sites].reverse()] as [Site, Site][]) {
      const rules = Object.values(a.resources).filter((r) => r.Type === 'AWS::IoT::TopicRule');
      expect(rules).toHaveLength(4);
      const theirTopics = DOOR_CHANNELS.map((c) => `facegate/${b.site}/doors/${DOOR}/${c}`);
      const theirPresence = ['connected', 'disconnected'].map(
        (e) => `$aws/events/presence/${e}/${doorThingName(b.site, DOOR)}`,
      );
      const ourPresence = `$aws/events/presence/connected/${doorThingName(a.site, DOOR)}`;
      for (const rule of rules) {
        const sql: string = rule.Properties.TopicRulePayload.Sql;
        const from = /FROM '([^']+)'/.exec(sql)![1]!;
        expect(
          theirTopics.filter((t) => topicMatchesFilter(from, t)),
          sql,
        ).toEqual([]);
        if (from.startsWith('$aws/events/presence')) {
          // IoT Core has one presence topic per account: the WHERE clause keeps this site's things.
          const prefix = /startswith\(topic\(5\), '([^']+)'\)/.exec(sql)?.[1];
          expect(prefix, sql).toBe(`facegate_${a.site}_`);
          expect(
            theirPresence.filter((t) => topicMatchesFilter(from, t) && t.split('/')[4]!.startsWith(prefix!)),
          ).toEqual([]);
          expect(topicMatchesFilter(from, ourPresence) && ourPresence.split('/')[4]!.startsWith(prefix!)).toBe(true);
          // substring(topic(5), N) leaves the plain door id.
          const start = Number(/substring\(topic\(5\), (\d+)\)/.exec(sql)![1]);
          expect(doorThingName(a.site, DOOR).slice(start)).toBe(DOOR);
        }
      }
    }
  });

  it('no named resource of one site has the same name as one of the other (a second deploy cannot collide)', () => {
    // Not account-wide resource names: inline policy names are per role, an association's Name is the
    // SSM document it runs, an alarm's MetricName is the metric it reads.
    const notAccountWide = new Set([
      'AWS::IAM::Policy.PolicyName',
      'AWS::SSM::Association.Name',
      'AWS::CloudWatch::Alarm.MetricName',
    ]);
    const named = (s: Site) =>
      Object.values(s.resources).flatMap((r) =>
        Object.entries(r.Properties ?? {})
          .filter(([key, value]) => /(Name|CollectionId)$/.test(key) && typeof value === 'string')
          .filter(([key]) => !notAccountWide.has(`${r.Type}.${key}`))
          .map(([key, value]) => `${r.Type}.${key}=${value as string}`),
      );
    const [a, b] = sites.map(named) as [string[], string[]];
    expect(a.length).toBeGreaterThan(8);
    expect(a.filter((n) => b.includes(n))).toEqual([]);
    const launchTemplates = sites.map(
      (s) =>
        Object.values(s.resources).find((r) => r.Type === 'AWS::EC2::LaunchTemplate')!.Properties.LaunchTemplateName,
    );
    expect(launchTemplates[0]).not.toBe(launchTemplates[1]);
    expect(launchTemplates[1]).toMatch(/paris/i);
  });
});
