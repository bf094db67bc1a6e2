/**
 * The admin host's process: `facegate serve-aws` without the rest of the command line, so the
 * artifact the AWS stack ships (scripts/build-admin-site.mjs bundles from here) holds only what
 * the admin site over the AWS back end loads. Same root logger and signal handling as the CLI.
 */
import { FacegateError } from '../lib/errors.js';
import { createRootLogger } from '../lib/logger.js';
import { restrictUmask } from './data-dir.js';
import { serveAws } from './commands/serve-aws.js';

restrictUmask();

// JSON lines always: the host's service writes them to a file that CloudWatch Logs reads.
const logger = createRootLogger({ name: 'facegate', pretty: false });

try {
  const running = await serveAws(logger);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  // A configuration mistake is one plain sentence (the variable to set); anything else is logged whole.
  if (err instanceof FacegateError) console.error(`facegate serve-aws: ${err.message}`);
  else logger.fatal({ err }, 'admin site failed to start');
  process.exit(1);
}
