import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GpioRelay, type GpioFactory } from '../../agent/src/relay/gpio-relay.js';
import { resolveSysfsGpio } from '../../agent/src/relay/sysfs-gpio.js';
import { silentLogger } from '../../lib/logger.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-sysfs-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function chip(name: string, base: number, label: string, ngpio: number) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'base'), `${base}\n`);
  fs.writeFileSync(path.join(dir, 'label'), `${label}\n`);
  fs.writeFileSync(path.join(dir, 'ngpio'), `${ngpio}\n`);
}

describe('sysfs GPIO number resolution', () => {
  it('uses the bcm2711 pin controller base on a Pi 4 with kernel 6.6+', () => {
    chip('gpiochip512', 512, 'pinctrl-bcm2711', 58);
    chip('gpiochip570', 570, 'raspberrypi-exp-gpio', 8);
    fs.writeFileSync(path.join(root, 'export'), '');
    expect(resolveSysfsGpio(17, root)).toBe(529);
  });

  it('uses the RP1 controller on a Pi 5, not the SoC chips listed first', () => {
    chip('gpiochip512', 512, 'gpio-brcmstb@107d508500', 32);
    chip('gpiochip544', 544, 'gpio-brcmstb@107d517c00', 15);
    chip('gpiochip571', 571, 'pinctrl-rp1', 54);
    expect(resolveSysfsGpio(17, root)).toBe(588);
  });

  it('keeps base 0 on older kernels (bcm2835 at gpiochip0)', () => {
    chip('gpiochip0', 0, 'pinctrl-bcm2835', 54);
    chip('gpiochip504', 504, 'raspberrypi-exp-gpio', 8);
    expect(resolveSysfsGpio(4, root)).toBe(4);
  });

  it('fails clearly off a Pi or for a pin the chip does not have', () => {
    chip('gpiochip0', 0, 'INT34C5:00', 360);
    expect(() => resolveSysfsGpio(17, root)).toThrow(/no Raspberry Pi GPIO controller.*INT34C5/);
    expect(() => resolveSysfsGpio(17, path.join(root, 'absent'))).toThrow(/cannot read GPIO chips/);
    chip('gpiochip512', 512, 'pinctrl-bcm2711', 58);
    expect(() => resolveSysfsGpio(60, root)).toThrow(/out of range/);
  });
});

describe('GpioRelay levels (recorded line: no GPIO hardware here)', () => {
  function recorder() {
    const calls: string[] = [];
    const factory: GpioFactory = (gpio, direction, options) => {
      calls.push(`open ${gpio} ${direction} activeLow=${options.activeLow}`);
      return { writeSync: (v) => void calls.push(`write ${v}`), unexport: () => void calls.push('unexport') };
    };
    return { calls, factory };
  }

  it('opens the line at its de-energised raw level, then writes logical values', async () => {
    chip('gpiochip512', 512, 'pinctrl-bcm2711', 58);
    for (const activeLow of [false, true]) {
      const { calls, factory } = recorder();
      const relay = await GpioRelay.open({
        pin: 17,
        activeLow,
        logger: silentLogger(),
        sysfsRoot: root,
        gpioFactory: factory,
      });
      expect(relay.state).toBe('locked');
      await relay.unlock();
      expect(relay.state).toBe('unlocked');
      relay.lockSync();
      await relay.lock();
      await relay.close();
      await relay.close();
      relay.lockSync();
      expect(calls).toEqual([
        `open 529 ${activeLow ? 'high' : 'low'} activeLow=${activeLow}`,
        'write 1',
        'write 0',
        'write 0',
        'write 0',
        'unexport',
      ]);
      await expect(relay.unlock()).rejects.toThrow(/closed/);
    }
  });

  it('lockSync never throws, even when the line fails', async () => {
    chip('gpiochip512', 512, 'pinctrl-bcm2711', 58);
    const relay = await GpioRelay.open({
      pin: 17,
      activeLow: false,
      logger: silentLogger(),
      sysfsRoot: root,
      gpioFactory: () => ({
        writeSync: () => {
          throw new Error('EIO');
        },
        unexport: () => {},
      }),
    });
    expect(() => relay.lockSync()).not.toThrow();
    await expect(relay.unlock()).rejects.toThrow(/cannot energise/);
  });
});
