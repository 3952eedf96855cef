// coreutils/findutils as scriptlets use them on image paths: cut, readlink, mktemp, find.
// Options outside these forms are reported, never approximated.
import { createHash } from 'node:crypto';
import type { CommandCtx, CommandResult } from '../context.js';
import { dirOf, getopt, joinPath, readTextFollow } from '../context.js';
import { globToRegExp } from '../../util/glob.js';
import { resolvePath } from '../image-path.js';

/** 1-based field/character ranges: N, N-M, N-, -M */
function parseList(list: string): ((i: number) => boolean) | undefined {
  const ranges: [number, number][] = [];
  for (const r of list.split(',')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(r);
    if (!m || (m[1] === '' && m[3] === '')) return undefined;
    const lo = m[1] === '' ? 1 : Number(m[1]);
    const hi = m[2] === '' ? lo : m[3] === '' ? Infinity : Number(m[3]);
    ranges.push([lo, hi]);
  }
  return (i) => ranges.some(([lo, hi]) => i >= lo && i <= hi);
}

export function cut(argv: string[], ctx: CommandCtx): CommandResult {
  const { opts, rest, bad } = getopt(argv.slice(1), 'dfcb', { delimiter: 'd', fields: 'f', characters: 'c', bytes: 'b', 'only-delimited': 's' });
  const get = (k: string) => opts.find((o) => o.k === k)?.v;
  const fields = get('f');
  const chars = get('c') ?? get('b');
  const sel = parseList(fields ?? chars ?? '');
  const delim = get('d') ?? '\t';
  if (bad !== undefined || sel === undefined || (fields === undefined) === (chars === undefined) || [...delim].length !== 1) {
    ctx.rec.problem(`cut ${argv.slice(1).join(' ')}`);
    return { status: 1 };
  }
  const onlyDelimited = opts.some((o) => o.k === 's');
  const texts = rest.length && rest[0] !== '-' ? rest.map((f) => readTextFollow(ctx.env.fs, f)) : [ctx.io.stdin];
  const input = texts.map((t) => t ?? '').join('');
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  for (const l of lines) {
    if (chars !== undefined) { out.push([...l].filter((_c, i) => sel(i + 1)).join('')); continue; }
    if (!l.includes(delim)) { if (!onlyDelimited) out.push(l); continue; } // a line without the delimiter is printed whole
    out.push(l.split(delim).filter((_f, i) => sel(i + 1)).join(delim));
  }
  return { status: texts.some((t) => t === undefined) ? 1 : 0, stdout: out.map((l) => l + '\n').join('') };
}

export function readlink(argv: string[], ctx: CommandCtx): CommandResult {
  const { opts, rest, bad } = getopt(argv.slice(1), '', { canonicalize: 'f', 'canonicalize-existing': 'e', 'no-newline': 'n', quiet: 'q', silent: 's' });
  const flags = new Set(opts.map((o) => o.k));
  if (bad !== undefined || flags.has('m') || rest.length === 0 || rest.some((p) => !p.startsWith('/'))) {
    ctx.rec.problem(`readlink ${argv.slice(1).join(' ')}`);
    return { status: 1 };
  }
  const fs = ctx.env.fs;
  const out: string[] = [];
  let st = 0;
  for (const p of rest) {
    if (!flags.has('f') && !flags.has('e')) {
      const t = fs.lstat(p)?.linkTarget;
      if (t === undefined) st = 1;
      else out.push(t);
      continue;
    }
    // -f: the last component may be missing; -e: all must exist
    const r = resolvePath(fs, p, { missingLast: !flags.has('e') });
    if (r === undefined) st = 1;
    else out.push(r);
  }
  return { status: st, stdout: out.map((l) => l + (flags.has('n') ? '' : '\n')).join('') };
}

/**
 * mktemp: the name's random part is derived from SOURCE_DATE_EPOCH and the template (the first
 * name not present in the image), so two builds of one image create the same names.
 */
export function mktemp(argv: string[], ctx: CommandCtx): CommandResult {
  const a = argv.slice(1);
  let dir = false;
  let dry = false;
  let tmpdir: string | undefined;
  let useTmp = false;
  const rest: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-d' || x === '--directory') dir = true;
    else if (x === '-u' || x === '--dry-run') dry = true;
    else if (x === '-q' || x === '--quiet') continue;
    else if (x === '-t') useTmp = true;
    else if (x === '-p') { tmpdir = a[++i]; useTmp = true; }
    else if (x === '--tmpdir') useTmp = true;
    else if (x.startsWith('--tmpdir=')) { tmpdir = x.slice(9); useTmp = true; }
    else if (/^-[dqut]+$/.test(x)) { dir ||= x.includes('d'); dry ||= x.includes('u'); useTmp ||= x.includes('t'); }
    else if (x.startsWith('-')) { ctx.rec.problem(`mktemp ${a.join(' ')}`); return { status: 1 }; }
    else rest.push(x);
  }
  if (rest.length > 1) { ctx.rec.problem(`mktemp ${a.join(' ')}`); return { status: 1 }; }
  const template = rest[0] ?? 'tmp.XXXXXXXXXX';
  if (rest.length === 0) useTmp = true;
  const xs = /X{3,}$/.exec(template)?.[0].length ?? 0;
  if (xs === 0) return { status: 1 }; // mktemp: too few X's in template
  if (!template.startsWith('/') && !useTmp) { ctx.rec.problem(`mktemp on a relative path: ${template}`); return { status: 1 }; }
  const base = useTmp && !template.startsWith('/') ? joinPath(tmpdir ?? '/tmp', template) : template;
  const fs = ctx.env.fs;
  if (fs.lstat(dirOf(base))?.type !== 'dir') return { status: 1 };
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let n = 0; n < 1000; n++) {
    const h = createHash('sha256').update(`${ctx.env.now}\0${base}\0${n}`).digest();
    const suffix = [...h.subarray(0, xs)].map((b) => alphabet[b % alphabet.length]).join('');
    const path = base.slice(0, base.length - xs) + suffix;
    if (fs.lstat(path)) continue;
    if (!dry) {
      if (dir) fs.mkdir(path, { mode: 0o700, user: 'root', group: 'root' });
      else fs.writeFile(path, '', { mode: 0o600, user: 'root', group: 'root' });
      ctx.rec.act(`mktemp ${path}`);
    }
    return { status: 0, stdout: path + '\n' };
  }
  return { status: 1 };
}

type Test = (path: string, depth: number) => boolean;

/**
 * find PATH... with -name/-iname/-path/-type/-maxdepth/-mindepth/-print/-delete, `!`/-not and
 * -a; `-o`, -exec and the rest are reported. Entries are visited in name order (the real one
 * uses directory order, which a fresh image does not fix either).
 */
export function find(argv: string[], ctx: CommandCtx): CommandResult {
  const a = argv.slice(1);
  const roots: string[] = [];
  let i = 0;
  while (i < a.length && !a[i]!.startsWith('-') && a[i] !== '!' && a[i] !== '(') roots.push(a[i++]!);
  if (roots.length === 0) roots.push('.');
  let maxDepth = Infinity;
  let minDepth = 0;
  let del = false;
  const tests: Test[] = [];
  const fs = ctx.env.fs;
  const unsupported = (what: string): CommandResult => { ctx.rec.problem(`find ${a.join(' ')}: ${what} is not emulated`); return { status: 0 }; };
  let negate = false;
  for (; i < a.length; i++) {
    const x = a[i]!;
    const v = a[i + 1];
    let t: Test | undefined;
    if (x === '!' || x === '-not') { negate = !negate; continue; }
    if (x === '-a' || x === '-and' || x === '-print') continue;
    if (x === '-maxdepth' || x === '-mindepth') {
      if (v === undefined || !/^\d+$/.test(v)) return unsupported(x);
      if (x === '-maxdepth') maxDepth = Number(v); else minDepth = Number(v);
      i++;
      continue;
    }
    if (x === '-delete') { del = true; continue; }
    if ((x === '-name' || x === '-iname' || x === '-path' || x === '-wholename') && v !== undefined) {
      const rei = globToRegExp(v, x === '-iname');
      t = x === '-path' || x === '-wholename' ? (p) => rei.test(p) : (p) => rei.test(p.slice(p.lastIndexOf('/') + 1) || p);
      i++;
    } else if (x === '-type' && v !== undefined && /^[fdl]$/.test(v)) {
      const want = { f: 'file', d: 'dir', l: 'symlink' }[v as 'f' | 'd' | 'l'];
      t = (p) => { const st = fs.lstat(p)?.type; return (st === 'hardlink' ? 'file' : st) === want; };
      i++;
    } else return unsupported(x);
    const test = t;
    tests.push(negate ? (p, d) => !test(p, d) : test);
    negate = false;
  }
  const hits: string[] = [];
  let st = 0;
  const walk = (shown: string, real: string, depth: number): void => {
    if (depth >= minDepth && tests.every((t) => t(shown, depth))) hits.push(shown);
    if (depth >= maxDepth || fs.lstat(real)?.type !== 'dir') return;
    for (const c of fs.list(real)) walk(shown.endsWith('/') ? shown + c : `${shown}/${c}`, joinPath(real, c), depth + 1);
  };
  for (const r of roots) {
    if (!r.startsWith('/')) return unsupported(`a relative start point (${r})`);
    // a start point given as a symlink is not followed (find -P)
    if (!fs.lstat(r)) { st = 1; continue; }
    walk(r, r, 0);
  }
  if (del) {
    for (const p of [...hits].reverse()) { fs.remove(p); ctx.rec.act(`find -delete ${p}`); }
    return { status: st };
  }
  return { status: st, stdout: hits.map((h) => h + '\n').join('') };
}
