// sed as scriptlets use it: `sed -i -e 's/re/repl/g' -e '/re/s/a/b/' -e '/re/d' FILE`
// (addresses /re/, N, $; commands s and d), basic or extended regular expressions.
// Anything else is reported.
import type { CommandCtx, CommandResult } from '../context.js';
import { readTextFollow } from '../context.js';

interface Cmd { addr: RegExp | number | '$' | null; kind: 's' | 'd'; re?: RegExp; repl?: string; global?: boolean }

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

export function parseSedScript(script: string, extended: boolean): Cmd[] | undefined {
  const cmds: Cmd[] = [];
  for (const raw of script.split(/\n|;(?=\s*(?:\/|\d|\$|s|d))/)) {
    const s = raw.trim();
    if (s === '') continue;
    let i = 0;
    let addr: Cmd['addr'] = null;
    if (s[0] === '/') {
      const d = delimited(s, 1, '/', 1);
      if (!d) return undefined;
      addr = new RegExp(toJsRegex(d.parts[0]!, extended));
      i = d.end;
    } else if (/^\d/.test(s)) {
      const m = /^\d+/.exec(s)!;
      addr = Number(m[0]);
      i = m[0].length;
    } else if (s[0] === '$') { addr = '$'; i = 1; }
    const rest = s.slice(i).trimStart();
    if (rest === 'd') { cmds.push({ addr, kind: 'd' }); continue; }
    if (rest[0] !== 's' || rest.length < 2) return undefined;
    const delim = rest[1]!;
    const d = delimited(rest, 2, delim, 2);
    if (!d) return undefined;
    const flags = rest.slice(d.end).trim();
    if (!/^[gI i]*$/.test(flags)) return undefined;
    cmds.push({
      addr, kind: 's', re: new RegExp(toJsRegex(d.parts[0]!, extended), /[Ii]/.test(flags) ? 'i' : ''),
      repl: replacement(d.parts[1]!), global: flags.includes('g'),
    });
  }
  return cmds;
}

export function applySed(text: string, cmds: Cmd[]): string {
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const out: string[] = [];
  lines.forEach((line, idx) => {
    let cur = line;
    for (const c of cmds) {
      const hit = c.addr === null || (c.addr instanceof RegExp ? c.addr.test(cur) : c.addr === '$' ? idx === lines.length - 1 : c.addr === idx + 1);
      if (!hit) continue;
      if (c.kind === 'd') return;
      cur = cur.replace(c.global ? new RegExp(c.re!.source, c.re!.flags + 'g') : c.re!, c.repl!);
    }
    out.push(cur);
  });
  return out.join('\n') + (trailing ? '\n' : '');
}

export function sed(argv: string[], ctx: CommandCtx): CommandResult {
  const scripts: string[] = [];
  const files: string[] = [];
  let inPlace = false;
  let extended = false;
  const a = argv.slice(1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-e' || x === '--expression') scripts.push(a[++i] ?? '');
    else if (x.startsWith('--expression=')) scripts.push(x.slice(13));
    else if (x === '-i' || x === '--in-place' || /^-i\.?\w+$/.test(x)) inPlace = true;
    else if (x === '-r' || x === '-E' || x === '--regexp-extended') extended = true;
    else if (/^-[ir]+$/.test(x)) { inPlace ||= x.includes('i'); extended ||= x.includes('r'); }
    else if (x.startsWith('-')) { ctx.rec.problem(`sed option ${x}`); return { status: 0 }; }
    else if (scripts.length === 0) scripts.push(x);
    else files.push(x);
  }
  const cmds = parseSedScript(scripts.join('\n'), extended);
  if (!cmds) { ctx.rec.problem(`sed script not emulated: ${scripts.join('; ')}`); return { status: 0 }; }
  if (!inPlace) {
    const input = files.length ? files.map((f) => readTextFollow(ctx.env.fs, f) ?? '').join('') : ctx.io.stdin;
    return { status: 0, stdout: applySed(input, cmds) };
  }
  let st = 0;
  for (const f of files) {
    const text = readTextFollow(ctx.env.fs, f);
    if (text === undefined) { st = 2; continue; }
    const next = applySed(text, cmds);
    if (next !== text) ctx.env.fs.writeFile(f, next);
    ctx.rec.act(`sed -i ${f}`);
  }
  return { status: st };
}
