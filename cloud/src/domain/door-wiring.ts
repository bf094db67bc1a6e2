/**
 * How a Raspberry Pi door is wired, kept with the door on the back end so that every bundle made
 * for it (Add door, provision, renew, re-provision) carries the same relay, contact and exit-button
 * lines. Before this, bundles always said "relay on BCM 17, nothing else", the contact and button
 * were added to /etc/facegate/door.json by hand, and installing a renewed bundle silently dropped
 * them (the door stopped raising forced-open alarms).
 *
 * Pin numbers are BCM GPIO numbers (what `pinout` prints as GPIOnn), not header positions.
 */
import { z } from 'zod';

export interface DoorWiring {
  /** The lock relay's input. */
  relayPin: number;
  /** Relay boards that energise on a low level (most opto-isolated modules). */
  relayActiveLow: boolean;
  /** Door contact (reed switch to ground, input pulled up: reads high when open); null when none is fitted. */
  contactPin: number | null;
  /** Request-to-exit button (to ground, input pulled up: reads low while pressed); null when none is fitted. */
  exitButtonPin: number | null;
}

/** The wiring of docs/installing-a-door.md with only the relay fitted: what every door had before wiring was stored. */
export const DEFAULT_DOOR_WIRING: DoorWiring = Object.freeze({
  relayPin: 17,
  relayActiveLow: false,
  contactPin: null,
  exitButtonPin: null,
});

/**
 * BCM 2..27: the lines on the 40-pin header. 0 and 1 are the HAT EEPROM's I2C bus and must stay
 * free; the same range the wiring guide and `facegate doctor` talk about.
 */
export const MIN_WIRING_PIN = 2;
export const MAX_WIRING_PIN = 27;

const Pin = z.number().int().min(MIN_WIRING_PIN).max(MAX_WIRING_PIN);

/** The wiring as the forms, the CLI and the record stores hand it over: checked, one line per role. */
export const DoorWiringSchema = z
  .object({
    relayPin: Pin,
    relayActiveLow: z.boolean(),
    contactPin: Pin.nullable(),
    exitButtonPin: Pin.nullable(),
  })
  .strict()
  // Runs once every pin has passed `Pin`, so only the one-line-per-role rule is left to check.
  .superRefine((w, ctx) => {
    const problem = sharedLine(w);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Two roles on one GPIO, in words ("the relay and the contact cannot share GPIO 17"), or null. */
function sharedLine(w: DoorWiring): string | null {
  const lines = [
    { role: 'relay', pin: w.relayPin },
    { role: 'contact', pin: w.contactPin },
    { role: 'exit button', pin: w.exitButtonPin },
  ].filter((l): l is { role: string; pin: number } => l.pin !== null);
  for (const [i, a] of lines.entries()) {
    const b = lines.slice(i + 1).find((other) => other.pin === a.pin);
    if (b) return `the ${a.role} and the ${b.role} cannot share GPIO ${a.pin}`;
  }
  return null;
}

/** One line for the door page and the audit log, e.g. "relay GPIO 17, contact GPIO 27, no exit button". */
export function describeWiring(w: DoorWiring): string {
  return [
    `relay GPIO ${w.relayPin}${w.relayActiveLow ? ' (active low)' : ''}`,
    w.contactPin === null ? 'no door contact' : `contact GPIO ${w.contactPin}`,
    w.exitButtonPin === null ? 'no exit button' : `exit button GPIO ${w.exitButtonPin}`,
  ].join(', ');
}
