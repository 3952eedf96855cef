// A tree-walking Lua 5.1 interpreter, bounded: every statement, call and loop turn costs a
// step, new table keys and long strings are counted, so a hostile scriptlet stops with
// LuaAbort instead of hanging or exhausting the build.
import type { Block, Expr, FuncBody, Stat } from './ast.js';
import { LuaAbort, LuaError, LuaFunction, LuaTable, fmtNum, luaType, tonum, truthy } from './values.js';
import type { LuaValue } from './values.js';

/** totalBytes: the fresh strings library calls build (upper, rep, gsub...), together, kept or not: a bound on what a script can hold */
export interface Limits { steps: number; tableKeys: number; stringBytes: number; depth: number; totalBytes: number }
export const DEFAULT_LIMITS: Limits = { steps: 20_000_000, tableKeys: 2_000_000, stringBytes: 64 << 20, depth: 180, totalBytes: 256 << 20 };

class Scope {
  readonly vars = new Map<string, { v: LuaValue }>();
  constructor(readonly parent: Scope | undefined) {}
  find(name: string): { v: LuaValue } | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) { const b = s.vars.get(name); if (b) return b; }
    return undefined;
  }
}

interface Frame { varargs: LuaValue[] }
const BREAK = { brk: true } as const;
type Signal = undefined | typeof BREAK | { ret: LuaValue[] };

/** a posix.fork child that has not exec'd yet: where to resume as the parent */
interface ForkPoint { token: object; index: number; pid: number }
/** thrown by posix.exec / os.exit in a forked child: the child process ends */
export class ChildExit extends Error { constructor(readonly point: ForkPoint, readonly status: number) { super('child exit'); } }

export class Interp {
  readonly globals = new LuaTable();
  readonly stringMeta = new LuaTable();
  steps = 0;
  /** bytes of fresh strings library functions built so far (freshString) */
  private built = 0;
  private keys = 0;
  private depth = 0;
  line = 0;
  private stmtStack: { token: object; index: number }[] = [];
  /** set while running the child side of a posix.fork */
  child: ForkPoint | undefined;
  /** the pid the re-run fork call returns in the parent */
  private resumePid: number | undefined;
  private nextPid = 1000;
  readonly exited = new Map<number, number>();
  /** a forked child that ran off its block without exec: reported by the runner */
  onChildFallthrough: (() => void) | undefined;
  onChildError: ((e: LuaError) => void) | undefined;

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.steps) throw new LuaAbort(`stopped after ${this.limits.steps} steps (a loop that does not end?)`);
  }

  /** Before building a string of n bytes: over the bound it is never built. */
  checkLength(n: number): void {
    this.checkSize(n);
    const total = this.limits.totalBytes;
    if (this.built + n > total) throw new LuaAbort(`the script built more than ${total} bytes of strings`);
  }

  /** A string that may share its bytes with its parts (`..` makes a rope): only its own size is bounded. */
  checkString(s: string): string {
    this.checkSize(s.length);
    return s;
  }

  private checkSize(n: number): void {
    if (n > this.limits.stringBytes) throw new LuaAbort(`a string of ${n} bytes is over the ${this.limits.stringBytes} byte bound`);
  }

  /** A new flat string a library function made (upper, rep, gsub's result): it counts towards the total too. */
  freshString(s: string): string {
    this.checkLength(s.length);
    this.built += s.length;
    return s;
  }

  newKey(): void {
    if (++this.keys > this.limits.tableKeys) throw new LuaAbort(`more than ${this.limits.tableKeys} table entries`);
  }

  tset(t: LuaTable, k: LuaValue, v: LuaValue): void {
    if (t.set(k, v)) this.newKey();
  }

  fn(name: string, f: (args: LuaValue[]) => LuaValue[]): LuaFunction { return new LuaFunction(name, f); }

  // --- the fork emulation (see posix.fork in lib-posix.ts) -------------------------------------

  fork(): number {
    if (this.resumePid !== undefined) { const pid = this.resumePid; this.resumePid = undefined; return pid; }
    if (this.child) throw new LuaAbort('posix.fork in a forked child');
    const top = this.stmtStack[this.stmtStack.length - 1];
    if (!top) throw new LuaAbort('posix.fork outside a statement');
    this.child = { token: top.token, index: top.index, pid: this.nextPid++ };
    return 0;
  }

  // --- running ----------------------------------------------------------------------------------

  run(chunk: Block, args: LuaValue[]): LuaValue[] {
    const sig = this.execBlock(chunk, new Scope(undefined), { varargs: args });
    return sig && 'ret' in sig ? sig.ret : [];
  }

  call(f: LuaValue, args: LuaValue[]): LuaValue[] {
    this.step();
    if (f instanceof LuaFunction) {
      if (++this.depth > this.limits.depth) { this.depth--; throw new LuaError('stack overflow'); }
      try { return f.call(args); } finally { this.depth--; }
    }
    if (f instanceof LuaTable) {
      const h = f.metatable?.get('__call');
      if (h !== undefined) return this.call(h, [f, ...args]);
    }
    throw new LuaError(`attempt to call a ${luaType(f)} value`);
  }

  index(o: LuaValue, k: LuaValue): LuaValue {
    for (let hops = 0; hops < 100; hops++) {
      let h: LuaValue;
      if (o instanceof LuaTable) {
        const v = o.get(k);
        if (v !== undefined) return v;
        h = o.metatable?.get('__index');
        if (h === undefined) return undefined;
      } else if (typeof o === 'string') {
        h = this.stringMeta.get('__index');
      } else throw new LuaError(`attempt to index a ${luaType(o)} value`);
      if (h instanceof LuaFunction) return this.call(h, [o, k])[0];
      o = h;
    }
    throw new LuaError("loop in '__index'");
  }

  setIndex(o: LuaValue, k: LuaValue, v: LuaValue): void {
    for (let hops = 0; hops < 100; hops++) {
      if (!(o instanceof LuaTable)) throw new LuaError(`attempt to index a ${luaType(o)} value`);
      const h = o.metatable?.get('__newindex');
      if (h === undefined || o.get(k) !== undefined) { this.tset(o, k, v); return; }
      if (h instanceof LuaFunction) { this.call(h, [o, k, v]); return; }
      o = h;
    }
    throw new LuaError("loop in '__newindex'");
  }

  tostring(v: LuaValue): string {
    if (v instanceof LuaTable) {
      const h = v.metatable?.get('__tostring');
      if (h !== undefined) {
        const s = this.call(h, [v])[0];
        if (typeof s !== 'string') throw new LuaError("'__tostring' must return a string");
        return s;
      }
    }
    return tostr(v);
  }

  private execBlock(block: Block, scope: Scope, frame: Frame): Signal {
    const token = {};
    const entry = { token, index: 0 };
    this.stmtStack.push(entry);
    try {
      for (let i = 0; i < block.length; i++) {
        entry.index = i;
        try {
          const sig = this.exec(block[i]!, scope, frame);
          if (sig) {
            if (this.child?.token === token) { this.childRanOff(); i = this.resume() - 1; continue; }
            return sig;
          }
        } catch (e) {
          if (e instanceof LuaError && this.child?.token === token) {
            // the child's Lua error ends the child (rpm's own copy would go on: reported)
            this.onChildError?.(e);
            this.exited.set(this.child.pid, 1);
            i = this.resume() - 1;
            continue;
          }
          if (!(e instanceof ChildExit) || e.point.token !== token) throw e;
          this.exited.set(e.point.pid, e.status);
          i = this.resume() - 1;
        }
        if (i === block.length - 1 && this.child?.token === token) { this.childRanOff(); i = this.resume() - 1; }
      }
      return undefined;
    } finally {
      this.stmtStack.pop();
    }
  }

  /** back to the fork's statement, as the parent; returns its index */
  private resume(): number {
    const c = this.child!;
    this.child = undefined;
    this.resumePid = c.pid;
    if (!this.exited.has(c.pid)) this.exited.set(c.pid, 0);
    return c.index;
  }

  private childRanOff(): void {
    this.onChildFallthrough?.();
  }

  private exec(s: Stat, scope: Scope, frame: Frame): Signal {
    this.step();
    switch (s.t) {
      case 'local': {
        const vals = this.evalList(s.exprs, scope, frame, s.names.length);
        s.names.forEach((n, i) => scope.vars.set(n, { v: vals[i] }));
        return undefined;
      }
      case 'localfunc': {
        const b = { v: undefined as LuaValue };
        scope.vars.set(s.name, b);
        b.v = this.closure(s.f, scope);
        return undefined;
      }
      case 'assign': {
        // targets' object and key expressions are evaluated before the right-hand side
        const refs = s.targets.map((t) => t.t === 'index' ? { obj: this.eval(t.obj, scope, frame), key: this.eval(t.key, scope, frame) } : undefined);
        const vals = this.evalList(s.exprs, scope, frame, s.targets.length);
        s.targets.forEach((t, i) => {
          const r = refs[i];
          if (r) this.setIndex(r.obj, r.key, vals[i]);
          else if (t.t === 'name') {
            const b = scope.find(t.name);
            if (b) b.v = vals[i];
            else this.setIndex(this.globals, t.name, vals[i]);
          }
        });
        return undefined;
      }
      case 'call': this.eval(s.call, scope, frame, true); return undefined;
      case 'do': return this.execBlock(s.body, new Scope(scope), frame);
      case 'while':
        while (truthy(this.eval(s.cond, scope, frame))) {
          this.step();
          const sig = this.execBlock(s.body, new Scope(scope), frame);
          if (sig === BREAK) break;
          if (sig) return sig;
        }
        return undefined;
      case 'repeat':
        for (;;) {
          this.step();
          const inner = new Scope(scope);
          const sig = this.execBlock(s.body, inner, frame);
          if (sig === BREAK) break;
          if (sig) return sig;
          if (truthy(this.eval(s.cond, inner, frame))) break;
        }
        return undefined;
      case 'if': {
        for (const c of s.clauses) if (truthy(this.eval(c.cond, scope, frame))) return this.execBlock(c.body, new Scope(scope), frame);
        return s.orelse ? this.execBlock(s.orelse, new Scope(scope), frame) : undefined;
      }
      case 'fornum': {
        const num = (e: Expr, what: string): number => {
          const v = tonum(this.eval(e, scope, frame));
          if (v === undefined) throw new LuaError(`'for' ${what} must be a number`);
          return v;
        };
        const start = num(s.start, 'initial value');
        const limit = num(s.limit, 'limit');
        const stepv = s.step ? num(s.step, 'step') : 1;
        for (let v = start; stepv > 0 ? v <= limit : v >= limit; v += stepv) {
          this.step();
          const inner = new Scope(scope);
          inner.vars.set(s.v, { v });
          const sig = this.execBlock(s.body, inner, frame);
          if (sig === BREAK) break;
          if (sig) return sig;
        }
        return undefined;
      }
      case 'forin': {
        const [f, st, init] = this.evalList(s.exprs, scope, frame, 3);
        let ctl = init;
        for (;;) {
          const vals = this.call(f, [st, ctl]);
          if (vals[0] === undefined) break;
          ctl = vals[0];
          const inner = new Scope(scope);
          s.names.forEach((n, i) => inner.vars.set(n, { v: vals[i] }));
          const sig = this.execBlock(s.body, inner, frame);
          if (sig === BREAK) break;
          if (sig) return sig;
        }
        return undefined;
      }
      case 'return': {
        // a tail call keeps its values
        return { ret: this.evalList(s.exprs, scope, frame) };
      }
      case 'break': return BREAK;
    }
  }

  closure(f: FuncBody, scope: Scope): LuaFunction {
    return new LuaFunction(f.name, (args) => {
      const inner = new Scope(scope);
      f.params.forEach((p, i) => inner.vars.set(p, { v: args[i] }));
      const sig = this.execBlock(f.body, inner, { varargs: f.vararg ? args.slice(f.params.length) : [] });
      return sig && 'ret' in sig ? sig.ret : [];
    });
  }

  /** values of an expression list; the last one is expanded (calls, ...) unless `want` is met */
  evalList(exprs: Expr[], scope: Scope, frame: Frame, want?: number): LuaValue[] {
    const out: LuaValue[] = [];
    exprs.forEach((e, i) => {
      if (i === exprs.length - 1 && (e.t === 'call' || e.t === 'method' || e.t === 'vararg')) out.push(...this.multi(e, scope, frame));
      else out.push(this.eval(e, scope, frame));
    });
    if (want !== undefined) out.length = want;
    return out;
  }

  private multi(e: Expr, scope: Scope, frame: Frame): LuaValue[] {
    if (e.t === 'vararg') return frame.varargs;
    if (e.t === 'call') {
      const f = this.eval(e.fn, scope, frame);
      const args = this.evalList(e.args, scope, frame);
      this.line = e.line;
      return this.callNamed(f, args, e.fn);
    }
    if (e.t === 'method') {
      const o = this.eval(e.obj, scope, frame);
      const f = this.index(o, e.name);
      const args = this.evalList(e.args, scope, frame);
      this.line = e.line;
      if (f === undefined) throw new LuaError(`attempt to call method '${e.name}' (a nil value)`);
      return this.call(f, [o, ...args]);
    }
    return [this.eval(e, scope, frame)];
  }

  private callNamed(f: LuaValue, args: LuaValue[], fe: Expr): LuaValue[] {
    if (f === undefined || typeof f === 'boolean' || typeof f === 'number' || typeof f === 'string') {
      const what = fe.t === 'name' ? ` (global '${fe.name}')` : fe.t === 'index' && fe.key.t === 'str' ? ` (field '${fe.key.v}')` : '';
      throw new LuaError(`attempt to call a ${luaType(f)} value${what}`);
    }
    return this.call(f, args);
  }

  eval(e: Expr, scope: Scope, frame: Frame, _stmt = false): LuaValue {
    switch (e.t) {
      case 'nil': return undefined;
      case 'true': return true;
      case 'false': return false;
      case 'num': return e.v;
      case 'str': return e.v;
      case 'vararg': return frame.varargs[0];
      case 'func': return this.closure(e.f, scope);
      case 'name': { const b = scope.find(e.name); return b ? b.v : this.index(this.globals, e.name); }
      case 'index': {
        const o = this.eval(e.obj, scope, frame);
        const k = this.eval(e.key, scope, frame);
        if (o === undefined || typeof o === 'boolean' || typeof o === 'number' || o instanceof LuaFunction) {
          const what = e.obj.t === 'name' ? ` (global '${e.obj.name}')` : e.obj.t === 'index' && e.obj.key.t === 'str' ? ` (field '${e.obj.key.v}')` : '';
          throw new LuaError(`attempt to index a ${luaType(o)} value${what}`);
        }
        return this.index(o, k);
      }
      case 'call': case 'method': return this.multi(e, scope, frame)[0];
      case 'paren': return this.eval(e.e, scope, frame);
      case 'table': {
        const t = new LuaTable();
        let n = 1;
        e.items.forEach((it, i) => {
          if (it.key) { const k = this.eval(it.key, scope, frame); const v = this.eval(it.value, scope, frame); if (v !== undefined || k !== undefined) this.tset(t, k, v); return; }
          if (i === e.items.length - 1 && (it.value.t === 'call' || it.value.t === 'method' || it.value.t === 'vararg')) {
            for (const v of this.multi(it.value, scope, frame)) this.tset(t, n++, v);
          } else this.tset(t, n++, this.eval(it.value, scope, frame));
        });
        return t;
      }
      case 'un': {
        const v = this.eval(e.e, scope, frame);
        if (e.op === 'not') return !truthy(v);
        if (e.op === '-') { const n = tonum(v); if (n === undefined) throw arithError(v); return -n; }
        if (typeof v === 'string') return v.length;
        if (v instanceof LuaTable) return v.length();
        throw new LuaError(`attempt to get length of a ${luaType(v)} value`);
      }
      case 'bin': {
        if (e.op === 'and') { const l = this.eval(e.l, scope, frame); return truthy(l) ? this.eval(e.r, scope, frame) : l; }
        if (e.op === 'or') { const l = this.eval(e.l, scope, frame); return truthy(l) ? l : this.eval(e.r, scope, frame); }
        return this.binop(e.op, this.eval(e.l, scope, frame), this.eval(e.r, scope, frame));
      }
    }
  }

  binop(op: string, a: LuaValue, b: LuaValue): LuaValue {
    switch (op) {
      case '==': return a === b;
      case '~=': return a !== b;
      case '<': return less(a, b, false);
      case '<=': return less(a, b, true);
      case '>': return less(b, a, false);
      case '>=': return less(b, a, true);
      case '..': {
        if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) {
          throw new LuaError(`attempt to concatenate a ${luaType(typeof a === 'string' || typeof a === 'number' ? b : a)} value`);
        }
        return this.checkString(tostr(a) + tostr(b));
      }
    }
    const x = tonum(a);
    const y = tonum(b);
    if (x === undefined) throw arithError(a);
    if (y === undefined) throw arithError(b);
    switch (op) {
      case '+': return x + y;
      case '-': return x - y;
      case '*': return x * y;
      case '/': return x / y;
      case '%': return x - Math.floor(x / y) * y;
      case '^': return Math.pow(x, y);
    }
    throw new LuaError(`unknown operator ${op}`);
  }
}

function arithError(v: LuaValue): LuaError {
  return new LuaError(`attempt to perform arithmetic on a ${luaType(v)} value`);
}

function less(a: LuaValue, b: LuaValue, orEqual: boolean): boolean {
  if (typeof a === 'number' && typeof b === 'number') return orEqual ? a <= b : a < b;
  if (typeof a === 'string' && typeof b === 'string') return orEqual ? a <= b : a < b;
  const ta = luaType(a);
  const tb = luaType(b);
  throw new LuaError(ta === tb ? `attempt to compare two ${ta} values` : `attempt to compare ${ta} with ${tb}`);
}

export function tostr(v: LuaValue): string {
  if (v === undefined) return 'nil';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'string') return v;
  return `${luaType(v)}: 0x${addressOf(v).toString(16).padStart(8, '0')}`;
}

const addresses = new WeakMap<object, number>();
let nextAddress = 0x8000;
function addressOf(o: object): number {
  let a = addresses.get(o);
  if (a === undefined) { a = nextAddress += 0x40; addresses.set(o, a); }
  return a;
}
