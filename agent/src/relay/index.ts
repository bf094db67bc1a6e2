export * from './fail-secure-relay.js';
export * from './simulated-relay.js';
export * from './gpio-relay.js';
export * from './sysfs-gpio.js';
