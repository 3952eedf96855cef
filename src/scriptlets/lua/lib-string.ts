// The string library: Lua patterns (a port of lstrlib.c's matcher), string.format, and the
// rest of Lua 5.1's string functions.
import type { Interp } from './interp.js';
import { tostr } from './interp.js';
import { LuaError, LuaTable, LuaFunction, luaType, tonum, truthy } from './values.js';
import { formatFloat } from './printf-num.js';
import type { LuaValue } from './values.js';

const L_ESC = '%';
const SPECIALS = '^$*+?.([%-';
const MAXCAPTURES = 32;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;

interface MatchState { src: string; pat: string; level: number; capture: { init: number; len: number }[]; depth: number; interp: Interp }

function classEnd(ms: MatchState, p: number): number {
  const pat = ms.pat;
  if (p >= pat.length) throw new LuaError('malformed pattern (ends with \'%\')');
  const c = pat[p++]!;
  if (c === L_ESC) {
    if (p >= pat.length) throw new LuaError("malformed pattern (ends with '%')");
    return p + 1;
  }
  if (c === '[') {
    if (pat[p] === '^') p++;
    do {
      if (p >= pat.length) throw new LuaError("malformed pattern (missing ']')");
      const cc = pat[p++];
      if (cc === L_ESC && p < pat.length) p++;
    } while (pat[p] !== ']');
    return p + 1;
  }
  return p;
}

function singleClass(c: number, cl: string): boolean {
  let res: boolean;
  switch (cl.toLowerCase()) {
    case 'a': res = (c >= 65 && c <= 90) || (c >= 97 && c <= 122); break;
    case 'c': res = c < 32 || c === 127; break;
    case 'd': res = c >= 48 && c <= 57; break;
    case 'l': res = c >= 97 && c <= 122; break;
    case 'p': res = (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126); break;
    case 's': res = c === 32 || (c >= 9 && c <= 13); break;
    case 'u': res = c >= 65 && c <= 90; break;
    case 'w': res = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122); break;
    case 'x': res = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102); break;
    case 'z': res = c === 0; break;
    default: return cl.charCodeAt(0) === c;
  }
  return cl >= 'A' && cl <= 'Z' ? !res : res;
}

function matchClass(ms: MatchState, c: number, p: number, ep: number): boolean {
  const pat = ms.pat;
  let sig = true;
  p++;
  if (pat[p] === '^') { sig = false; p++; }
  while (p < ep - 1) {
    if (pat[p] === L_ESC) {
      p++;
      if (singleClass(c, pat[p]!)) return sig;
      p++;
    } else if (pat[p + 1] === '-' && p + 2 < ep - 1) {
      if (pat.charCodeAt(p) <= c && c <= pat.charCodeAt(p + 2)) return sig;
      p += 3;
    } else {
      if (pat.charCodeAt(p) === c) return sig;
      p++;
    }
  }
  return !sig;
}

function singleMatch(ms: MatchState, s: number, p: number, ep: number): boolean {
  if (s >= ms.src.length) return false;
  const c = ms.src.charCodeAt(s);
  switch (ms.pat[p]) {
    case '.': return true;
    case L_ESC: return singleClass(c, ms.pat[p + 1]!);
    case '[': return matchClass(ms, c, p, ep);
    default: return ms.pat.charCodeAt(p) === c;
  }
}

function doMatch(ms: MatchState, s: number, p: number): number {
  ms.interp.step();
  if (++ms.depth > 200) throw new LuaError('pattern too complex');
  try {
    const pat = ms.pat;
    for (;;) {
      if (p >= pat.length) return s;
      const pc = pat[p]!;
      if (pc === '(') {
        if (pat[p + 1] === ')') return startCapture(ms, s, p + 2, CAP_POSITION);
        return startCapture(ms, s, p + 1, CAP_UNFINISHED);
      }
      if (pc === ')') return endCapture(ms, s, p + 1);
      if (pc === L_ESC) {
        const n = pat[p + 1];
        if (n === 'b') return matchBalance(ms, s, p + 2);
        if (n === 'f') {
          p += 2;
          if (pat[p] !== '[') throw new LuaError("missing '[' after '%f' in pattern");
          const ep = classEnd(ms, p);
          const prev = s === 0 ? 0 : ms.src.charCodeAt(s - 1);
          const cur = s < ms.src.length ? ms.src.charCodeAt(s) : 0;
          if (!matchClass(ms, prev, p, ep) && matchClass(ms, cur, p, ep)) { p = ep; continue; }
          return -1;
        }
        if (n !== undefined && n >= '0' && n <= '9') {
          s = matchCapture(ms, s, n.charCodeAt(0) - 48);
          if (s === -1) return -1;
          p += 2;
          continue;
        }
      }
      if (pc === '$' && p + 1 === pat.length) return s === ms.src.length ? s : -1;
      const ep = classEnd(ms, p);
      const m = singleMatch(ms, s, p, ep);
      const q = pat[ep];
      if (q === '?') {
        if (m) { const r = doMatch(ms, s + 1, ep + 1); if (r !== -1) return r; }
        p = ep + 1;
        continue;
      }
      if (q === '*') return maxExpand(ms, s, p, ep);
      if (q === '+') return m ? maxExpand(ms, s + 1, p, ep) : -1;
      if (q === '-') return minExpand(ms, s, p, ep);
      if (!m) return -1;
      s++;
      p = ep;
    }
  } finally {
    ms.depth--;
  }
}

function maxExpand(ms: MatchState, s: number, p: number, ep: number): number {
  let i = 0;
  while (singleMatch(ms, s + i, p, ep)) i++;
  ms.interp.step(i >> 4);
  while (i >= 0) {
    const r = doMatch(ms, s + i, ep + 1);
    if (r !== -1) return r;
    i--;
  }
  return -1;
}

function minExpand(ms: MatchState, s: number, p: number, ep: number): number {
  for (;;) {
    const r = doMatch(ms, s, ep + 1);
    if (r !== -1) return r;
    if (singleMatch(ms, s, p, ep)) s++;
    else return -1;
  }
}

function startCapture(ms: MatchState, s: number, p: number, what: number): number {
  if (ms.level >= MAXCAPTURES) throw new LuaError('too many captures');
  ms.capture[ms.level] = { init: s, len: what };
  ms.level++;
  const r = doMatch(ms, s, p);
  if (r === -1) ms.level--;
  return r;
}

function endCapture(ms: MatchState, s: number, p: number): number {
  let l = -1;
  for (let level = ms.level - 1; level >= 0; level--) if (ms.capture[level]!.len === CAP_UNFINISHED) { l = level; break; }
  if (l < 0) throw new LuaError('invalid pattern capture');
  ms.capture[l]!.len = s - ms.capture[l]!.init;
  const r = doMatch(ms, s, p);
  if (r === -1) ms.capture[l]!.len = CAP_UNFINISHED;
  return r;
}

function matchBalance(ms: MatchState, s: number, p: number): number {
  if (p + 1 >= ms.pat.length) throw new LuaError('unbalanced pattern');
  if (s >= ms.src.length || ms.src[s] !== ms.pat[p]) return -1;
  const b = ms.pat[p]!;
  const e = ms.pat[p + 1]!;
  let cont = 1;
  for (let i = s + 1; i < ms.src.length; i++) {
    const c = ms.src[i];
    if (c === e) { if (--cont === 0) return doMatch(ms, i + 1, p + 2); }
    else if (c === b) cont++;
  }
  return -1;
}

function matchCapture(ms: MatchState, s: number, l: number): number {
  const idx = l - 1;
  if (idx < 0 || idx >= ms.level || ms.capture[idx]!.len === CAP_UNFINISHED) throw new LuaError('invalid capture index');
  const cap = ms.capture[idx]!;
  const text = ms.src.substr(cap.init, cap.len);
  return ms.src.startsWith(text, s) ? s + text.length : -1;
}

function getCapture(ms: MatchState, i: number, s: number, e: number): LuaValue {
  if (i >= ms.level) {
    if (i === 0) return ms.src.slice(s, e);
    throw new LuaError('invalid capture index');
  }
  const cap = ms.capture[i]!;
  if (cap.len === CAP_UNFINISHED) throw new LuaError('unfinished capture');
  if (cap.len === CAP_POSITION) return cap.init + 1;
  return ms.src.substr(cap.init, cap.len);
}

function captures(ms: MatchState, s: number, e: number, wholeIfNone: boolean): LuaValue[] {
  const n = ms.level === 0 && wholeIfNone ? 1 : ms.level;
  const out: LuaValue[] = [];
  for (let i = 0; i < n; i++) out.push(getCapture(ms, i, s, e));
  return out;
}

function newState(interp: Interp, src: string, pat: string): MatchState {
  return { src, pat, level: 0, capture: [], depth: 0, interp };
}

function str(v: LuaValue, n: number, fname: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return tostr(v);
  throw new LuaError(`bad argument #${n} to '${fname}' (string expected, got ${v === undefined ? 'no value' : luaType(v)})`);
}

function int(v: LuaValue, n: number, fname: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const x = tonum(v);
  if (x === undefined) throw new LuaError(`bad argument #${n} to '${fname}' (number expected, got ${v === undefined ? 'no value' : luaType(v)})`);
  return x >= 0 ? Math.floor(x) : Math.ceil(x);
}

/** a relative string position (negative from the end) -> 0-based, clamped */
function posrelat(pos: number, len: number): number {
  if (pos < 0) pos = len + pos + 1;
  return pos < 0 ? 0 : pos;
}

function find(interp: Interp, args: LuaValue[], isFind: boolean): LuaValue[] {
  const fname = isFind ? 'find' : 'match';
  const s = str(args[0], 1, fname);
  const p = str(args[1], 2, fname);
  let init = posrelat(int(args[2], 3, fname, 1), s.length) - 1;
  if (init < 0) init = 0;
  else if (init > s.length) init = s.length; // Lua 5.1 clamps (5.2 returns nil)
  if (isFind && (truthy(args[3]) || ![...SPECIALS].some((c) => p.includes(c)))) {
    const at = s.indexOf(p, init);
    return at < 0 ? [undefined] : [at + 1, at + p.length];
  }
  const anchor = p.startsWith('^');
  const pat = anchor ? p.slice(1) : p;
  let s1 = init;
  do {
    const ms = newState(interp, s, pat);
    const e = doMatch(ms, s1, 0);
    if (e !== -1) return isFind ? [s1 + 1, e, ...captures(ms, s1, e, false)] : captures(ms, s1, e, true);
    s1++;
  } while (s1 <= s.length && !anchor);
  return [undefined];
}

function gsub(interp: Interp, args: LuaValue[]): LuaValue[] {
  const src = str(args[0], 1, 'gsub');
  let p = str(args[1], 2, 'gsub');
  const repl = args[2];
  const tr = luaType(repl);
  if (!['number', 'string', 'table', 'function'].includes(tr)) throw new LuaError(`bad argument #3 to 'gsub' (string/function/table expected, got ${repl === undefined ? 'no value' : tr})`);
  const maxN = args[3] === undefined ? src.length + 1 : int(args[3], 4, 'gsub');
  const anchor = p.startsWith('^');
  if (anchor) p = p.slice(1);
  let s = 0;
  let n = 0;
  let out = '';
  while (n < maxN) {
    const ms = newState(interp, src, p);
    const e = doMatch(ms, s, 0);
    if (e !== -1) {
      n++;
      const whole = src.slice(s, e);
      let val: LuaValue;
      if (tr === 'string' || tr === 'number') {
        const r = tostr(repl);
        let acc = '';
        for (let i = 0; i < r.length; i++) {
          const c = r[i]!;
          if (c !== L_ESC) { acc += c; continue; }
          const d = r[++i] ?? '';
          if (d >= '0' && d <= '9') acc += d === '0' ? whole : tostr(getCapture(ms, d.charCodeAt(0) - 49, s, e));
          else acc += d;
        }
        val = acc;
      } else {
        const first = captures(ms, s, e, true)[0];
        val = tr === 'table' ? interp.index(repl, first) : interp.call(repl, captures(ms, s, e, true))[0];
        if (!truthy(val)) val = whole;
        else if (typeof val !== 'string' && typeof val !== 'number') throw new LuaError(`invalid replacement value (a ${luaType(val)})`);
        else val = tostr(val);
      }
      out += val as string;
      interp.checkString(out);
    }
    if (e !== -1 && e > s) s = e;
    else if (s < src.length) out += src[s++];
    else break;
    if (anchor) break;
  }
  return [interp.freshString(out + src.slice(s)), n];
}

function gmatch(interp: Interp, args: LuaValue[]): LuaValue[] {
  const s = str(args[0], 1, 'gmatch');
  const p = str(args[1], 2, 'gmatch');
  let pos = 0;
  return [new LuaFunction('gmatch iterator', () => {
    for (let src = pos; src <= s.length; src++) {
      const ms = newState(interp, s, p);
      const e = doMatch(ms, src, 0);
      if (e !== -1) {
        pos = e === src ? e + 1 : e;
        return captures(ms, src, e, true);
      }
    }
    pos = s.length + 1;
    return [undefined];
  })];
}

/** one conversion after its '%', matched in place (sticky): no slice of the rest per '%' */
const SPEC = /([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z])/y;

function format(interp: Interp, args: LuaValue[]): string {
  const fmt = str(args[0], 1, 'format');
  let out = '';
  let arg = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') { out += c; continue; }
    if (fmt[i + 1] === '%') { out += '%'; i++; continue; }
    SPEC.lastIndex = i + 1;
    const m = SPEC.exec(fmt);
    if (!m) throw new LuaError("invalid option in format");
    i += m[0].length;
    const [, flags = '', width = '', precStr, conv = ''] = m;
    // Lua 5.1's own bounds (lstrlib.c scanformat): no width like %500000000d reaches padStart
    if (flags.length > 5) throw new LuaError('invalid format (repeated flags)');
    if (width.length > 2 || (precStr?.length ?? 0) > 2) throw new LuaError('invalid format (width or precision too long)');
    const prec = precStr === undefined ? undefined : Number(precStr || '0');
    arg++;
    const v = args[arg];
    let body: string;
    // C ignores '0' with a precision for integer conversions only
    let zeroPad = 'eEfgG'.includes(conv) || ('dioxXu'.includes(conv) && prec === undefined);
    const num = (): number => {
      const x = tonum(v);
      if (x === undefined) throw new LuaError(`bad argument #${arg + 1} to 'format' (number expected, got ${v === undefined ? 'no value' : luaType(v)})`);
      return x;
    };
    const sign = (x: number, s: string): string => (x < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + s;
    switch (conv) {
      case 'd': case 'i': {
        const x = Math.trunc(num());
        let digits = String(Math.abs(x));
        if (prec !== undefined) digits = digits.padStart(prec, '0');
        body = sign(x, digits);
        break;
      }
      case 'u': body = String(Math.trunc(num()) >>> 0); break;
      case 'c': body = String.fromCharCode(num() & 255); break;
      case 'x': case 'X': case 'o': {
        const x = Math.trunc(num());
        let digits = (x < 0 ? BigInt.asUintN(64, BigInt(x)) : BigInt(x)).toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') digits = digits.toUpperCase();
        if (prec !== undefined) digits = digits.padStart(prec, '0');
        if (flags.includes('#') && x !== 0) digits = (conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X') + digits;
        body = digits;
        break;
      }
      case 'e': case 'E': case 'f': case 'g': case 'G': { // no %F in Lua 5.1
        const x = num();
        body = formatFloat(x, conv, flags, prec);
        if (!Number.isFinite(x)) zeroPad = false; // C pads inf and nan with blanks
        break;
      }
      case 'q': {
        const s = str(v, arg + 1, 'format');
        // Lua 5.1 adds %q's text as is: no width
        out += '"' + s.replace(/[\\"\n\r\0]/g, (ch) => ch === '\n' ? '\\\n' : ch === '\r' ? '\\r' : ch === '\0' ? '\\000' : '\\' + ch) + '"';
        continue;
      }
      case 's': {
        // Lua 5.1: strings and numbers only (5.2 added tostring for the rest)
        let s = str(v, arg + 1, 'format');
        if (prec !== undefined) s = s.slice(0, prec);
        body = s;
        break;
      }
      default: throw new LuaError(`invalid option '%${conv}' to 'format'`);
    }
    const w = Number(width || '0');
    if (body.length < w) {
      if (flags.includes('-')) body = body.padEnd(w);
      else if (zeroPad && flags.includes('0')) {
        const signCh = /^[-+ ]/.test(body) ? body[0]! : '';
        const pre = /^[-+ ]?0[xX]/.test(body) ? body.slice(signCh.length, signCh.length + 2) : '';
        const rest = body.slice(signCh.length + pre.length);
        body = signCh + pre + rest.padStart(w - signCh.length - pre.length, '0');
      } else body = body.padStart(w);
    }
    out += body;
  }
  return interp.freshString(out);
}

export function stringLib(interp: Interp): LuaTable {
  const t = new LuaTable();
  const def = (name: string, f: (a: LuaValue[]) => LuaValue[]): void => { t.set(name, new LuaFunction(name, f)); };
  def('len', (a) => [str(a[0], 1, 'len').length]);
  def('sub', (a) => {
    const s = str(a[0], 1, 'sub');
    const l = s.length;
    const i = Math.max(posrelat(int(a[1], 2, 'sub', 1), l), 1);
    const j = Math.min(posrelat(int(a[2], 3, 'sub', -1), l), l);
    return [i > j ? '' : s.slice(i - 1, j)];
  });
  // every function that makes a new string counts it against the script's bounds
  def('upper', (a) => [interp.freshString(str(a[0], 1, 'upper').replace(/[a-z]+/g, (x) => x.toUpperCase()))]);
  def('lower', (a) => [interp.freshString(str(a[0], 1, 'lower').replace(/[A-Z]+/g, (x) => x.toLowerCase()))]);
  def('rep', (a) => {
    const s = str(a[0], 1, 'rep');
    const n = int(a[1], 2, 'rep');
    if (n <= 0) return [''];
    interp.checkLength(s.length * n);
    return [interp.freshString(s.repeat(n))];
  });
  def('reverse', (a) => [interp.freshString([...str(a[0], 1, 'reverse')].reverse().join(''))]);
  def('byte', (a) => {
    const s = str(a[0], 1, 'byte');
    const i = posrelat(int(a[1], 2, 'byte', 1), s.length);
    const j = posrelat(int(a[2], 3, 'byte', i), s.length);
    const out: LuaValue[] = [];
    for (let k = Math.max(i, 1); k <= Math.min(j, s.length); k++) out.push(s.charCodeAt(k - 1));
    return out;
  });
  def('char', (a) => [interp.freshString(a.map((v, n) => {
    const c = int(v, n + 1, 'char');
    if (c < 0 || c > 255) throw new LuaError(`bad argument #${n + 1} to 'char' (invalid value)`);
    return String.fromCharCode(c);
  }).join(''))]);
  def('find', (a) => find(interp, a, true));
  def('match', (a) => find(interp, a, false));
  def('gmatch', (a) => gmatch(interp, a));
  def('gfind', (a) => gmatch(interp, a));
  def('gsub', (a) => gsub(interp, a));
  def('format', (a) => [format(interp, a)]);
  return t;
}
