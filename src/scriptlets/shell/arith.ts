// $(( )) arithmetic over known variables: integers, the C operators sh has, and assignments.
// A variable that is not a number (or anything we cannot evaluate) is an error, so the
// scriptlet is reported instead of computed with a guess.

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const TOKEN = /\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_][A-Za-z0-9_]*|<<=|>>=|\*\*|&&|\|\||==|!=|<=|>=|<<|>>|\+\+|--|[-+*/%]=|[&|^]=|[-+*/%<>!~&|^()?:=,])/y;

function tokens(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new ArithError(`cannot read '${src.slice(pos).trim()}'`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '<<': return BigInt.asIntN(64, a << b);
    case '>>': return a >> b;
    case '+': return BigInt.asIntN(64, a + b);
    case '-': return BigInt.asIntN(64, a - b);
    case '*': return BigInt.asIntN(64, a * b);
    case '**': return BigInt.asIntN(64, a ** b);
    case '/': case '%':
      if (b === 0n) throw new ArithError('division by zero');
      return op === '/' ? a / b : a % b;
  }
  throw new ArithError(`operator ${op}`);
}

/** Evaluates an arithmetic expression the way sh's $(( )) does (64-bit signed). */
export function evalArith(src: string, vars: ArithVars): bigint {
  const toks = tokens(src);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const num = (name: string): bigint => {
    const v = (vars.get(name) ?? '').trim();
    if (v === '') return 0n;
    if (/^-?\d+$/.test(v)) return BigInt(v);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return num(v);
    throw new ArithError(`${name}='${v}' is not a number`);
  };

  const assign = (): bigint => {
    const t = peek();
    const op = toks[i + 1];
    if (t !== undefined && /^[A-Za-z_]/.test(t) && op !== undefined && /^([-+*/%&|^]|<<|>>)?=$/.test(op) ) {
      i += 2;
      const rhs = assign();
      const v = op === '=' ? rhs : apply(op.slice(0, -1), num(t), rhs);
      vars.set(t, String(v));
      return v;
    }
    return ternary();
  };
  const ternary = (): bigint => {
    const c = binary(0);
    if (peek() !== '?') return c;
    next();
    const a = assign();
    if (next() !== ':') throw new ArithError("'?' without ':'");
    const b = assign();
    return c !== 0n ? a : b;
  };
  const binary = (level: number): bigint => {
    if (level >= LEVELS.length) return power();
    let left = binary(level + 1);
    for (let op = peek(); op !== undefined && LEVELS[level]!.includes(op); op = peek()) {
      next();
      left = apply(op, left, binary(level + 1));
    }
    return left;
  };
  const power = (): bigint => {
    const base = unary();
    if (peek() === '**') { next(); return apply('**', base, power()); }
    return base;
  };
  const unary = (): bigint => {
    const t = peek();
    if (t === '-') { next(); return BigInt.asIntN(64, -unary()); }
    if (t === '+') { next(); return unary(); }
    if (t === '!') { next(); return unary() === 0n ? 1n : 0n; }
    if (t === '~') { next(); return ~unary(); }
    if (t === '++' || t === '--') {
      next();
      const name = next();
      if (name === undefined || !/^[A-Za-z_]/.test(name)) throw new ArithError(`${t} without a variable`);
      const v = num(name) + (t === '++' ? 1n : -1n);
      vars.set(name, String(v));
      return v;
    }
    return postfix();
  };
  const postfix = (): bigint => {
    const t = next();
    if (t === undefined) throw new ArithError('expression ends early');
    if (t === '(') {
      const v = comma();
      if (next() !== ')') throw new ArithError("missing ')'");
      return v;
    }
    if (/^0[xX]/.test(t)) return BigInt(t);
    if (/^\d/.test(t)) return t.length > 1 && t.startsWith('0') ? BigInt(`0o${t.slice(1)}`) : BigInt(t);
    if (/^[A-Za-z_]/.test(t)) {
      const v = num(t);
      const op = peek();
      if (op === '++' || op === '--') {
        next();
        vars.set(t, String(v + (op === '++' ? 1n : -1n)));
      }
      return v;
    }
    throw new ArithError(`unexpected '${t}'`);
  };
  const comma = (): bigint => {
    let v = assign();
    while (peek() === ',') { next(); v = assign(); }
    return v;
  };

  if (toks.length === 0) return 0n;
  let v: bigint;
  try {
    v = comma();
  } catch (e) {
    if (e instanceof RangeError || e instanceof SyntaxError) throw new ArithError(e.message);
    throw e;
  }
  if (i < toks.length) throw new ArithError(`unexpected '${toks[i]}'`);
  return v;
}
