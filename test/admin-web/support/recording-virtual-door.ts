/**
 * A recording VirtualDoor for the admin site's tests: keeps the frames it is handed and lets the
 * test set the relay state the page is told about. The real one needs the whole local stack (a
 * door agent over the broker; see browser.test.ts).
 */
import type { VirtualDoor, VirtualDoorState } from '../../../admin-web/src/virtual-door.js';

export class RecordingDoor implements VirtualDoor {
  doorId = 'virtual-door';
  frames: Buffer[] = [];
  private listeners = new Set<(s: VirtualDoorState) => void>();
  state: VirtualDoorState = { lock: 'locked' };
  async submitFrame(jpeg: Buffer) {
    this.frames.push(jpeg);
  }
  onState(listener: (s: VirtualDoorState) => void) {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }
  set(s: VirtualDoorState) {
    this.state = s;
    for (const l of this.listeners) l(s);
  }
  get listenerCount() {
    return this.listeners.size;
  }
}
