/**
 * The wiring options of `facegate provision` and `facegate doors renew`. Each option changes one
 * line of the wiring the door already has (or the default for a new door), so renewing a door's
 * certificate never needs its wiring typed again. The service checks the result (pins on the
 * header, one line per role).
 */
import { Command, InvalidArgumentError } from 'commander';
import type { DoorWiring } from '../cloud/src/domain/door-wiring.js';

export interface WiringCliOptions {
  relayPin?: number;
  relayActiveLow?: boolean;
  contactPin?: number | 'none';
  exitButtonPin?: number | 'none';
}

/**
 * A BCM GPIO number, or `none` for a line that is not fitted. 'none' stays a word here: commander
 * turns a parser's null into an empty string.
 */
export function pinOrNone(value: string): number | 'none' {
  if (value.toLowerCase() === 'none') return 'none';
  return pin(value);
}

export function pin(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n)) {
    throw new InvalidArgumentError('must be a BCM GPIO number (the NN of GPIONN), e.g. 27');
  }
  return n;
}

/** Adds the wiring options to a command; `when` prefixes their help ("with renew: "). */
export function addWiringOptions(command: Command, when = ''): Command {
  return command
    .option('--relay-pin <bcm>', `${when}GPIO of the lock relay (default 17)`, pin)
    .option('--relay-active-low', `${when}the relay board energises on a low level`)
    .option('--no-relay-active-low', `${when}the relay board energises on a high level (the default)`)
    .option('--contact-pin <bcm|none>', `${when}GPIO of the door contact, or none (default none)`, pinOrNone)
    .option('--exit-button-pin <bcm|none>', `${when}GPIO of the exit button, or none (default none)`, pinOrNone);
}

/** The wiring the options ask for on top of `base`, or undefined when no wiring option was given. */
export function wiringFromOptions(base: DoorWiring, options: WiringCliOptions): DoorWiring | undefined {
  const given =
    options.relayPin !== undefined ||
    options.relayActiveLow !== undefined ||
    options.contactPin !== undefined ||
    options.exitButtonPin !== undefined;
  if (!given) return undefined;
  return {
    relayPin: options.relayPin ?? base.relayPin,
    relayActiveLow: options.relayActiveLow ?? base.relayActiveLow,
    contactPin: line(options.contactPin, base.contactPin),
    exitButtonPin: line(options.exitButtonPin, base.exitButtonPin),
  };
}

function line(given: number | 'none' | undefined, current: number | null): number | null {
  if (given === undefined) return current;
  return given === 'none' ? null : given;
}
