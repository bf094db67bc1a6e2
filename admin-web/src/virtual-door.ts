/**
 * A door whose camera is the visitor's browser webcam: the page posts JPEG frames, a real door
 * agent (PushCamera + simulated relay over the real broker) sends them to the back end, and the
 * relay state comes back here for the page to show. The composition root provides one.
 */
export interface VirtualDoorState {
  lock: 'locked' | 'unlocked';
  lastDecision?: { type: 'unlock' | 'deny'; reason?: string; at: number };
}

export interface VirtualDoor {
  doorId: string;
  /** Hands a frame to the door's camera; the bytes have been checked (JPEG, decodable, bounded). */
  submitFrame(jpeg: Buffer): Promise<void>;
  /** Calls the listener on each change (and may call it at once with the current state); returns unsubscribe. */
  onState(listener: (s: VirtualDoorState) => void): () => void;
}
