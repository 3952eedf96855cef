import type { Dep } from '../types/deps.js';
import { RfsError } from '../errors/index.js';
import { parseOp } from '../version/index.js';

/** A parsed rpm boolean dependency. */
export type Rich =
  | { op: 'dep'; dep: Dep }
  | { op: 'and' | 'or' | 'with' | 'without'; args: Rich[] }
  | { op: 'if' | 'unless'; a: Rich; b: Rich; c: Rich | null };

const KEYWORDS = new Set(['and', 'or', 'if', 'else', 'unless', 'with', 'without']);

export function isRich(name: string): boolean {
  return name.startsWith('(');
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '(' || c === ')') { out.push(c); i++; continue; }
    let j = i;
    // names may contain parentheses of their own, e.g. perl(Foo::Bar) or libc.so.6()(64bit)
    let depth = 0;
    while (j < s.length) {
      const d = s[j]!;
      if (d === '(') { if (j === i) break; depth++; }
      else if (d === ')') { if (depth === 0) break; depth--; }
      else if ((d === ' ' || d === '\t') && depth === 0) break;
      j++;
    }
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/** Parse `(a and (b or c >= 2))`; throws RFS_METADATA_MALFORMED on bad syntax. */
export function parseRich(s: string): Rich {
  const t = tokenize(s);
  let k = 0;
  const fail = (why: string): never => {
    throw new RfsError('RFS_METADATA_MALFORMED', `parsing rich dependency: ${why}`, { subject: s });
  };
  const operand = (): Rich => {
    const tok = t[k];
    if (tok === '(') return group();
    if (tok === undefined || tok === ')' || KEYWORDS.has(tok)) return fail(`expected a dependency at token ${k}`);
    k++;
    const flags = t[k] !== undefined ? parseOp(t[k]!) : 0;
    if (flags) {
      const ver = t[k + 1];
      if (ver === undefined || ver === ')' || ver === '(') return fail('missing version');
      k += 2;
      return { op: 'dep', dep: { name: tok, flags, version: ver } };
    }
    return { op: 'dep', dep: { name: tok, flags: 0, version: '' } };
  };
  const group = (): Rich => {
    if (t[k] !== '(') fail('expected (');
    k++;
    const first = operand();
    let node: Rich = first;
    const op = t[k];
    if (op === ')') { k++; return first; }
    if (op === 'and' || op === 'or' || op === 'with' || op === 'without') {
      const args = [first];
      while (t[k] === op) { k++; args.push(operand()); }
      node = { op, args };
    } else if (op === 'if' || op === 'unless') {
      k++;
      const b = operand();
      let c: Rich | null = null;
      if (t[k] === 'else') { k++; c = operand(); }
      node = { op, a: first, b, c };
    } else fail(`unexpected token ${op ?? 'end'}`);
    if (t[k] !== ')') fail(`expected ) at token ${k}`);
    k++;
    return node;
  };
  const r = group();
  if (k !== t.length) fail('trailing tokens');
  return r;
}

/** Print back in rpm syntax. */
export function formatRich(r: Rich): string {
  switch (r.op) {
    case 'dep': {
      const d = r.dep;
      return d.version ? `${d.name} ${opStr(d.flags)} ${d.version}` : d.name;
    }
    case 'and': case 'or': case 'with': case 'without':
      return `(${r.args.map(formatRich).join(` ${r.op} `)})`;
    default:
      return `(${formatRich(r.a)} ${r.op} ${formatRich(r.b)}${r.c ? ` else ${formatRich(r.c)}` : ''})`;
  }
}

function opStr(flags: number): string {
  const f = flags & 14;
  return f === 2 ? '<' : f === 4 ? '>' : f === 8 ? '=' : f === 10 ? '<=' : f === 12 ? '>=' : '?';
}
