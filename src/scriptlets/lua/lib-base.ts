// Lua's base functions and the table and math libraries.
import type { Interp } from './interp.js';
import { tostr } from './interp.js';
import { parseLua } from './parser.js';
import { LuaSyntaxError } from './lexer.js';
import { LuaAbort, LuaError, LuaFunction, LuaTable, luaType, str2num, tonum, truthy } from './values.js';
import type { LuaValue } from './values.js';

export function argError(n: number, fname: string, msg: string): LuaError {
  return new LuaError(`bad argument #${n} to '${fname}' (${msg})`);
}

export function checkTable(v: LuaValue, n: number, fname: string): LuaTable {
  if (v instanceof LuaTable) return v;
  throw argError(n, fname, `table expected, got ${v === undefined ? 'no value' : luaType(v)}`);
}

export function checkInt(v: LuaValue, n: number, fname: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const x = tonum(v);
  if (x === undefined) throw argError(n, fname, `number expected, got ${v === undefined ? 'no value' : luaType(v)}`);
  return x >= 0 ? Math.floor(x) : Math.ceil(x);
}

export function checkStr(v: LuaValue, n: number, fname: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return tostr(v);
  throw argError(n, fname, `string expected, got ${v === undefined ? 'no value' : luaType(v)}`);
}

/** installs the base functions into interp.globals; `out` receives print's text */
export function baseLib(interp: Interp, out: (s: string) => void): void {
  const G = interp.globals;
  const def = (t: LuaTable, name: string, f: (a: LuaValue[]) => LuaValue[]): void => { t.set(name, new LuaFunction(name, f)); };
  G.set('_G', G);
  G.set('_VERSION', 'Lua 5.1');
  def(G, 'print', (a) => { out(a.map((v) => interp.tostring(v)).join('\t') + '\n'); return []; });
  def(G, 'type', (a) => { if (a.length === 0) throw argError(1, 'type', 'value expected'); return [luaType(a[0])]; });
  def(G, 'tostring', (a) => [interp.tostring(a[0])]);
  def(G, 'tonumber', (a) => {
    const base = a[1] === undefined ? 10 : checkInt(a[1], 2, 'tonumber');
    if (base === 10) return [typeof a[0] === 'number' ? a[0] : typeof a[0] === 'string' ? str2num(a[0]) : undefined];
    if (base < 2 || base > 36) throw argError(2, 'tonumber', 'base out of range');
    const s = checkStr(a[0], 1, 'tonumber').trim().toLowerCase();
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
    if (s === '' || ![...s.replace(/^-/, '')].every((c) => digits.includes(c))) return [undefined];
    return [parseInt(s, base)];
  });
  def(G, 'rawget', (a) => [checkTable(a[0], 1, 'rawget').get(a[1])]);
  def(G, 'rawset', (a) => { interp.tset(checkTable(a[0], 1, 'rawset'), a[1], a[2]); return [a[0]]; });
  def(G, 'rawequal', (a) => [a[0] === a[1]]);
  def(G, 'setmetatable', (a) => {
    const t = checkTable(a[0], 1, 'setmetatable');
    if (a[1] !== undefined && !(a[1] instanceof LuaTable)) throw argError(2, 'setmetatable', 'nil or table expected');
    t.metatable = a[1];
    return [t];
  });
  def(G, 'getmetatable', (a) => [a[0] instanceof LuaTable ? a[0].metatable : typeof a[0] === 'string' ? interp.stringMeta : undefined]);
  const next = new LuaFunction('next', (a) => { const r = checkTable(a[0], 1, 'next').next(a[1]); return r ? [r[0], r[1]] : [undefined]; });
  G.set('next', next);
  def(G, 'pairs', (a) => [next, checkTable(a[0], 1, 'pairs'), undefined]);
  const inext = new LuaFunction('ipairs iterator', (a) => {
    const i = (a[1] as number) + 1;
    const v = interp.index(a[0], i);
    return v === undefined ? [undefined] : [i, v];
  });
  def(G, 'ipairs', (a) => [inext, checkTable(a[0], 1, 'ipairs'), 0]);
  def(G, 'select', (a) => {
    if (a[0] === '#') return [a.length - 1];
    const n = checkInt(a[0], 1, 'select');
    if (n < 0) { if (-n > a.length - 1) throw argError(1, 'select', 'index out of range'); return a.slice(a.length + n); }
    if (n === 0) throw argError(1, 'select', 'index out of range');
    return a.slice(n);
  });
  def(G, 'unpack', (a) => unpack(interp, a));
  def(G, 'error', (a) => {
    const level = a[1] === undefined ? 1 : checkInt(a[1], 2, 'error');
    const v = a[0];
    throw new LuaError(typeof v === 'string' && level > 0 ? `[string "<lua>"]:${interp.line}: ${v}` : v);
  });
  def(G, 'assert', (a) => {
    if (!truthy(a[0])) throw new LuaError(a.length > 1 && a[1] !== undefined ? a[1] : 'assertion failed!');
    return a;
  });
  const protect = (f: () => LuaValue[], handler?: LuaValue): LuaValue[] => {
    try {
      return [true, ...f()];
    } catch (e) {
      if (e instanceof LuaError) return [false, handler === undefined ? e.value : interp.call(handler, [e.value])[0]];
      if (e instanceof RangeError) return [false, 'stack overflow'];
      throw e;
    }
  };
  def(G, 'pcall', (a) => { if (a.length === 0) throw argError(1, 'pcall', 'value expected'); return protect(() => interp.call(a[0], a.slice(1))); });
  def(G, 'xpcall', (a) => protect(() => interp.call(a[0], []), a[1]));
  const load = (src: string, chunk: string): LuaValue[] => {
    try {
      const b = parseLua(src);
      return [new LuaFunction(chunk, (args) => interp.run(b, args))];
    } catch (e) {
      if (e instanceof LuaSyntaxError) return [undefined, e.message];
      throw e;
    }
  };
  def(G, 'loadstring', (a) => load(checkStr(a[0], 1, 'loadstring'), 'loadstring'));
  def(G, 'load', (a) => {
    if (typeof a[0] === 'string') return load(a[0], 'load');
    let src = '';
    for (;;) { const piece = interp.call(a[0], [])[0]; if (piece === undefined || piece === '') break; src += checkStr(piece, 1, 'load'); interp.checkString(src); }
    return load(src, 'load');
  });
  for (const name of ['dofile', 'loadfile', 'collectgarbage', 'setfenv', 'getfenv', 'module', 'newproxy']) {
    def(G, name, (a) => {
      if (name === 'collectgarbage') return [0];
      throw new LuaAbort(`${name}() is not emulated`);
    });
  }
  const table = new LuaTable();
  G.set('table', table);
  def(table, 'insert', (a) => {
    const t = checkTable(a[0], 1, 'insert');
    const n = t.length();
    if (a.length === 2) { interp.tset(t, n + 1, a[1]); return []; }
    if (a.length !== 3) throw new LuaError("wrong number of arguments to 'insert'");
    const pos = checkInt(a[1], 2, 'insert');
    for (let i = n; i >= pos; i--) { interp.step(); interp.tset(t, i + 1, t.get(i)); }
    interp.tset(t, pos, a[2]);
    return [];
  });
  def(table, 'remove', (a) => {
    const t = checkTable(a[0], 1, 'remove');
    const n = t.length();
    const pos = checkInt(a[1], 2, 'remove', n);
    if (n === 0) return [];
    const v = t.get(pos);
    for (let i = pos; i < n; i++) { interp.step(); t.set(i, t.get(i + 1)); }
    t.set(n, undefined);
    return [v];
  });
  def(table, 'concat', (a) => {
    const t = checkTable(a[0], 1, 'concat');
    const sep = a[1] === undefined ? '' : checkStr(a[1], 2, 'concat');
    const i = checkInt(a[2], 3, 'concat', 1);
    const j = checkInt(a[3], 4, 'concat', t.length());
    const parts: string[] = [];
    let size = 0;
    for (let k = i; k <= j; k++) {
      interp.step();
      const v = t.get(k);
      if (typeof v !== 'string' && typeof v !== 'number') throw new LuaError(`invalid value (at index ${k}) in table for 'concat'`);
      const s = tostr(v);
      size += s.length + sep.length;
      interp.checkLength(size);
      parts.push(s);
    }
    return [interp.freshString(parts.join(sep))];
  });
  def(table, 'getn', (a) => [checkTable(a[0], 1, 'getn').length()]);
  def(table, 'maxn', (a) => {
    let m = 0;
    const t = checkTable(a[0], 1, 'maxn');
    for (let r = t.next(undefined); r; r = t.next(r[0])) if (typeof r[0] === 'number' && r[0] > m) m = r[0];
    return [m];
  });
  def(table, 'unpack', (a) => unpack(interp, a));
  def(table, 'sort', (a) => {
    const t = checkTable(a[0], 1, 'sort');
    const cmp = a[1];
    const n = t.length();
    const items: LuaValue[] = [];
    for (let i = 1; i <= n; i++) items.push(t.get(i));
    interp.step(n);
    const lt = (x: LuaValue, y: LuaValue): boolean => cmp !== undefined ? truthy(interp.call(cmp, [x, y])[0]) : interp.binop('<', x, y) as boolean;
    items.sort((x, y) => (lt(x, y) ? -1 : lt(y, x) ? 1 : 0));
    items.forEach((v, i) => t.set(i + 1, v));
    return [];
  });

  const math = new LuaTable();
  G.set('math', math);
  const num = (v: LuaValue, n: number, f: string): number => {
    const x = tonum(v);
    if (x === undefined) throw argError(n, f, `number expected, got ${v === undefined ? 'no value' : luaType(v)}`);
    return x;
  };
  const unary: Record<string, (x: number) => number> = {
    abs: Math.abs, ceil: Math.ceil, floor: Math.floor, sqrt: Math.sqrt, exp: Math.exp, log10: Math.log10,
    sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
    sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, deg: (x) => x * 180 / Math.PI, rad: (x) => x * Math.PI / 180,
  };
  for (const [k, f] of Object.entries(unary)) def(math, k, (a) => [f(num(a[0], 1, k))]);
  def(math, 'log', (a) => [a[1] === undefined ? Math.log(num(a[0], 1, 'log')) : Math.log(num(a[0], 1, 'log')) / Math.log(num(a[1], 2, 'log'))]);
  def(math, 'pow', (a) => [Math.pow(num(a[0], 1, 'pow'), num(a[1], 2, 'pow'))]);
  def(math, 'fmod', (a) => [num(a[0], 1, 'fmod') % num(a[1], 2, 'fmod')]);
  def(math, 'modf', (a) => { const x = num(a[0], 1, 'modf'); const i = x >= 0 ? Math.floor(x) : Math.ceil(x); return [i, x - i]; });
  def(math, 'max', (a) => [Math.max(...a.map((v, i) => num(v, i + 1, 'max')))]);
  def(math, 'min', (a) => [Math.min(...a.map((v, i) => num(v, i + 1, 'min')))]);
  def(math, 'atan2', (a) => [Math.atan2(num(a[0], 1, 'atan2'), num(a[1], 2, 'atan2'))]);
  def(math, 'ldexp', (a) => [num(a[0], 1, 'ldexp') * 2 ** num(a[1], 2, 'ldexp')]);
  // random numbers would make the image differ between builds: reported instead
  def(math, 'random', () => { throw new LuaAbort('math.random: a random value would make the image differ between builds'); });
  def(math, 'randomseed', () => []);
  math.set('huge', Infinity);
  math.set('pi', Math.PI);
}

function unpack(interp: Interp, a: LuaValue[]): LuaValue[] {
  const t = checkTable(a[0], 1, 'unpack');
  const i = checkInt(a[1], 2, 'unpack', 1);
  const j = checkInt(a[2], 3, 'unpack', t.length());
  // Lua 5.1 fails past its C stack (LUAI_MAXCSTACK 8000); results are spread into calls after this
  if (j - i >= 8000) throw new LuaError('too many results to unpack');
  const out: LuaValue[] = [];
  for (let k = i; k <= j; k++) out.push(t.get(k));
  interp.step(out.length);
  return out;
}
