// Lua 5.1 tokens. Source text and string values are byte strings: one JS char per byte
// (latin1), so binary files read through io keep their bytes and `#s` counts bytes as Lua does.

export type TokKind = 'name' | 'string' | 'number' | 'op' | 'eof';
export interface Token { kind: TokKind; value: string; num?: number; line: number }

export class LuaSyntaxError extends Error {}

const KEYWORDS = new Set(['and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if', 'in', 'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while']);
const OPS = ['...', '..', '==', '~=', '<=', '>=', '::', '//', '+', '-', '*', '/', '%', '^', '#', '<', '>', '=', '(', ')', '{', '}', '[', ']', ';', ':', ',', '.'];

export function isKeyword(s: string): boolean { return KEYWORDS.has(s); }

/** the long bracket level at `i` (`[==[` -> 2), or -1 when there is none */
function longLevel(src: string, i: number): number {
  if (src[i] !== '[') return -1;
  let j = i + 1;
  while (src[j] === '=') j++;
  return src[j] === '[' ? j - i - 1 : -1;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  if (src.startsWith('#')) while (i < n && src[i] !== '\n') i++; // a #! first line is skipped, as lua.c does
  const fail = (msg: string): never => { throw new LuaSyntaxError(`[string]:${line}: ${msg}`); };
  const readLong = (level: number): string => {
    const close = `]${'='.repeat(level)}]`;
    let start = i + level + 2;
    if (src[start] === '\r') start++;
    if (src[start] === '\n') start++;
    const end = src.indexOf(close, start);
    if (end < 0) fail('unfinished long string');
    const s = src.slice(start, end);
    for (const c of src.slice(i, end)) if (c === '\n') line++;
    i = end + close.length;
    return s;
  };
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '-' && src[i + 1] === '-') {
      i += 2;
      const lv = longLevel(src, i);
      if (lv >= 0) { readLong(lv); continue; }
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const w = src.slice(i, j);
      out.push({ kind: KEYWORDS.has(w) ? 'op' : 'name', value: w, line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^0[xX][0-9a-fA-F]*(?:\.[0-9a-fA-F]*)?(?:[pP][+-]?[0-9]+)?|^[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 400))!;
      const text = m[0];
      const num = /^0[xX]/.test(text) ? parseHex(text) : Number(text);
      if (Number.isNaN(num) || /[A-Za-z0-9_]/.test(src[i + text.length] ?? '')) fail(`malformed number near '${text}'`);
      out.push({ kind: 'number', value: text, num, line });
      i += text.length;
      continue;
    }
    if (c === '"' || c === "'") { out.push({ kind: 'string', value: readQuoted(), line }); continue; }
    if (c === '[') {
      const lv = longLevel(src, i);
      if (lv >= 0) { out.push({ kind: 'string', value: readLong(lv), line }); continue; }
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) fail(`unexpected symbol near '${c}'`);
    out.push({ kind: 'op', value: op!, line });
    i += op!.length;
  }
  out.push({ kind: 'eof', value: '<eof>', line });
  return out;

  function readQuoted(): string {
    const q = src[i]!;
    i++;
    let s = '';
    for (;;) {
      if (i >= n) fail('unfinished string');
      const ch = src[i]!;
      if (ch === q) { i++; return s; }
      if (ch === '\n') fail('unfinished string');
      if (ch !== '\\') { s += ch; i++; continue; }
      const e = src[i + 1] ?? '';
      i += 2;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '\n': '\n' };
      if (e in simple) { s += simple[e]; if (e === '\n') line++; continue; }
      if (/[0-9]/.test(e)) {
        let d = e;
        while (d.length < 3 && /[0-9]/.test(src[i] ?? '')) d += src[i++];
        const v = Number(d);
        if (v > 255) fail('escape sequence too large');
        s += String.fromCharCode(v);
        continue;
      }
      if (e === 'x' && /^[0-9a-fA-F]{2}/.test(src.slice(i, i + 2))) { s += String.fromCharCode(parseInt(src.slice(i, i + 2), 16)); i += 2; continue; }
      if (e === 'z') { while (i < n && /\s/.test(src[i]!)) { if (src[i] === '\n') line++; i++; } continue; }
      // Lua 5.1 keeps an unknown escaped character as itself
      s += e;
    }
  }
}

function parseHex(t: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(t);
  if (!m || (m[1] === '' && !m[2])) return NaN;
  let v = m[1] ? parseInt(m[1], 16) : 0;
  if (m[2]) for (let k = 0; k < m[2].length; k++) v += parseInt(m[2][k]!, 16) / 16 ** (k + 1);
  return m[3] ? v * 2 ** Number(m[3]) : v;
}
