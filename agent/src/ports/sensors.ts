/** Door contact sensor port (reed switch on a GPIO input, or none). */
export interface DoorContact {
  readonly state: 'open' | 'closed' | 'unknown';
  start(onChange: (state: 'open' | 'closed') => void): Promise<void>;
  stop(): Promise<void>;
}

/** Request-to-exit button port (a push button on a GPIO input): reports presses, debounced. */
export interface ExitButton {
  start(onPress: () => void): Promise<void>;
  stop(): Promise<void>;
}
