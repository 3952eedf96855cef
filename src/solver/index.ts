// Layer 4: the dependency solver (pure: no I/O). See docs in README "Solver".
export { createPool, Pool, Solvable, nevraOf } from './pool.js';
export { resolve, resolveJobs } from './resolve.js';
export type { Job } from './jobs.js';
export { renderProblem } from './problems.js';
export { installOrder, type OrderOptions } from './order.js';
export { writeTestcase } from './testcase.js';
export { parseRich, formatRich, isRich, type Rich } from './richdep.js';
export * from './types.js';
