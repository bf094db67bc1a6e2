/**
 * Frames pushed in by code rather than captured: the admin site's browser-webcam "virtual door"
 * posts JPEGs, which enter the agent here and go through the same frame gate as a real camera's.
 */
import type { Camera, CameraFrame } from '../ports/index.js';
import { InvalidInputError } from '../errors.js';

/** Pushed images are re-encoded by the frame gate; this only stops absurd inputs at the door. */
export const MAX_PUSHED_IMAGE_BYTES = 8 * 1024 * 1024;

export class PushCamera implements Camera {
  private onFrame: ((frame: CameraFrame) => void) | null = null;

  async start(onFrame: (frame: CameraFrame) => void): Promise<void> {
    this.onFrame = onFrame;
  }

  async stop(): Promise<void> {
    this.onFrame = null;
  }

  get running(): boolean {
    return this.onFrame !== null;
  }

  /**
   * Hands one JPEG to the agent. Returns false when the camera is not started (the frame is
   * dropped, not queued); throws InvalidInputError for bytes that are not a JPEG.
   */
  push(jpeg: Buffer, capturedAt = Date.now()): boolean {
    if (!Buffer.isBuffer(jpeg) || jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) {
      throw new InvalidInputError('pushed frame is not a JPEG');
    }
    if (jpeg.length > MAX_PUSHED_IMAGE_BYTES) {
      throw new InvalidInputError(`pushed frame is larger than ${MAX_PUSHED_IMAGE_BYTES} bytes`);
    }
    if (!this.onFrame) return false;
    this.onFrame({ jpeg, capturedAt });
    return true;
  }
}
