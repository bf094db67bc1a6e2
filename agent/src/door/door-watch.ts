/**
 * Runs the door monitor (door-monitor.ts) against the real inputs: the door contact and the exit
 * button feed it, a timer feeds its held-open checks, and its outputs become door events and local
 * unlocks. The agent tells it when the relay grants (unlocked until …) and when it locks early.
 */
import type { Logger } from '../../../lib/logger.js';
import type { DoorContact, ExitButton } from '../ports/index.js';
import {
  initialDoorState,
  stepDoor,
  type DoorInput,
  type DoorMonitorSettings,
  type DoorMonitorState,
  type DoorOutput,
} from './door-monitor.js';

export type DoorEventOutput = Extract<DoorOutput, { kind: 'event' }>;

export interface DoorWatchOptions {
  settings: DoorMonitorSettings;
  contact?: DoorContact;
  exitButton?: ExitButton;
  clock: () => number;
  logger: Logger;
  onEvent: (event: DoorEventOutput) => void;
  /** A local unlock (the exit button): must work with no back end. */
  onLocalUnlock: (source: 'exit_button', pulseMs: number) => void;
}

export const DEFAULT_DOOR_SETTINGS: DoorMonitorSettings = {
  heldOpenMs: 30_000,
  grantGraceMs: 1_000,
  exitPulseMs: 5_000,
};

export class DoorWatch {
  private state: DoorMonitorState = initialDoorState;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly log: Logger;

  constructor(private readonly options: DoorWatchOptions) {
    this.log = options.logger.child({ component: 'door-watch' });
  }

  get contact(): DoorMonitorState['contact'] {
    return this.state.contact;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { contact, exitButton, clock } = this.options;
    if (contact) {
      try {
        await contact.start((reading) => this.feed({ kind: 'contact', state: reading, at: clock() }));
        if (contact.state !== 'unknown') this.feed({ kind: 'contact_initial', state: contact.state, at: clock() });
      } catch (err) {
        this.log.error({ err }, 'door contact unavailable; continuing without it');
      }
    }
    if (exitButton) {
      try {
        await exitButton.start(() => this.feed({ kind: 'exit_pressed', at: clock() }));
      } catch (err) {
        this.log.error({ err }, 'exit button unavailable; continuing without it');
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([this.options.contact?.stop(), this.options.exitButton?.stop()]);
    this.state = initialDoorState;
  }

  /** The relay is energised until `until` (epoch ms). */
  unlocked(until: number): void {
    this.feed({ kind: 'unlocked', until, at: this.options.clock() });
  }

  /** The relay was released (possibly before its pulse ended). */
  locked(): void {
    this.feed({ kind: 'locked', at: this.options.clock() });
  }

  private feed(input: DoorInput): void {
    if (!this.running) return;
    const step = stepDoor(this.options.settings, this.state, input);
    this.state = step.state;
    this.schedule(step.nextCheckAt);
    for (const output of step.outputs) {
      try {
        if (output.kind === 'event') {
          this.log.info({ type: output.type, detail: output.detail }, 'door event');
          this.options.onEvent(output);
        } else {
          this.options.onLocalUnlock(output.source, output.pulseMs);
        }
      } catch (err) {
        this.log.error({ err, output }, 'door output handler failed');
      }
    }
  }

  private schedule(at: number | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (at === null) return;
    const delay = Math.max(0, at - this.options.clock());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.feed({ kind: 'tick', at: this.options.clock() });
    }, delay);
    this.timer.unref?.();
  }
}
