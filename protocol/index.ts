export * from './topics.js';
export * from './limits.js';
export * from './messages.js';
