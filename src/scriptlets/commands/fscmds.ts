// Simple file commands on image paths: mkdir -p, ln -s, chmod, chown, touch, rm -f, mv, cp,
// grep -q. Forms we cannot model exactly (symbolic chmod modes, recursive cp of trees) are
// reported instead of approximated.
import { lookupAccounts } from '../accounts.js';
import { dirOf, getopt, readText, readTextFollow } from '../context.js';
import type { CommandCtx, CommandResult } from '../context.js';

function absOnly(ctx: CommandCtx, paths: string[], cmd: string): boolean {
  const rel = paths.find((p) => !p.startsWith('/'));
  if (rel !== undefined) ctx.rec.problem(`${cmd} on a relative path: ${rel}`);
  return rel === undefined;
}

export function mkdir(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), 'm', { parents: 'p', mode: 'm' });
  if (bad !== undefined || !absOnly(ctx, rest, 'mkdir')) return 1;
  const mode = opts.find((o) => o.k === 'm')?.v;
  if (mode !== undefined && !/^[0-7]+$/.test(mode)) { ctx.rec.problem(`mkdir -m ${mode}`); return 0; }
  const parents = opts.some((o) => o.k === 'p');
  let st = 0;
  for (const p of rest) {
    if (ctx.env.fs.exists(p)) { if (!parents) st = 1; continue; }
    if (!parents && !ctx.env.fs.exists(dirOf(p))) { st = 1; continue; }
    ctx.env.fs.mkdir(p, mode === undefined ? {} : { mode: parseInt(mode, 8) });
    ctx.rec.act(`mkdir ${p}`);
  }
  return st;
}

export function ln(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), '', { symbolic: 's', force: 'f', 'no-dereference': 'n' });
  const flags = new Set(opts.map((o) => o.k));
  if (bad !== undefined || !flags.has('s') || rest.length !== 2 || !absOnly(ctx, [rest[1]!], 'ln')) {
    ctx.rec.problem(`ln ${argv.slice(1).join(' ')}`);
    return 0;
  }
  const [target, link] = rest as [string, string];
  const fs = ctx.env.fs;
  let dest = link;
  const st = fs.lstat(link);
  if (st?.type === 'dir' && !flags.has('n')) dest = `${link}/${target.slice(target.lastIndexOf('/') + 1)}`;
  if (fs.lstat(dest)) {
    if (!flags.has('f')) return 1;
    fs.remove(dest);
  }
  fs.symlink(target, dest);
  ctx.rec.act(`symlink ${dest} -> ${target}`);
  return 0;
}

export function chmod(argv: string[], ctx: CommandCtx): number {
  const args = argv.slice(1).filter((a) => a !== '-R' && a !== '-f');
  const [mode, ...paths] = args;
  if (mode === undefined || !/^[0-7]{3,4}$/.test(mode) || argv.includes('-R')) {
    ctx.rec.problem(`chmod ${argv.slice(1).join(' ')}`);
    return 0;
  }
  if (!absOnly(ctx, paths, 'chmod')) return 0;
  let st = 0;
  for (const p of paths) {
    if (!ctx.env.fs.lstat(p)) { st = 1; continue; }
    ctx.env.fs.chmod(p, parseInt(mode, 8));
    ctx.rec.act(`chmod ${mode} ${p}`);
  }
  return st;
}

export function chown(argv: string[], ctx: CommandCtx): number {
  const recursive = argv.includes('-R');
  const args = argv.slice(1).filter((a) => !/^-[Rfh]+$/.test(a));
  const [spec, ...paths] = args;
  if (spec === undefined || !absOnly(ctx, paths, 'chown')) { ctx.rec.problem(`chown ${argv.slice(1).join(' ')}`); return 0; }
  const acc = lookupAccounts(ctx.env.fs);
  const m = /^([^:.]*)(?:[:.](.*))?$/.exec(spec)!;
  const u = m[1]!;
  const g = m[2];
  const user = u === '' ? undefined : (/^\d+$/.test(u) ? acc.userById(Number(u)) : acc.user(u));
  if (u !== '' && user === undefined) return 1;
  let group: string | undefined;
  if (g === '' && user) group = acc.groupById(Number(user[3]))?.[0];
  else if (g !== undefined && g !== '') {
    group = acc.groupRef(g)?.[0];
    if (group === undefined) return 1;
  }
  const fs = ctx.env.fs;
  const apply = (p: string): void => {
    const st = fs.lstat(p);
    if (!st) return;
    fs.chown(p, user?.[0] ?? st.user, group ?? st.group);
    if (recursive && st.type === 'dir') for (const c of fs.list(p)) apply(`${p === '/' ? '' : p}/${c}`);
  };
  let st = 0;
  for (const p of paths) {
    if (!fs.lstat(p)) { st = 1; continue; }
    apply(p);
    ctx.rec.act(`chown ${spec} ${p}`);
  }
  return st;
}

/** touch: creates missing files; timestamps do not matter (the image's mtimes are normalised) */
export function touch(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), 'rdt', { 'no-create': 'c', 'no-dereference': 'h', reference: 'r', date: 'd' });
  if (bad !== undefined || opts.some((o) => !'cahmrdt'.includes(o.k))) { ctx.rec.problem(`touch ${argv.slice(1).join(' ')}`); return 0; }
  if (!absOnly(ctx, rest, 'touch')) return 0;
  const noCreate = opts.some((o) => o.k === 'c');
  let st = 0;
  for (const p of rest) {
    if (ctx.env.fs.lstat(p) || noCreate) continue;
    if (!ctx.env.fs.exists(dirOf(p))) { st = 1; continue; }
    ctx.env.fs.writeFile(p, '', { mode: 0o644 });
    ctx.rec.act(`touch ${p}`);
  }
  return st;
}

export function rm(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), '', { force: 'f', recursive: 'r', Recursive: 'R' });
  if (bad !== undefined || !absOnly(ctx, rest, 'rm')) return 1;
  const flags = new Set(opts.map((o) => o.k));
  let st = 0;
  for (const p of rest) {
    const s = ctx.env.fs.lstat(p);
    if (!s) { if (!flags.has('f')) st = 1; continue; }
    if (s.type === 'dir' && !flags.has('r') && !flags.has('R')) { st = 1; continue; }
    ctx.env.fs.remove(p);
    ctx.rec.act(`rm ${p}`);
  }
  return st;
}

export function rmdir(argv: string[], ctx: CommandCtx): number {
  const paths = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (!absOnly(ctx, paths, 'rmdir')) return 1;
  let st = 0;
  for (const p of paths) {
    if (ctx.env.fs.lstat(p)?.type !== 'dir' || ctx.env.fs.list(p).length) { st = 1; continue; }
    ctx.env.fs.remove(p);
    ctx.rec.act(`rmdir ${p}`);
  }
  return st;
}

/** mv / cp of single files and symlinks (not trees). */
export function mvcp(argv: string[], ctx: CommandCtx): number {
  const move = argv[0]!.endsWith('mv');
  const args = argv.slice(1).filter((a) => !/^-[fpaP]+$/.test(a));
  if (args.length !== 2 || argv.slice(1).some((a) => /^-.*[rR]/.test(a)) || !absOnly(ctx, args, move ? 'mv' : 'cp')) {
    ctx.rec.problem(`${argv.join(' ')}`);
    return 0;
  }
  const fs = ctx.env.fs;
  const [src, dst0] = args as [string, string];
  const st = fs.lstat(src);
  if (!st) return 1;
  const dst = fs.lstat(dst0)?.type === 'dir' ? `${dst0}/${src.slice(src.lastIndexOf('/') + 1)}` : dst0;
  if (st.type === 'symlink' && st.linkTarget !== undefined) {
    fs.remove(dst);
    fs.symlink(st.linkTarget, dst);
  } else if (st.type === 'file' || st.type === 'hardlink') {
    const data = fs.readFile(src) ?? new Uint8Array();
    fs.remove(dst);
    fs.writeFile(dst, data, move ? { mode: st.mode, user: st.user, group: st.group } : { mode: st.mode });
  } else {
    ctx.rec.problem(`${argv.join(' ')} (a ${st.type})`);
    return 0;
  }
  if (move) fs.remove(src);
  ctx.rec.act(`${move ? 'mv' : 'cp'} ${src} ${dst}`);
  return 0;
}

export function grep(argv: string[], ctx: CommandCtx): CommandResult {
  const { opts, rest, bad } = getopt(argv.slice(1), 'e', { quiet: 'q', silent: 'q', 'invert-match': 'v' });
  const flags = new Set(opts.map((o) => o.k));
  const unknown = [...flags].filter((f) => !'qsEFiwxev'.includes(f));
  const pat = opts.find((o) => o.k === 'e')?.v ?? rest.shift();
  if (bad !== undefined || unknown.length || pat === undefined) { ctx.rec.problem(`grep ${argv.slice(1).join(' ')}`); return { status: 0 }; }
  let src = flags.has('F') ? pat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : flags.has('E') ? pat : basicToExtended(pat);
  if (flags.has('w')) src = `(^|[^A-Za-z0-9_])(${src})($|[^A-Za-z0-9_])`;
  if (flags.has('x')) src = `^(${src})$`;
  const re = new RegExp(src, flags.has('i') ? 'i' : '');
  const texts = rest.length ? rest.map((p) => readTextFollow(ctx.env.fs, p)) : [ctx.io.stdin];
  if (texts.every((t) => t === undefined)) return { status: 2 };
  const lines = texts.flatMap((t) => (t ?? '').split('\n').filter((l, i, a) => i < a.length - 1 || l !== ''));
  const hits = lines.filter((l) => re.test(l) !== flags.has('v'));
  return { status: hits.length ? 0 : 1, stdout: flags.has('q') ? '' : hits.map((l) => l + '\n').join('') };
}

function basicToExtended(p: string): string {
  return p.replace(/\\([(){}|+?])|([(){}|+?])/g, (_m, esc: string | undefined, plain: string | undefined) => (esc ?? `\\${plain}`));
}

export { readText };

/** install -d DIR... | install [-m MODE] [-o USER] [-g GROUP] [-D] SRC DEST (SRC may be /dev/null) */
export function install(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), 'mogt', { mode: 'm', owner: 'o', group: 'g', directory: 'd' });
  const o = new Map(opts.map((x) => [x.k, x.v]));
  const unknown = opts.filter((x) => !'mogdDpc'.includes(x.k));
  const mode = o.get('m');
  if (bad !== undefined || unknown.length || o.has('t') || (mode !== undefined && !/^[0-7]{3,4}$/.test(mode)) || !absOnly(ctx, rest, 'install')) {
    ctx.rec.problem(`install ${argv.slice(1).join(' ')}`);
    return 0;
  }
  const fs = ctx.env.fs;
  const acc = lookupAccounts(fs);
  const user = o.has('o') ? acc.user(o.get('o')!)?.[0] : 'root';
  const group = o.has('g') ? acc.groupRef(o.get('g')!)?.[0] : 'root';
  if (user === undefined || group === undefined) return 1;
  const m = mode === undefined ? 0o755 : parseInt(mode, 8);
  if (o.has('d')) {
    for (const d of rest) { if (!fs.exists(d)) fs.mkdir(d, { mode: m, user, group }); else { fs.chmod(d, m); fs.chown(d, user, group); } ctx.rec.act(`install -d ${d}`); }
    return 0;
  }
  if (rest.length !== 2) { ctx.rec.problem(`install ${argv.slice(1).join(' ')}`); return 0; }
  const [src, dst0] = rest as [string, string];
  const data = src === '/dev/null' ? new Uint8Array() : fs.readFile(src);
  if (data === undefined) return 1;
  const dst = fs.lstat(dst0)?.type === 'dir' ? `${dst0}/${src.slice(src.lastIndexOf('/') + 1)}` : dst0;
  if (!fs.exists(dirOf(dst))) { if (!o.has('D')) return 1; fs.mkdir(dirOf(dst)); }
  fs.remove(dst);
  fs.writeFile(dst, data, { mode: m, user, group });
  ctx.rec.act(`install ${dst}`);
  return 0;
}
