/**
 * The CDK app: one FaceGate stack per site, `Facegate-<site>`. Account and region are explicit:
 * `-c account=… -c region=…`, else the CLI's current credentials (CDK_DEFAULT_ACCOUNT/REGION).
 * cdk-nag's AWS Solutions checks run on every synth; unsuppressed findings fail it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FacegateStack } from '../lib/facegate-stack.js';
import { readSettings } from '../lib/settings.js';

const app = new App();
const account = (app.node.tryGetContext('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION;
if (!account || !region) {
  console.error(
    'FaceGate needs an explicit AWS account and region: configure credentials, or pass -c account=123456789012 -c region=eu-west-1',
  );
  process.exit(2);
}
const settings = readSettings((key) => app.node.tryGetContext(key));

new FacegateStack(app, `Facegate-${settings.site}`, {
  env: { account, region },
  settings,
  description: `FaceGate face-recognition door access, site ${settings.site}`,
  terminationProtection: true,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
