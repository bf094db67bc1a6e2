/**
 * Builds the FaceGate stack as `infra/bin/facegate.ts` does, for tests: a fixed placeholder
 * account and region (availability zones and the admin host's AMI from context, so nothing is looked up), and Lambda
 * bundling skipped unless asked for (CDK's own `aws:cdk:bundling-stacks` context).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { FacegateStack } from '../../infra/lib/facegate-stack.js';
import { readSettings } from '../../infra/lib/settings.js';

export const TEST_ACCOUNT = '111111111111';
export const TEST_REGION = 'eu-west-1';
export const TEST_AMI = 'ami-0123456789abcdef0';
const AL2023_ARM64_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64';

export function buildStack(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-cdk-'));
  const app = new App({
    outdir,
    context: {
      [`availability-zones:account=${TEST_ACCOUNT}:region=${TEST_REGION}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      // The admin host's AMI is looked up once and cached in context (what `cdk synth` with credentials writes).
      [`ssm:account=${TEST_ACCOUNT}:parameterName=${AL2023_ARM64_PARAMETER}:region=${TEST_REGION}`]: TEST_AMI,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new FacegateStack(app, `Facegate-${settings.site}`, {
    env: { account: TEST_ACCOUNT, region: TEST_REGION },
    settings,
  });
  return { app, stack, settings, outdir, cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}
