/** Door contact sensor port (reed switch on a GPIO input, or none). */
export interface DoorContact {
  readonly state: 'open' | 'closed' | 'unknown';
  start(onChange: (state: 'open' | 'closed') => void): Promise<void>;
  stop(): Promise<void>;
}
