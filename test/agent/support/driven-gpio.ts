/**
 * GPIO inputs a test drives, for the door contact and the exit button when there is no GPIO
 * hardware: a sysfs tree with the Raspberry Pi 4's chip (so BCM pins resolve as on a Pi) and an
 * input line whose level the test sets, firing the edge like the kernel would.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GpioInputLine } from '../../../agent/src/contact/gpio-contact.js';

/** Writes a `gpiochip512` (pinctrl-bcm2711, 58 lines) under `root`; pass `root` as sysfsRoot. */
export function fakeGpioSysfs(root: string): void {
  const chip = path.join(root, 'gpiochip512');
  fs.mkdirSync(chip, { recursive: true });
  fs.writeFileSync(path.join(chip, 'base'), '512');
  fs.writeFileSync(path.join(chip, 'label'), 'pinctrl-bcm2711');
  fs.writeFileSync(path.join(chip, 'ngpio'), '58');
}

/** An input line the test drives: `set` changes the level and fires the edge, like the kernel would. */
export function drivenLine(initial: 0 | 1) {
  let watcher: ((err: Error | null | undefined, value: 0 | 1) => void) | null = null;
  let level = initial;
  const opened: number[] = [];
  const line: GpioInputLine = {
    readSync: () => level,
    watch: (cb) => void (watcher = cb),
    unwatchAll: () => void (watcher = null),
    unexport: () => {},
  };
  return {
    /** The sysfs GPIO numbers the line was opened as. */
    opened,
    factory: (gpio: number) => (opened.push(gpio), line),
    set: (v: 0 | 1) => {
      level = v;
      watcher?.(null, v);
    },
    fail: () => watcher?.(new Error('EIO'), 0),
  };
}
