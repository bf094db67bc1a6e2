/**
 * Maps a BCM pin number to the sysfs GPIO number onoff needs. Since kernel 6.6 (Pi OS Bookworm)
 * sysfs numbers start at the chip's base (e.g. 512 + BCM pin on a Pi 4, 571 + pin on a Pi 5), so
 * the agent reads /sys/class/gpio/gpiochip*\/{base,label,ngpio} and picks the Pi's main pin
 * controller. The sysfs root is a parameter so this runs against a fake tree in tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

export interface GpioChipInfo {
  name: string;
  base: number;
  label: string;
  ngpio: number;
}

/**
 * Labels of the chip that drives the 40-pin header, best first. The Pi 5's header sits on the RP1
 * south bridge (pinctrl-rp1), not on its SoC's own bcm2712 controllers.
 */
const MAIN_CHIP_LABELS: readonly RegExp[] = [
  /^pinctrl-rp1$/,
  /^pinctrl-bcm2711$/,
  /^pinctrl-bcm2835$/,
  /^pinctrl-bcm27\d\d$/,
];

export function listGpioChips(sysfsRoot = DEFAULT_SYSFS_GPIO_ROOT): GpioChipInfo[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(sysfsRoot).filter((name) => /^gpiochip\d+$/.test(name));
  } catch (cause) {
    throw new ConfigError(`cannot read GPIO chips under ${sysfsRoot} (is this a Raspberry Pi with sysfs GPIO?)`, {
      cause,
    });
  }
  const chips: GpioChipInfo[] = [];
  for (const name of entries) {
    const dir = path.join(sysfsRoot, name);
    try {
      const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8').trim();
      const base = Number(read('base'));
      const ngpio = Number(read('ngpio'));
      if (!Number.isInteger(base) || !Number.isInteger(ngpio)) continue;
      chips.push({ name, base, ngpio, label: read('label') });
    } catch {
      // A chip we cannot read is not one we can use; the others may still be.
    }
  }
  return chips;
}

/** The sysfs GPIO number for a BCM pin on this board; throws ConfigError when no Pi pin controller is found. */
export function resolveSysfsGpio(bcmPin: number, sysfsRoot = DEFAULT_SYSFS_GPIO_ROOT): number {
  const chips = listGpioChips(sysfsRoot);
  for (const pattern of MAIN_CHIP_LABELS) {
    const chip = chips.find((c) => pattern.test(c.label));
    if (!chip) continue;
    if (bcmPin >= chip.ngpio) {
      throw new ConfigError(`BCM pin ${bcmPin} is out of range for ${chip.label} (${chip.ngpio} lines)`);
    }
    return chip.base + bcmPin;
  }
  const found = chips.map((c) => `${c.name}=${c.label}`).join(', ') || 'none';
  throw new ConfigError(`no Raspberry Pi GPIO controller found under ${sysfsRoot} (chips: ${found})`);
}
