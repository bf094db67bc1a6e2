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
  .superRefine((w, ctx) => {
    const problem = wiringProblem(w);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The lines a wiring uses, for the "every line once" rule and for display. */
export function wiringLines(w: DoorWiring): { role: 'relay' | 'contact' | 'exit button'; pin: number }[] {
  return [
    { role: 'relay' as const, pin: w.relayPin },
    ...(w.contactPin === null ? [] : [{ role: 'contact' as const, pin: w.contactPin }]),
    ...(w.exitButtonPin === null ? [] : [{ role: 'exit button' as const, pin: w.exitButtonPin }]),
  ];
}

/** One line per role: returns the problem in words, or null when the wiring is usable. */
export function wiringProblem(w: DoorWiring): string | null {
  const lines = wiringLines(w);
  for (const { role, pin } of lines) {
    if (!Number.isInteger(pin) || pin < MIN_WIRING_PIN || pin > MAX_WIRING_PIN) {
      return `${role} pin must be a BCM GPIO number from ${MIN_WIRING_PIN} to ${MAX_WIRING_PIN}, not ${pin}`;
    }
  }
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      if (lines[i]!.pin === lines[j]!.pin) {
        return `the ${lines[i]!.role} and the ${lines[j]!.role} cannot share GPIO ${lines[i]!.pin}`;
      }
    }
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
