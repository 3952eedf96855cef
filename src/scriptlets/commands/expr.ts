// expr(1), the arithmetic of older scriptlets (`i=`expr $i + 1``): integers, comparisons,
// | and &, and `STRING : REGEX`. Output and status as GNU expr (status 1 for 0 or "").
import type { CommandCtx, CommandResult } from '../context.js';

class ExprError extends Error {}

const isInt = (s: string) => /^-?\d+$/.test(s);

function bre(p: string): RegExp {
  const src = p.replace(/\\([(){}|+?])|([(){}|+?])/g, (_m, esc: string | undefined, plain: string | undefined) => (esc ?? `\\${plain}`));
  return new RegExp(`^(?:${src})`);
}

export function expr(argv: string[], ctx: CommandCtx): CommandResult {
  const t = argv.slice(1);
  let i = 0;
  const peek = () => t[i];
  const primary = (): string => {
    const a = t[i++];
    if (a === undefined) throw new ExprError('missing argument');
    if (a === '(') {
      const v = or();
      if (t[i++] !== ')') throw new ExprError("missing ')'");
      return v;
    }
    if (a === 'length') return String(primary().length);
    return a;
  };
  const match = (): string => {
    let l = primary();
    while (peek() === ':') {
      i++;
      const re = bre(primary());
      const m = re.exec(l);
      l = m ? (m[1] !== undefined ? m[1] : String(m[0].length)) : (re.source.includes('(') ? '' : '0');
    }
    return l;
  };
  const mul = (): string => {
    let l = match();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      i++;
      const r = match();
      if (!isInt(l) || !isInt(r)) throw new ExprError('non-integer argument');
      if (op !== '*' && BigInt(r) === 0n) throw new ExprError('division by zero');
      l = String(op === '*' ? BigInt(l) * BigInt(r) : op === '/' ? BigInt(l) / BigInt(r) : BigInt(l) % BigInt(r));
    }
    return l;
  };
  const add = (): string => {
    let l = mul();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      i++;
      const r = mul();
      if (!isInt(l) || !isInt(r)) throw new ExprError('non-integer argument');
      l = String(op === '+' ? BigInt(l) + BigInt(r) : BigInt(l) - BigInt(r));
    }
    return l;
  };
  const cmp = (): string => {
    let l = add();
    for (let op = peek(); op !== undefined && ['=', '==', '!=', '<', '<=', '>', '>='].includes(op); op = peek()) {
      i++;
      const r = add();
      const c = isInt(l) && isInt(r) ? Number(BigInt(l) - BigInt(r)) : l < r ? -1 : l > r ? 1 : 0;
      const v = op === '=' || op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      l = v ? '1' : '0';
    }
    return l;
  };
  const nul = (s: string) => s === '' || s === '0';
  const and = (): string => {
    let l = cmp();
    while (peek() === '&') { i++; const r = cmp(); l = nul(l) || nul(r) ? '0' : l; }
    return l;
  };
  const or = (): string => {
    let l = and();
    while (peek() === '|') { i++; const r = and(); l = nul(l) ? (nul(r) ? '0' : r) : l; }
    return l;
  };
  try {
    const v = or();
    if (i < t.length) throw new ExprError(`syntax error at '${t[i]}'`);
    return { status: nul(v) ? 1 : 0, stdout: `${v}\n` };
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    ctx.rec.problem(`expr ${t.join(' ')}: ${e.message}`);
    return { status: 2, stdout: '' };
  }
}
