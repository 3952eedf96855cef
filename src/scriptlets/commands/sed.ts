// sed as scriptlets use it: `sed -i -e 's/re/repl/g' FILE`, `sed -n '/re/p'`, `sed -ni` with the
// hold space (h H g G x), blocks { }, `!`, ranges a1,a2, a/i/c text, q, and b/t without a label. Addresses /re/, N, $.
// Basic or extended regular expressions. Anything else is reported.
import type { CommandCtx, CommandResult } from '../context.js';
import { readTextFollow } from '../context.js';

/** POSIX BRE (with GNU's \+ \? \|) or ERE -> JS RegExp source */
export function toJsRegex(re: string, extended: boolean): string {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\' && i + 1 < re.length) {
      const n = re[++i]!;
      if (!extended && '(){}+?|'.includes(n)) out += n;
      else if (/[0-9]/.test(n)) out += '\\' + n;
      else if (n === 'n') out += '\\n';
      else if (n === 't') out += '\\t';
      else if ('wWsSbB<>'.includes(n)) out += n === '<' || n === '>' ? '\\b' : '\\' + n;
      else out += '\\' + n;
    } else if (c === '[') {
      const end = re.indexOf(']', re[i + 1] === '^' ? i + 3 : i + 2);
      if (end < 0) { out += '\\['; continue; }
      out += re.slice(i, end + 1).replace(/\[:(alpha|digit|alnum|space|upper|lower|punct|blank):\]/g, (_m, cls: string) => ({
        alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', space: '\\s', upper: 'A-Z', lower: 'a-z', punct: '!-/:-@[-`{-~', blank: ' \\t',
      })[cls] ?? '').replace(/\\(?!s|t)/g, '\\\\');
      i = end;
    } else if (!extended && '(){}+?|'.includes(c)) out += '\\' + c;
    else out += c;
  }
  return out;
}

function replacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '\\' && i + 1 < r.length) {
      const n = r[++i]!;
      out += /[0-9]/.test(n) ? `$${n}` : n === 'n' ? '\n' : n === 't' ? '\t' : n === '$' ? '$$' : n;
    } else if (c === '&') out += '$&';
    else if (c === '$') out += '$$';
    else out += c;
  }
  return out;
}

/** split `s/a/b/g`-style delimited parts, honouring escaped delimiters */
function delimited(s: string, start: number, delim: string, count: number): { parts: string[]; end: number } | undefined {
  const parts: string[] = [];
  let cur = '';
  let i = start;
  while (i < s.length && parts.length < count) {
    const c = s[i]!;
    if (c === '\\' && s[i + 1] === delim) { cur += delim === '/' ? '\\/' : delim; i += 2; continue; }
    if (c === '\\') { cur += c + (s[i + 1] ?? ''); i += 2; continue; }
    if (c === delim) { parts.push(cur); cur = ''; i++; continue; }
    cur += c;
    i++;
  }
  return parts.length === count ? { parts, end: i } : undefined;
}

type Addr = RegExp | number | '$';
interface Cmd {
  a1?: Addr; a2?: Addr; neg: boolean; name: string;
  re?: RegExp; repl?: string; global?: boolean; print?: boolean;
  text?: string; end?: number;
}

const regex = (src: string, extended: boolean, flags = ''): RegExp => new RegExp(toJsRegex(src, extended), 's' + flags);

/** Parse a sed program; undefined when it uses something not emulated. */
export function parseSedScript(script: string, extended: boolean): Cmd[] | undefined {
  const cmds: Cmd[] = [];
  const open: number[] = [];
  let i = 0;
  const ws = (): void => { while (i < script.length && /[ \t]/.test(script[i]!)) i++; };
  const addr = (): Addr | undefined | null => {
    const c = script[i];
    if (c === '/') {
      const d = delimited(script, i + 1, '/', 1);
      if (!d || d.parts[0] === '') return null;
      i = d.end;
      return regex(d.parts[0]!, extended);
    }
    if (c !== undefined && /\d/.test(c)) {
      const m = /^\d+/.exec(script.slice(i))!;
      i += m[0].length;
      return Number(m[0]);
    }
    if (c === '$') { i++; return '$'; }
    return undefined;
  };
  while (i < script.length) {
    while (i < script.length && /[\s;]/.test(script[i]!)) i++;
    if (i >= script.length) break;
    const cmd: Cmd = { neg: false, name: '' };
    const a1 = addr();
    if (a1 === null) return undefined;
    if (a1 !== undefined) {
      cmd.a1 = a1;
      if (script[i] === ',') {
        i++;
        const a2 = addr();
        if (a2 === null || a2 === undefined) return undefined;
        cmd.a2 = a2;
      }
    }
    ws();
    while (script[i] === '!') { cmd.neg = !cmd.neg; i++; ws(); }
    const name = script[i++];
    if (name === undefined) return undefined;
    cmd.name = name;
    if (name === '{') { open.push(cmds.length); cmds.push(cmd); continue; }
    if (name === '}') {
      const at = open.pop();
      if (at === undefined || cmd.a1 !== undefined) return undefined;
      cmds[at]!.end = cmds.length;
      cmds.push(cmd);
      continue;
    }
    if ('dpDhHgGxq'.includes(name) && name !== 'D') { cmds.push(cmd); continue; }
    if (name === 'b' || name === 't') {
      // only the label-less forms: to the end of the script
      ws();
      if (i < script.length && !/[;\n}]/.test(script[i]!)) return undefined;
      cmds.push(cmd);
      continue;
    }
    if (name === 'a' || name === 'i' || name === 'c') {
      ws();
      if (script[i] === '\\') { i++; if (script[i] === '\n') i++; else ws(); }
      const nl = script.indexOf('\n', i);
      const raw = script.slice(i, nl < 0 ? script.length : nl);
      if (raw.endsWith('\\')) return undefined; // multi-line text
      cmd.text = raw.replace(/\\(.)/g, '$1');
      if (name === 'c' && cmd.a2 !== undefined) return undefined;
      i = nl < 0 ? script.length : nl;
      cmds.push(cmd);
      continue;
    }
    if (name !== 's') return undefined;
    const delim = script[i];
    if (delim === undefined || delim === '\n' || delim === '\\') return undefined;
    const d = delimited(script, i + 1, delim, 2);
    if (!d || d.parts[0] === '') return undefined;
    i = d.end;
    const fm = /^[gpIi]*/.exec(script.slice(i))![0];
    i += fm.length;
    ws();
    if (i < script.length && !/[;\n}]/.test(script[i]!)) return undefined; // w file, N-th match, e, m
    Object.assign(cmd, { re: regex(d.parts[0]!, extended, /[Ii]/.test(fm) ? 'i' : ''), repl: replacement(d.parts[1]!), global: fm.includes('g'), print: fm.includes('p') });
    cmds.push(cmd);
  }
  return open.length ? undefined : cmds;
}

/** Run a parsed program over `text` as sed does (autoprint unless `quiet`). */
export function applySed(text: string, cmds: Cmd[], quiet = false): string {
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const out: string[] = [];
  const active = new Map<Cmd, boolean>();
  let hold = '';
  const hit = (a: Addr, n: number, last: boolean, ps: string): boolean => (a instanceof RegExp ? a.test(ps) : a === '$' ? last : a === n);
  const selects = (c: Cmd, n: number, last: boolean, ps: string): boolean => {
    let r: boolean;
    if (c.a1 === undefined) r = true;
    else if (c.a2 === undefined) r = hit(c.a1, n, last, ps);
    else if (active.get(c)) {
      const end = typeof c.a2 === 'number' ? n >= c.a2 : hit(c.a2, n, last, ps);
      if (end) active.set(c, false);
      r = true;
    } else if (hit(c.a1, n, last, ps)) {
      // a line-number end at or before the start line ends the range at once
      active.set(c, !(typeof c.a2 === 'number' && c.a2 <= n));
      r = true;
    } else r = false;
    return c.neg ? !r : r;
  };
  for (let idx = 0; idx < lines.length; idx++) {
    let ps = lines[idx]!;
    const n = idx + 1;
    const last = idx === lines.length - 1;
    const append: string[] = [];
    let print = !quiet;
    let quit = false;
    let substituted = false;
    for (let pc = 0; pc < cmds.length; pc++) {
      const c = cmds[pc]!;
      if (c.name === '}') continue;
      if (!selects(c, n, last, ps)) { if (c.name === '{') pc = c.end!; continue; }
      if (c.name === 'b') break;
      if (c.name === 't') { if (substituted) break; continue; }
      if (c.name === 'd') { print = false; break; }
      if (c.name === 'c') { out.push(c.text!); print = false; break; }
      if (c.name === 'q') { quit = true; break; }
      switch (c.name) {
        case 'p': out.push(ps); break;
        case 'h': hold = ps; break;
        case 'H': hold += '\n' + ps; break;
        case 'g': ps = hold; break;
        case 'G': ps += '\n' + hold; break;
        case 'x': [ps, hold] = [hold, ps]; break;
        case 'i': out.push(c.text!); break;
        case 'a': append.push(c.text!); break;
        case 's': {
          const re = c.global ? new RegExp(c.re!.source, c.re!.flags + 'g') : c.re!;
          re.lastIndex = 0;
          if (!re.test(ps)) break;
          re.lastIndex = 0;
          ps = ps.replace(re, c.repl!);
          substituted = true;
          if (c.print) out.push(ps);
          break;
        }
      }
    }
    if (print) out.push(ps);
    out.push(...append);
    if (quit) break;
  }
  // sed ends its last line with a newline only when the input's last line had one
  return out.join('\n') + (out.length && trailing ? '\n' : '');
}

export function sed(argv: string[], ctx: CommandCtx): CommandResult {
  const scripts: string[] = [];
  const files: string[] = [];
  let inPlace = false;
  let suffix = '';
  let extended = false;
  let quiet = false;
  const a = argv.slice(1);
  const bad = (x: string): CommandResult => { ctx.rec.problem(`sed option ${x}`); return { status: 0 }; };
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-e' || x === '--expression') scripts.push(a[++i] ?? '');
    else if (x.startsWith('--expression=')) scripts.push(x.slice(13));
    else if (x === '--in-place') inPlace = true;
    else if (x.startsWith('--in-place=')) { inPlace = true; suffix = x.slice(11); }
    else if (x === '--regexp-extended') extended = true;
    else if (x === '--quiet' || x === '--silent') quiet = true;
    else if (x.startsWith('-') && x.length > 1 && !x.startsWith('--')) {
      // bundled short options as getopt reads them: -ni is -n -i; -in is -i with the suffix "n"
      for (let j = 1; j < x.length; j++) {
        const f = x[j]!;
        if (f === 'n') quiet = true;
        else if (f === 'r' || f === 'E') extended = true;
        else if (f === 'i') { inPlace = true; suffix = x.slice(j + 1); break; }
        else if (f === 'e') { scripts.push(j + 1 < x.length ? x.slice(j + 1) : a[++i] ?? ''); break; }
        else return bad(x);
      }
    } else if (x.startsWith('-') && x.length > 1) return bad(x);
    else if (scripts.length === 0) scripts.push(x);
    else files.push(x);
  }
  if (suffix.includes('*') || suffix.includes('/')) return bad(`-i${suffix}`);
  const cmds = parseSedScript(scripts.join('\n'), extended);
  if (!cmds) { ctx.rec.problem(`sed script not emulated: ${scripts.join('; ')}`); return { status: 0 }; }
  if (!inPlace) {
    const texts = files.length ? files.map((f) => readTextFollow(ctx.env.fs, f)) : [ctx.io.stdin];
    return { status: texts.some((t) => t === undefined) ? 2 : 0, stdout: applySed(texts.map((t) => t ?? '').join(''), cmds, quiet) };
  }
  let st = 0;
  for (const f of files) {
    const text = readTextFollow(ctx.env.fs, f);
    if (text === undefined) { st = 4; continue; }
    const next = applySed(text, cmds, quiet);
    if (ctx.env.fs.lstat(f)?.type === 'symlink') { ctx.rec.problem(`sed -i on a symlink (${f}): sed replaces the link by a file`); continue; }
    if (suffix) {
      const st0 = ctx.env.fs.lstat(f)!;
      ctx.env.fs.writeFile(f + suffix, text, { mode: st0.mode, user: st0.user, group: st0.group });
      ctx.rec.act(`sed -i: backup ${f}${suffix}`);
    }
    // sed -i writes a new file even when nothing changed; content and mode are what matter here
    if (next !== text) ctx.env.fs.writeFile(f, next);
    ctx.rec.act(`sed -i ${f}`);
  }
  return { status: st };
}
