export * from './face-index.js';
export * from './records.js';
export * from './image-store.js';
export * from './door-messaging.js';
export * from './door-provisioner.js';
export * from './clock.js';
export * from './search-budget.js';
