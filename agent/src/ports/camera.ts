/** Camera port: a source of JPEG frames (a folder, fswebcam, or an MJPEG stream from ffmpeg/rpicam-vid). */
export interface CameraFrame {
  jpeg: Buffer;
  capturedAt: number;
}

export interface Camera {
  /** Starts delivering frames to `onFrame` until stop(); errors go to `onError` and the camera keeps trying. */
  start(onFrame: (frame: CameraFrame) => void, onError: (err: Error) => void): Promise<void>;
  stop(): Promise<void>;
}
