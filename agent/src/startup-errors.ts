/**
 * The one sentence a person reads when the door agent cannot run: what is wrong and what to do,
 * without a stack (the stack goes to the debug log). Restarting fixes none of these by itself.
 */
import { ConfigError, FacegateError, IdentityRefusedError, RelayError, errorMessage } from './errors.js';

/** Exit code for failures that need a person (sysexits EX_CONFIG): a bad config, no GPIO, a refused certificate. */
export const EXIT_NEEDS_ATTENTION = 78;

function isGpioUnavailable(err: unknown): boolean {
  return (
    (err instanceof RelayError || (err instanceof FacegateError && err.code === 'gpio_input')) &&
    /GPIO is not accessible/.test(err.message)
  );
}

/** A plain sentence for an error the agent stopped on, and whether a person must act. */
export function describeAgentFailure(err: unknown, configPath: string): { message: string; exitCode: number } {
  if (err instanceof IdentityRefusedError) {
    return {
      message:
        `${err.message}. The door stays locked. Retrying cannot change this: ask the admin to provision this door ` +
        `again (admin site Doors, or facegate doors renew <door> / facegate provision <door>) and install the new ` +
        `bundle at ${configPath}.`,
      exitCode: EXIT_NEEDS_ATTENTION,
    };
  }
  if (isGpioUnavailable(err)) {
    return {
      message:
        `${errorMessage(err)}. On a PC, use a config with "relay": {"type": "simulated"} and no contact or exit ` +
        `button (facegate provision <door> --simulated writes one); on a Raspberry Pi, run the agent as a user in ` +
        `the gpio group. Config: ${configPath}`,
      exitCode: EXIT_NEEDS_ATTENTION,
    };
  }
  if (err instanceof ConfigError) {
    return {
      message: `${errorMessage(err)}. Fix the door config (${configPath}; see docs/installing-a-door.md), then start the agent again.`,
      exitCode: EXIT_NEEDS_ATTENTION,
    };
  }
  return { message: `the door agent could not start: ${errorMessage(err)}`, exitCode: 1 };
}
