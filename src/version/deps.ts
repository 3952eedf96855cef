import { Sense, SENSE_MASK, type Dep, type Evr } from '../types/deps.js';
import { parseEvr } from './evr.js';
import { rpmvercmp } from './rpmvercmp.js';

/**
 * Compare the EVR of two dependency ranges as rpm's rpmdsCompareEVR: epochs only when both
 * are given (a missing epoch equals 0), versions, then releases only when both sides have
 * one. Returns the overlap of the two ranges.
 */
export function rangesOverlap(a: Evr, aFlags: number, b: Evr, bFlags: number): boolean {
  let sense = 0;
  const ae = a.epoch ?? 0;
  const be = b.epoch ?? 0;
  if (ae !== be) sense = ae < be ? -1 : 1;
  if (sense === 0) {
    sense = rpmvercmp(a.version, b.version);
    if (sense === 0) {
      if (a.release && b.release) {
        sense = rpmvercmp(a.release, b.release);
      } else if ((a.release && bFlags & Sense.EQUAL) || (b.release && aFlags & Sense.EQUAL)) {
        // the side without a release matches any release when it includes equality
        return true;
      }
    }
  }
  if (sense < 0) return (aFlags & Sense.GREATER) !== 0 || (bFlags & Sense.LESS) !== 0;
  if (sense > 0) return (aFlags & Sense.LESS) !== 0 || (bFlags & Sense.GREATER) !== 0;
  return (
    ((aFlags & Sense.EQUAL) !== 0 && (bFlags & Sense.EQUAL) !== 0) ||
    ((aFlags & Sense.LESS) !== 0 && (bFlags & Sense.LESS) !== 0) ||
    ((aFlags & Sense.GREATER) !== 0 && (bFlags & Sense.GREATER) !== 0)
  );
}

/** Does `provide` satisfy `require`? rpm's rpmdsCompare: same name and overlapping ranges. */
export function depMatches(provide: Dep, require: Dep): boolean {
  if (provide.name !== require.name) return false;
  return evrRangeMatches(provide, require);
}

/** rpmdsCompare without the name check (names already known equal). */
export function evrRangeMatches(provide: Dep, require: Dep): boolean {
  const pf = provide.flags & SENSE_MASK;
  const rf = require.flags & SENSE_MASK;
  // an existence test on either side always overlaps
  if (pf === 0 || rf === 0) return true;
  if (!provide.version || !require.version) return true;
  return rangesOverlap(parseEvr(provide.version), pf, parseEvr(require.version), rf);
}

const OPS: Record<number, string> = {
  [Sense.LESS]: '<',
  [Sense.GREATER]: '>',
  [Sense.EQUAL]: '=',
  [Sense.LESS | Sense.EQUAL]: '<=',
  [Sense.GREATER | Sense.EQUAL]: '>=',
};

/** `name op version` as rpm prints a dependency. */
export function formatDep(d: Dep): string {
  const op = OPS[d.flags & SENSE_MASK];
  return op && d.version ? `${d.name} ${op} ${d.version}` : d.name;
}

/** Parse an operator token (`<`, `<=`, `=`, `==`, `>=`, `>`) into sense bits; 0 when unknown. */
export function parseOp(op: string): number {
  switch (op) {
    case '<': return Sense.LESS;
    case '<=': case '=<': return Sense.LESS | Sense.EQUAL;
    case '=': case '==': return Sense.EQUAL;
    case '>=': case '=>': return Sense.GREATER | Sense.EQUAL;
    case '>': return Sense.GREATER;
    default: return 0;
  }
}
