/**
 * The lock relay on a Raspberry Pi GPIO output, driven with onoff through sysfs. De-energised =
 * locked: the pin is configured to its inactive level when opened, on lock(), on close(), and on
 * process exit via lockSync(). onoff is imported lazily so the agent still runs (with a simulated
 * relay) where it or the GPIO hardware is absent.
 */
import type { Logger } from '../../../lib/logger.js';
import { RelayError } from '../errors.js';
import type { FailSecureRelay, RelayState } from './fail-secure-relay.js';
import { DEFAULT_SYSFS_GPIO_ROOT, resolveSysfsGpio } from './sysfs-gpio.js';

/** The subset of onoff's Gpio the relay uses (onoff's own types, narrowed so tests can pass a recorder). */
export interface GpioLine {
  writeSync(value: 0 | 1): void;
  unexport(): void;
}
export type GpioFactory = (gpio: number, direction: 'high' | 'low', options: { activeLow: boolean }) => GpioLine;

export interface GpioRelayOptions {
  /** BCM pin number (the number printed on pinout diagrams as GPIOnn). */
  pin: number;
  /** True when the relay board energises on a low level. */
  activeLow: boolean;
  logger: Logger;
  sysfsRoot?: string;
  /** Defaults to onoff's Gpio, imported on open(). */
  gpioFactory?: GpioFactory;
}

export async function loadOnoffGpioFactory(): Promise<GpioFactory> {
  let onoff: typeof import('onoff');
  try {
    onoff = await import('onoff');
  } catch (cause) {
    throw new RelayError('the onoff package is not installed: GPIO relays need it (npm install onoff)', { cause });
  }
  if (!onoff.Gpio.accessible)
    throw new RelayError('GPIO is not accessible here (not a Raspberry Pi, or no permission on /sys/class/gpio)');
  return (gpio, direction, options) => new onoff.Gpio(gpio, direction, 'none', options);
}

export class GpioRelay implements FailSecureRelay {
  private line: GpioLine | null = null;
  private current: RelayState = 'locked';
  private readonly log: Logger;

  private constructor(private readonly options: GpioRelayOptions) {
    this.log = options.logger.child({ component: 'gpio-relay', pin: options.pin });
  }

  /** Opens the GPIO line already at its locked level. */
  static async open(options: GpioRelayOptions): Promise<GpioRelay> {
    const relay = new GpioRelay(options);
    const factory = options.gpioFactory ?? (await loadOnoffGpioFactory());
    const sysfsNumber = resolveSysfsGpio(options.pin, options.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT);
    // sysfs "high"/"low" directions set the raw level, before active_low applies: pick the raw
    // level that leaves the relay de-energised so the line never glitches open while exporting.
    const lockedRawLevel = options.activeLow ? 'high' : 'low';
    try {
      relay.line = factory(sysfsNumber, lockedRawLevel, { activeLow: options.activeLow });
    } catch (cause) {
      throw new RelayError(`cannot open GPIO ${sysfsNumber} (BCM ${options.pin})`, { cause });
    }
    relay.log.info({ sysfsNumber, activeLow: options.activeLow }, 'relay GPIO opened, locked');
    return relay;
  }

  get state(): RelayState {
    return this.current;
  }

  async lock(): Promise<void> {
    this.write(0);
  }

  lockSync(): void {
    try {
      this.write(0);
    } catch (err) {
      // Nothing more can be done from an exit handler; the log says the lock may be energised.
      this.log.fatal({ err }, 'could not release the relay');
    }
  }

  async unlock(): Promise<void> {
    this.write(1);
  }

  async close(): Promise<void> {
    const line = this.line;
    if (!line) return;
    this.write(0);
    this.line = null;
    // Unexporting leaves the pin as an output at its last (locked) level on the Pi.
    try {
      line.unexport();
    } catch (err) {
      this.log.warn({ err }, 'could not unexport the relay GPIO');
    }
  }

  /** Logical value: 1 energises the relay (onoff applies activeLow). */
  private write(value: 0 | 1): void {
    const state: RelayState = value === 1 ? 'unlocked' : 'locked';
    if (!this.line) {
      if (value === 1) throw new RelayError('relay is closed');
      return;
    }
    try {
      this.line.writeSync(value);
    } catch (cause) {
      throw new RelayError(`cannot ${value === 1 ? 'energise' : 'release'} the relay`, { cause });
    }
    if (state !== this.current)
      this.log.info({ relay: state }, state === 'unlocked' ? 'relay energised' : 'relay released');
    this.current = state;
  }
}
