// The simple names inside a rich dependency, as rpm 4.13+ indexes them (rpmdb.cc updateRichDep
// over rpmds.cc rpmrichParse): sorted, de-duplicated, names from negated contexts
// (if/unless conditions, inverted again for else) prefixed with '!', rpmlib() names skipped.
import { compareStrings } from '../util/compare.js';

const OPS = new Set(['and', 'or', 'if', 'unless', 'else', 'with', 'without']);
const SENSES = new Set(['<', '>', '=', '<=', '>=', '=<', '=>', '==', '<>']);
const isWhite = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** returns the extra index keys for a rich dep string, or [] when it does not parse */
export function richDepNames(dep: string): string[] {
  const argv: string[] = [];
  let neg = 0;
  const levelStart: number[] = [];
  let p = 0;

  const skipWhite = (): void => {
    while (isWhite(dep[p])) p++;
  };
  // SKIPNONWHITEX: up to whitespace or an unbalanced ')', keeping parens inside names
  const skipNonWhiteX = (): void => {
    let c = 0;
    while (p < dep.length && !(isWhite(dep[p]) && c === 0) && !(c === 0 && dep[p] === ')')) {
      if (dep[p] === '(') c++;
      else if (dep[p] === ')') c--;
      p++;
    }
  };

  const simple = (): boolean => {
    const n = p;
    skipNonWhiteX();
    if (p === n) return false;
    const name = dep.slice(n, p);
    skipWhite();
    if (p < dep.length) {
      const s = p;
      skipNonWhiteX();
      if (SENSES.has(dep.slice(s, p))) {
        skipWhite();
        const e = p;
        skipNonWhiteX();
        if (p === e) return false;
      } else p = s;
    }
    if (!(name.length > 7 && name.startsWith('rpmlib('))) argv.push((neg ? '!' : ' ') + name);
    return true;
  };

  const parse = (): boolean => {
    levelStart.push(argv.length); // ENTER
    if (dep[p++] !== '(') return false;
    let firstop = '';
    let chainop = '';
    for (;;) {
      skipWhite();
      if (dep[p] === ')' || p >= dep.length) return false;
      if (dep[p] === '(') {
        if (!parse()) return false;
      } else if (!simple()) return false;
      skipWhite();
      if (p >= dep.length) return false;
      if (dep[p] === ')') break;
      const s = p;
      while (p < dep.length && !isWhite(dep[p]) && dep[p] !== ')') p++;
      const op = dep.slice(s, p);
      if (!OPS.has(op)) return false;
      if (firstop === '') firstop = op;
      if (op === 'else' && (chainop === 'if' || chainop === 'unless')) chainop = '';
      if (chainop !== '' && op !== chainop) return false;
      if (chainop !== '' && op !== 'and' && op !== 'or' && op !== 'with') return false;
      const lvl = levelStart.length - 1;
      if (op === 'if' || op === 'unless') {
        levelStart[lvl] = argv.length;
        neg ^= 1;
      } else if (op === 'else') {
        const end = argv.length;
        for (let i = levelStart[lvl]!; i < end; i++) {
          const a = argv[i]!;
          argv.push((a[0] === '!' ? ' ' : '!') + a.slice(1));
        }
        neg ^= 1;
      }
      chainop = op;
    }
    p++;
    levelStart.pop(); // LEAVE
    if (firstop === 'if' || firstop === 'unless') neg ^= 1;
    return true;
  };

  if (!parse()) return [];
  const sorted = [...argv].sort(compareStrings);
  const out: string[] = [];
  sorted.forEach((a, i) => {
    if (i > 0 && sorted[i - 1] === a) return;
    out.push(a[0] === ' ' ? a.slice(1) : a);
  });
  return out;
}
