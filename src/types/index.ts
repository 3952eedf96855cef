// Layer 0: plain data shapes shared by every layer. Imports nothing.
export * from './deps.js';
export * from './package.js';
export * from './distro.js';
export * from './events.js';
