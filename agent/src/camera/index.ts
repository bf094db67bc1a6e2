export * from './directory-camera.js';
export * from './mjpeg-stream-camera.js';
export * from './push-camera.js';
export * from './webcam-camera.js';
export * from './jpeg-splitter.js';
