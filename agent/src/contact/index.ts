export * from './no-contact.js';
export * from './gpio-contact.js';
