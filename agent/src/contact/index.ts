export * from './no-contact.js';
export * from './gpio-contact.js';
export * from './gpio-exit-button.js';
export * from './debounced-input.js';
