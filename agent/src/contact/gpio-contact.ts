/** Door contact (reed switch) on a GPIO input via onoff, debounced (DebouncedInput); onoff is imported lazily like the relay's. */
import type { Logger } from '../../../lib/logger.js';
import type { DoorContact } from '../ports/index.js';
import { FacegateError } from '../errors.js';
import { DEFAULT_SYSFS_GPIO_ROOT, resolveSysfsGpio } from '../relay/sysfs-gpio.js';
import { DebouncedInput } from './debounced-input.js';

type ContactState = 'open' | 'closed' | 'unknown';

/** The subset of onoff's Gpio an input uses (narrowed so tests can drive it). */
export interface GpioInputLine {
  readSync(): 0 | 1;
  watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  unexport(): void;
}
export type GpioInputFactory = (gpio: number, options: { debounceTimeout: number }) => GpioInputLine;

export interface GpioContactOptions {
  pin: number;
  openWhen: 'high' | 'low';
  logger: Logger;
  sysfsRoot?: string;
  debounceMs?: number;
  /** Defaults to onoff's Gpio (input, both edges), imported on start(). */
  inputFactory?: GpioInputFactory;
}

/** How long a level must hold before it counts, unless configured. */
export const DEFAULT_DEBOUNCE_MS = 50;

export async function loadOnoffInputFactory(what = 'contact'): Promise<GpioInputFactory> {
  let onoff: typeof import('onoff');
  try {
    onoff = await import('onoff');
  } catch (cause) {
    throw new FacegateError('gpio_input', `the onoff package is not installed: a GPIO ${what} needs it`, { cause });
  }
  if (!onoff.Gpio.accessible)
    throw new FacegateError('gpio_input', 'GPIO is not accessible here (not a Raspberry Pi, or no permission)');
  // onoff's own debounce stays off: DebouncedInput does it, the same way on and off a Pi.
  return (gpio) => new onoff.Gpio(gpio, 'in', 'both', { debounceTimeout: 0 });
}

export class GpioContact implements DoorContact {
  private input: DebouncedInput | null = null;
  private current: ContactState = 'unknown';
  private readonly log: Logger;

  constructor(private readonly options: GpioContactOptions) {
    this.log = options.logger.child({ component: 'door-contact', pin: options.pin });
  }

  get state(): ContactState {
    return this.current;
  }

  async start(onChange: (state: 'open' | 'closed') => void): Promise<void> {
    if (this.input) return;
    const factory = this.options.inputFactory ?? (await loadOnoffInputFactory());
    const number = resolveSysfsGpio(this.options.pin, this.options.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT);
    const debounceMs = this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    const toState = (value: number): 'open' | 'closed' =>
      (value === 1) === (this.options.openWhen === 'high') ? 'open' : 'closed';
    this.input = new DebouncedInput(factory(number, { debounceTimeout: debounceMs }), {
      debounceMs,
      onStable: (value) => {
        this.current = toState(value);
        onChange(this.current);
      },
      onError: (err) => this.log.error({ err }, 'door contact read failed'),
    });
    this.current = toState(this.input.value);
    this.log.info({ state: this.current, debounceMs }, 'door contact started');
  }

  async stop(): Promise<void> {
    const input = this.input;
    this.input = null;
    if (!input) return;
    input.close();
    this.current = 'unknown';
  }
}
