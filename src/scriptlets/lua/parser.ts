// Recursive-descent parser for Lua 5.1 (the language rpm 4.8 embeds; `goto` is refused).
import type { Block, Expr, FuncBody, Stat, TableItem } from './ast.js';
import { LuaSyntaxError, tokenize } from './lexer.js';
import type { Token } from './lexer.js';

// binary precedence (left, right) as in lparser.c
const BIN: Record<string, [number, number]> = {
  or: [1, 1], and: [2, 2],
  '<': [3, 3], '>': [3, 3], '<=': [3, 3], '>=': [3, 3], '~=': [3, 3], '==': [3, 3],
  '..': [5, 4], '+': [6, 6], '-': [6, 6], '*': [7, 7], '/': [7, 7], '%': [7, 7], '^': [10, 9],
};
const UNARY_PRI = 8;

export function parseLua(src: string): Block {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const next = (): Token => toks[p++]!;
  const fail = (msg: string, tk: Token = peek()): never => { throw new LuaSyntaxError(`[string]:${tk.line}: ${msg} near '${tk.value}'`); };
  const isOp = (v: string): boolean => { const tk = peek(); return tk.kind === 'op' && tk.value === v; };
  const accept = (v: string): boolean => { if (isOp(v)) { p++; return true; } return false; };
  const expect = (v: string): void => { if (!accept(v)) fail(`'${v}' expected`); };
  const name = (): string => { const tk = peek(); if (tk.kind !== 'name') fail('<name> expected'); p++; return tk.value; };

  const blockEnd = (): boolean => { const tk = peek(); return tk.kind === 'eof' || (tk.kind === 'op' && ['end', 'else', 'elseif', 'until'].includes(tk.value)); };

  function block(): Block {
    const out: Stat[] = [];
    while (!blockEnd()) {
      if (isOp('return')) {
        next();
        const exprs = blockEnd() || isOp(';') ? [] : exprList();
        accept(';');
        out.push({ t: 'return', exprs });
        if (!blockEnd()) fail("'end' expected");
        break;
      }
      if (isOp('break')) { next(); accept(';'); out.push({ t: 'break' }); continue; }
      out.push(statement());
      accept(';');
    }
    return out;
  }

  function statement(): Stat {
    const tk = peek();
    if (tk.kind === 'op') {
      switch (tk.value) {
        case 'do': { next(); const body = block(); expect('end'); return { t: 'do', body }; }
        case 'while': { next(); const cond = expr(); expect('do'); const body = block(); expect('end'); return { t: 'while', cond, body }; }
        case 'repeat': { next(); const body = block(); expect('until'); return { t: 'repeat', body, cond: expr() }; }
        case 'if': {
          next();
          const clauses: { cond: Expr; body: Block }[] = [];
          const cond = expr(); expect('then'); clauses.push({ cond, body: block() });
          let orelse: Block | undefined;
          for (;;) {
            if (accept('elseif')) { const c = expr(); expect('then'); clauses.push({ cond: c, body: block() }); continue; }
            if (accept('else')) orelse = block();
            expect('end');
            break;
          }
          return orelse ? { t: 'if', clauses, orelse } : { t: 'if', clauses };
        }
        case 'for': {
          next();
          const n1 = name();
          if (accept('=')) {
            const start = expr(); expect(','); const limit = expr();
            const step = accept(',') ? expr() : undefined;
            expect('do'); const body = block(); expect('end');
            return step ? { t: 'fornum', v: n1, start, limit, step, body } : { t: 'fornum', v: n1, start, limit, body };
          }
          const names = [n1];
          while (accept(',')) names.push(name());
          expect('in');
          const exprs = exprList();
          expect('do'); const body = block(); expect('end');
          return { t: 'forin', names, exprs, body };
        }
        case 'function': {
          next();
          let fname = name();
          let target: Expr = { t: 'name', name: fname };
          let method = false;
          while (isOp('.') || isOp(':')) {
            method = next().value === ':';
            const k = name();
            fname += (method ? ':' : '.') + k;
            target = { t: 'index', obj: target, key: { t: 'str', v: k } };
            if (method) break;
          }
          return { t: 'assign', targets: [target], exprs: [{ t: 'func', f: funcBody(fname, method) }] };
        }
        case 'local': {
          next();
          if (accept('function')) { const n = name(); return { t: 'localfunc', name: n, f: funcBody(n, false) }; }
          const names = [name()];
          while (accept(',')) names.push(name());
          return { t: 'local', names, exprs: accept('=') ? exprList() : [] };
        }
        case 'goto': case '::': fail('goto and labels are Lua 5.2');
      }
    }
    const e = suffixed();
    if (isOp('=') || isOp(',')) {
      const targets = [e];
      while (accept(',')) targets.push(suffixed());
      expect('=');
      for (const t of targets) if (t.t !== 'name' && t.t !== 'index') fail('syntax error');
      return { t: 'assign', targets, exprs: exprList() };
    }
    if (e.t !== 'call' && e.t !== 'method') fail('syntax error');
    return { t: 'call', call: e };
  }

  function funcBody(fname: string, method: boolean): FuncBody {
    expect('(');
    const params = method ? ['self'] : [];
    let vararg = false;
    if (!isOp(')')) {
      do {
        if (accept('...')) { vararg = true; break; }
        params.push(name());
      } while (accept(','));
    }
    expect(')');
    const body = block();
    expect('end');
    return { name: fname, params, vararg, body };
  }

  function exprList(): Expr[] {
    const out = [expr()];
    while (accept(',')) out.push(expr());
    return out;
  }

  function primary(): Expr {
    const tk = peek();
    if (tk.kind === 'name') { p++; return { t: 'name', name: tk.value }; }
    if (accept('(')) { const e = expr(); expect(')'); return { t: 'paren', e }; }
    return fail('unexpected symbol');
  }

  function suffixed(): Expr {
    let e = primary();
    for (;;) {
      const tk = peek();
      if (tk.kind === 'op' && tk.value === '.') { next(); e = { t: 'index', obj: e, key: { t: 'str', v: name() } }; continue; }
      if (tk.kind === 'op' && tk.value === '[') { next(); const k = expr(); expect(']'); e = { t: 'index', obj: e, key: k }; continue; }
      if (tk.kind === 'op' && tk.value === ':') { next(); const m = name(); e = { t: 'method', obj: e, name: m, args: callArgs(), line: tk.line }; continue; }
      if ((tk.kind === 'op' && (tk.value === '(' || tk.value === '{')) || tk.kind === 'string') { e = { t: 'call', fn: e, args: callArgs(), line: tk.line }; continue; }
      return e;
    }
  }

  function callArgs(): Expr[] {
    const tk = peek();
    if (tk.kind === 'string') { p++; return [{ t: 'str', v: tk.value }]; }
    if (isOp('{')) return [table()];
    expect('(');
    if (accept(')')) return [];
    const args = exprList();
    expect(')');
    return args;
  }

  function table(): Expr {
    expect('{');
    const items: TableItem[] = [];
    while (!isOp('}')) {
      if (accept('[')) { const key = expr(); expect(']'); expect('='); items.push({ key, value: expr() }); }
      else if (peek().kind === 'name' && toks[p + 1]?.kind === 'op' && toks[p + 1]?.value === '=') {
        const k = name(); next(); items.push({ key: { t: 'str', v: k }, value: expr() });
      } else items.push({ value: expr() });
      if (!accept(',') && !accept(';')) break;
    }
    expect('}');
    return { t: 'table', items };
  }

  function simple(): Expr {
    const tk = peek();
    if (tk.kind === 'number') { p++; return { t: 'num', v: tk.num! }; }
    if (tk.kind === 'string') { p++; return { t: 'str', v: tk.value }; }
    if (tk.kind === 'op') {
      switch (tk.value) {
        case 'nil': p++; return { t: 'nil' };
        case 'true': p++; return { t: 'true' };
        case 'false': p++; return { t: 'false' };
        case '...': p++; return { t: 'vararg' };
        case '{': return table();
        case 'function': p++; return { t: 'func', f: funcBody('anonymous', false) };
      }
    }
    return suffixed();
  }

  function expr(limit = 0): Expr {
    let left: Expr;
    const tk = peek();
    if (tk.kind === 'op' && (tk.value === 'not' || tk.value === '-' || tk.value === '#')) {
      p++;
      left = { t: 'un', op: tk.value, e: expr(UNARY_PRI) };
    } else left = simple();
    for (;;) {
      const op = peek();
      const pri = op.kind === 'op' ? BIN[op.value] : undefined;
      if (!pri || pri[0] <= limit) return left;
      p++;
      left = { t: 'bin', op: op.value, l: left, r: expr(pri[1]) };
    }
  }

  const b = block();
  if (peek().kind !== 'eof') fail("'<eof>' expected");
  return b;
}

export { LuaSyntaxError };
export type { FuncBody };
