/**
 * `facegate admin create|reset-password USER` as the AWS admin host's release ships it (the release
 * holds no full command line; scripts/build-admin-site.mjs bundles this as server/admin.mjs): the
 * same command, over the accounts table the site reads. On the host, through Session Manager:
 *
 *   sudo -u facegate bash -c 'set -a; . /etc/facegate/admin.env; node-20 /opt/facegate/app/server/admin.mjs reset-password admin'
 */
import { dataDir } from '../lib/env.js';
import { FacegateError } from '../lib/errors.js';
import { restrictUmask } from './data-dir.js';
import { adminCommand } from './commands/admin.js';

const [action, username, ...extra] = process.argv.slice(2);
if ((action !== 'create' && action !== 'reset-password') || !username || extra.length > 0) {
  console.error('usage: node server/admin.mjs create|reset-password USERNAME');
  process.exit(2);
}
restrictUmask();
try {
  process.exitCode = await adminCommand({ dataDir: dataDir() }, action, username);
} catch (err) {
  console.error(`facegate admin: ${err instanceof FacegateError ? err.message : String(err)}`);
  process.exit(1);
}
