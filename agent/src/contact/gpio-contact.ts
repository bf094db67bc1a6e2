/** Door contact (reed switch) on a GPIO input via onoff, debounced; onoff is imported lazily like the relay's. */
import type { Logger } from '../../../lib/logger.js';
import type { DoorContact } from '../ports/index.js';
import { FacegateError } from '../errors.js';
import { DEFAULT_SYSFS_GPIO_ROOT, resolveSysfsGpio } from '../relay/sysfs-gpio.js';

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

async function loadOnoffInputFactory(): Promise<GpioInputFactory> {
  let onoff: typeof import('onoff');
  try {
    onoff = await import('onoff');
  } catch (cause) {
    throw new FacegateError('contact', 'the onoff package is not installed: a GPIO door contact needs it', { cause });
  }
  if (!onoff.Gpio.accessible)
    throw new FacegateError('contact', 'GPIO is not accessible here (not a Raspberry Pi, or no permission)');
  return (gpio, options) => new onoff.Gpio(gpio, 'in', 'both', options);
}

export class GpioContact implements DoorContact {
  private line: GpioInputLine | null = null;
  private current: ContactState = 'unknown';
  private readonly log: Logger;

  constructor(private readonly options: GpioContactOptions) {
    this.log = options.logger.child({ component: 'door-contact', pin: options.pin });
  }

  get state(): ContactState {
    return this.current;
  }

  async start(onChange: (state: 'open' | 'closed') => void): Promise<void> {
    if (this.line) return;
    const factory = this.options.inputFactory ?? (await loadOnoffInputFactory());
    const number = resolveSysfsGpio(this.options.pin, this.options.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT);
    const line = factory(number, { debounceTimeout: this.options.debounceMs ?? 50 });
    this.line = line;
    const toState = (value: number): 'open' | 'closed' =>
      (value === 1) === (this.options.openWhen === 'high') ? 'open' : 'closed';
    this.current = toState(line.readSync());
    line.watch((err, value) => {
      if (err) {
        this.log.error({ err }, 'door contact read failed');
        return;
      }
      const state = toState(value);
      if (state === this.current) return;
      this.current = state;
      onChange(state);
    });
    this.log.info({ state: this.current }, 'door contact started');
  }

  async stop(): Promise<void> {
    const line = this.line;
    this.line = null;
    if (!line) return;
    line.unwatchAll();
    line.unexport();
    this.current = 'unknown';
  }
}
