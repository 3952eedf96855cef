// Public library API. Never imports src/cli.
export * from './types/index.js';
export * from './errors/index.js';
