export * from './camera.js';
export * from './relay.js';
export * from './sensors.js';
export * from './door-link.js';
export * from './face-detector.js';
