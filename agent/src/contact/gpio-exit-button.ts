/**
 * Request-to-exit button on a GPIO input, debounced. Usually wired between the pin and ground with
 * the pin pulled up, so it reads low while pressed (`pressedWhen: 'low'`). A press is reported on
 * the debounced edge into the pressed level; holding the button down is one press.
 */
import type { Logger } from '../../../lib/logger.js';
import type { ExitButton } from '../ports/index.js';
import { DEFAULT_SYSFS_GPIO_ROOT, resolveSysfsGpio } from '../relay/sysfs-gpio.js';
import { DebouncedInput } from './debounced-input.js';
import { DEFAULT_DEBOUNCE_MS, loadOnoffInputFactory, type GpioInputFactory } from './gpio-contact.js';

export interface GpioExitButtonOptions {
  pin: number;
  pressedWhen: 'high' | 'low';
  logger: Logger;
  sysfsRoot?: string;
  debounceMs?: number;
  inputFactory?: GpioInputFactory;
}

export class GpioExitButton implements ExitButton {
  private input: DebouncedInput | null = null;
  private readonly log: Logger;

  constructor(private readonly options: GpioExitButtonOptions) {
    this.log = options.logger.child({ component: 'exit-button', pin: options.pin });
  }

  async start(onPress: () => void): Promise<void> {
    if (this.input) return;
    const factory = this.options.inputFactory ?? (await loadOnoffInputFactory('exit button'));
    const number = resolveSysfsGpio(this.options.pin, this.options.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT);
    const debounceMs = this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    const pressedLevel = this.options.pressedWhen === 'high' ? 1 : 0;
    this.input = new DebouncedInput(factory(number, { debounceTimeout: debounceMs }), {
      debounceMs,
      onStable: (value) => {
        if (value === pressedLevel) onPress();
      },
      onError: (err) => this.log.error({ err }, 'exit button read failed'),
    });
    if (this.input.value === pressedLevel) {
      // Stuck pressed at start (a short, or a wedge): it must not keep the door open, so it only counts once released and pressed again.
      this.log.warn('exit button reads pressed at start; ignored until released');
    }
    this.log.info({ debounceMs }, 'exit button started');
  }

  async stop(): Promise<void> {
    const input = this.input;
    this.input = null;
    input?.close();
  }
}
