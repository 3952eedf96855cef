// rpm's rpmvercmp (lib/rpmvercmp.c): segment-wise comparison with `~` sorting before
// everything (even the end) and `^` sorting after the end but before any other segment.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
const TILDE = 126;
const CARET = 94;

/** Compare two version (or release) strings exactly as rpm does. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const la = a.length;
  const lb = b.length;
  while (i < la || j < lb) {
    // skip separators (anything that is not alphanumeric, ~ or ^), ASCII only as rpm
    while (i < la) {
      const c = a.charCodeAt(i);
      if (isDigit(c) || isAlpha(c) || c === TILDE || c === CARET) break;
      i++;
    }
    while (j < lb) {
      const c = b.charCodeAt(j);
      if (isDigit(c) || isAlpha(c) || c === TILDE || c === CARET) break;
      j++;
    }
    const ca = i < la ? a.charCodeAt(i) : 0;
    const cb = j < lb ? b.charCodeAt(j) : 0;
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= la) return -1;
      if (j >= lb) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < la && j < lb)) break;
    const si = i;
    const sj = j;
    const isnum = isDigit(ca);
    if (isnum) {
      while (i < la && isDigit(a.charCodeAt(i))) i++;
      while (j < lb && isDigit(b.charCodeAt(j))) j++;
    } else {
      while (i < la && isAlpha(a.charCodeAt(i))) i++;
      while (j < lb && isAlpha(b.charCodeAt(j))) j++;
    }
    // segments of different types: numeric is newer than alpha
    if (j === sj) return isnum ? 1 : -1;
    let sa = a.slice(si, i);
    let sb = b.slice(sj, j);
    if (isnum) {
      sa = stripZeros(sa);
      sb = stripZeros(sb);
      if (sa.length > sb.length) return 1;
      if (sb.length > sa.length) return -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  const endA = i >= la;
  const endB = j >= lb;
  if (endA && endB) return 0;
  return endA ? -1 : 1;
}

function stripZeros(s: string): string {
  let k = 0;
  while (k < s.length - 0 && s.charCodeAt(k) === 48) k++;
  return s.slice(k);
}
