// Layer 2: rpm version semantics (pure).
export { rpmvercmp } from './rpmvercmp.js';
export { parseEvr, compareEvr, formatEvr } from './evr.js';
export { depMatches, evrRangeMatches, rangesOverlap, formatDep, parseOp } from './deps.js';
