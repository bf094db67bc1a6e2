/** An in-memory DoorLink for the agent's logic tests (the port seam); the real link is tested against the broker. */
import type { DoorEventMessage, DoorStatusMessage, FrameMessage } from '../../../protocol/index.js';
import type { DoorLink } from '../../../agent/src/ports/index.js';

export class MemoryDoorLink implements DoorLink {
  connected = false;
  readonly frames: FrameMessage[] = [];
  readonly statuses: DoorStatusMessage[] = [];
  readonly events: DoorEventMessage[] = [];
  private commandHandlers: ((payload: Buffer) => void)[] = [];
  private connectionHandlers: ((connected: boolean) => void)[] = [];

  async connect(): Promise<void> {
    this.setConnected(true);
  }
  async disconnect(): Promise<void> {
    this.setConnected(false);
  }
  onCommand(handler: (payload: Buffer) => void): void {
    this.commandHandlers.push(handler);
  }
  onConnectionChange(handler: (connected: boolean) => void): void {
    this.connectionHandlers.push(handler);
  }
  async publishFrame(frame: FrameMessage): Promise<void> {
    if (!this.connected) throw new Error('offline');
    this.frames.push(frame);
  }
  async publishStatus(status: DoorStatusMessage): Promise<void> {
    this.statuses.push(status);
  }
  async publishEvent(event: DoorEventMessage): Promise<void> {
    this.events.push(event);
  }
  /** Test controls. */
  deliver(payload: string | object): void {
    const bytes = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    for (const h of this.commandHandlers) h(bytes);
  }
  setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const h of this.connectionHandlers) h(connected);
  }
}
