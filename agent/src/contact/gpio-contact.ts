/** Door contact (reed switch) on a GPIO input via onoff, debounced; imported lazily like the relay. */
import type { Logger } from '../../../lib/logger.js';
import type { DoorContact } from '../ports/index.js';
import { FacegateError } from '../errors.js';
import { DEFAULT_SYSFS_GPIO_ROOT, resolveSysfsGpio } from '../relay/sysfs-gpio.js';

type ContactState = 'open' | 'closed' | 'unknown';

export interface GpioContactOptions {
  pin: number;
  openWhen: 'high' | 'low';
  logger: Logger;
  sysfsRoot?: string;
  debounceMs?: number;
}

export class GpioContact implements DoorContact {
  private gpio: import('onoff').Gpio | null = null;
  private current: ContactState = 'unknown';
  private readonly log: Logger;

  constructor(private readonly options: GpioContactOptions) {
    this.log = options.logger.child({ component: 'door-contact', pin: options.pin });
  }

  get state(): ContactState {
    return this.current;
  }

  async start(onChange: (state: 'open' | 'closed') => void): Promise<void> {
    let onoff: typeof import('onoff');
    try {
      onoff = await import('onoff');
    } catch (cause) {
      throw new FacegateError('contact', 'the onoff package is not installed: a GPIO door contact needs it', { cause });
    }
    const number = resolveSysfsGpio(this.options.pin, this.options.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT);
    const gpio = new onoff.Gpio(number, 'in', 'both', { debounceTimeout: this.options.debounceMs ?? 50 });
    this.gpio = gpio;
    const toState = (value: number): 'open' | 'closed' =>
      (value === 1) === (this.options.openWhen === 'high') ? 'open' : 'closed';
    this.current = toState(gpio.readSync());
    gpio.watch((err, value) => {
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
    if (!this.gpio) return;
    this.gpio.unwatchAll();
    this.gpio.unexport();
    this.gpio = null;
  }
}
