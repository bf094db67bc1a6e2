/** Door link port, door side: the MQTT session with IoT Core or the local broker. */
import type { DoorEventMessage, DoorStatusMessage, FramesTopicMessage } from '../../../protocol/index.js';

export interface DoorLink {
  /** Connects (with the last will set to an offline status) and subscribes to this door's commands. */
  connect(): Promise<void>;
  /** Raw command payloads; the agent validates them. */
  onCommand(handler: (payload: Buffer) => void): void;
  onConnectionChange(handler: (connected: boolean) => void): void;
  readonly connected: boolean;
  /** A frame of a visit, or the end of a visit (QoS 0, only while connected). */
  publishFrame(message: FramesTopicMessage): Promise<void>;
  publishStatus(status: DoorStatusMessage): Promise<void>;
  publishEvent(event: DoorEventMessage): Promise<void>;
  disconnect(): Promise<void>;
}
