// rpm's `posix` module (lposix.c as rpm 4.8 bundles it) and the os, io and rpm libraries,
// all over the image (ImageFS), never the host. What cannot be reproduced stops the script
// with LuaAbort and is reported; a fork is run child first, then the parent (interp.ts).
import { Buffer } from 'node:buffer';
import { release, machine } from 'node:os';
import type { CommandFn, EmulationEnv, RunRecord } from '../context.js';
import { dirOf, resolveParent, resolvePath, statFollow } from '../image-path.js';
import type { ImageStat } from '../../types/imagefs.js';
import { compareEvr, parseEvr } from '../../version/index.js';
import { lookupAccounts } from '../accounts.js';
import { ChildExit } from './interp.js';
import type { Interp } from './interp.js';
import { tostr } from './interp.js';
import { argError, checkInt, checkStr } from './lib-base.js';
import { LuaAbort, LuaError, LuaFunction, LuaTable, fromBytes, luaType, str2num, toBytes } from './values.js';
import type { LuaValue } from './values.js';
import { expandMacros } from './macros.js';
import { LuaSyntaxError, parseLua } from './parser.js';

export interface LuaHost {
  env: EmulationEnv;
  rec: RunRecord;
  lookup: (name: string, argv: string[]) => CommandFn | undefined;
  /** os.execute: a command line for the shell emulator; returns its exit status */
  runShell: (cmd: string) => number;
  /** print / io.write to stdout */
  out: (s: string) => void;
}

const UMASK = 0o022;
const ERR: Record<number, string> = { 2: 'No such file or directory', 13: 'Permission denied', 17: 'File exists', 20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument', 39: 'Directory not empty' };

class PosixFail extends Error { constructor(readonly errno: number) { super(ERR[errno]); } }

export function installOsLibs(interp: Interp, host: LuaHost, modules: Map<string, LuaValue>): { closeAll: () => void } {
  const { env, rec } = host;
  const fs = env.fs;
  const G = interp.globals;
  let cwd = '/';
  // not normalized here: `..` after a symlink is the link's parent (resolvePath), not the lexical one
  const abs = (p: string): string => `${p.startsWith('/') ? '' : `${cwd}/`}${fromBytes(p)}`;
  const def = (t: LuaTable, name: string, f: (a: LuaValue[]) => LuaValue[]): void => { t.set(name, new LuaFunction(name, f)); };

  /** the path with every symlink followed, a missing last component allowed (open(2) with O_CREAT) */
  const follow = (p: string): string | undefined => resolvePath(fs, p, { missingLast: true });
  const statOf = (p: string): ImageStat | undefined => statFollow(fs, p);
  const parentIsDir = (p: string): boolean => statOf(dirOf(p))?.type === 'dir';
  /** a failure the lposix way: nil, "path: message", errno */
  const fail = (path: string, errno: number): LuaValue[] => [undefined, `${path}: ${ERR[errno] ?? 'error'}`, errno];
  const guard = (path: string, f: () => LuaValue[]): LuaValue[] => {
    try { return f(); } catch (e) { if (e instanceof PosixFail) return fail(path, e.errno); throw e; }
  };
  const inChild = (what: string): void => {
    if (interp.child) throw new LuaAbort(`${what} in a forked child before exec`);
  };

  // --- posix -----------------------------------------------------------------------------------
  const posix = new LuaTable();
  modules.set('posix', posix);
  G.set('posix', posix);
  type PathFn = (p: string, a: LuaValue[], strs: string[]) => LuaValue[];
  /**
   * t.NAME over a path: the string arguments checked in order (the last one is the path, made
   * absolute from the script's cwd in the image), and a PosixFail thrown by `f` returned as
   * lposix's pusherror does: nil, "path: message", errno.
   */
  const defPathIn = (t: LuaTable) => (name: string, f: PathFn, opts: { strings?: number; dflt?: string } = {}): void => {
    def(t, name, (a) => {
      const strs: string[] = [];
      for (let i = 0; i < (opts.strings ?? 1); i++) strs.push(a[i] === undefined && opts.dflt !== undefined ? opts.dflt : checkStr(a[i], i + 1, name));
      const path = strs[strs.length - 1]!;
      return guard(path, () => f(abs(path), a, strs));
    });
  };
  const defPath = defPathIn(posix);
  /** the entry `p` leads to, symlinks followed (stat(2)); ENOENT when there is none */
  const existing = (p: string): { real: string; st: ImageStat } => {
    const real = resolvePath(fs, p);
    const st = real === undefined ? undefined : fs.lstat(real);
    if (real === undefined || !st) throw new PosixFail(2);
    return { real, st };
  };
  /** the entry `p` names itself, a symlink there not followed (lstat(2)); ENOENT when its directory is missing */
  const entry = (p: string): string => {
    const e = resolveParent(fs, p);
    if (e === undefined) throw new PosixFail(2);
    return e;
  };
  defPath('access', (p, a) => {
    const mode = a[1] === undefined ? 'f' : checkStr(a[1], 2, 'access');
    const { st } = existing(p);
    // rpm runs as root: r and w always; x when any x bit is set (or a directory)
    if (mode.includes('x') && st.type !== 'dir' && (st.mode & 0o111) === 0) throw new PosixFail(13);
    return [0];
  });
  defPath('mkdir', (path) => {
    inChild('posix.mkdir');
    const p = entry(path);
    if (fs.lstat(p)) throw new PosixFail(17);
    if (!parentIsDir(p)) throw new PosixFail(2);
    fs.mkdir(p, { mode: 0o777 & ~UMASK, user: 'root', group: 'root' });
    rec.act(`mkdir ${p}`);
    return [0];
  });
  /** rmdir(2), unlink(2), remove(3): the entry itself goes, unless `refuse` gives an errno */
  const removal = (fname: string, verb: string, refuse: (st: ImageStat, p: string) => number | undefined, done: LuaValue) => (path: string): LuaValue[] => {
    inChild(fname);
    const p = entry(path);
    const st = fs.lstat(p);
    if (!st) throw new PosixFail(2);
    const errno = refuse(st, p);
    if (errno !== undefined) throw new PosixFail(errno);
    fs.remove(p);
    rec.act(`${verb} ${p}`);
    return [done];
  };
  defPath('rmdir', removal('posix.rmdir', 'rmdir', (st, p) => (st.type !== 'dir' ? 20 : fs.list(p).length ? 39 : undefined), 0));
  defPath('unlink', removal('posix.unlink', 'rm', (st) => (st.type === 'dir' ? 21 : undefined), 0));
  defPath('symlink', (path, _a, [target]) => {
    inChild('posix.symlink');
    const p = entry(path);
    if (fs.lstat(p)) throw new PosixFail(17);
    if (!parentIsDir(p)) throw new PosixFail(2);
    const t = fromBytes(target!);
    fs.symlink(t, p, { user: 'root', group: 'root' });
    rec.act(`symlink ${p} -> ${t}`);
    return [0];
  }, { strings: 2 });
  defPath('link', (path, _a, [from]) => {
    inChild('posix.link');
    const src = entry(abs(from!));
    const p = entry(path);
    const st = fs.lstat(src);
    if (!st) throw new PosixFail(2);
    if (fs.lstat(p)) throw new PosixFail(17);
    const data = fs.readFile(src);
    if (data === undefined || st.type !== 'file') throw new LuaAbort(`posix.link ${src}: only regular files are linked here`);
    // the image keeps the bytes, mode and owner; the tar writer does not know it is one inode
    fs.writeFile(p, data, { mode: st.mode, user: st.user, group: st.group });
    rec.act(`link ${p} = ${src}`);
    return [0];
  }, { strings: 2 });
  defPath('readlink', (path) => {
    const st = fs.lstat(entry(path));
    if (!st) throw new PosixFail(2);
    if (st.type !== 'symlink') throw new PosixFail(22);
    return [toBytes(st.linkTarget ?? '')];
  });
  defPath('chmod', (p, a) => {
    const modeStr = checkStr(a[1], 2, 'chmod');
    const { real, st } = existing(p);
    const mode = parseMode(modeStr, st.mode);
    if (mode === undefined) throw argError(2, 'chmod', 'bad mode');
    inChild('posix.chmod');
    fs.chmod(real, mode);
    rec.act(`chmod ${mode.toString(8)} ${real}`);
    return [0];
  });
  defPath('chown', (p, a) => {
    const { real, st } = existing(p);
    const user = a[1] === undefined || a[1] === -1 ? st.user : accountName('passwd', a[1]);
    const group = a[2] === undefined || a[2] === -1 ? st.group : accountName('group', a[2]);
    if (user === undefined || group === undefined) throw new LuaAbort(`posix.chown ${p}: ${tostr(a[1])}:${tostr(a[2])} is not an account of the image`);
    inChild('posix.chown');
    fs.chown(real, user, group);
    rec.act(`chown ${user}:${group} ${real}`);
    return [0];
  });
  /** the passwd or group row a Lua value names: a number is an id, a string a name */
  const accountRow = (kind: 'passwd' | 'group', v: LuaValue): string[] | undefined => {
    const acc = lookupAccounts(fs);
    if (typeof v === 'number') return kind === 'passwd' ? acc.userById(v) : acc.groupById(v);
    return typeof v === 'string' ? acc.find(kind, fromBytes(v)) : undefined;
  };
  const accountName = (kind: 'passwd' | 'group', v: LuaValue): string | undefined => accountRow(kind, v)?.[0];
  const accountTable = (kind: 'passwd' | 'group', v: LuaValue, fields: string[]): LuaValue[] => {
    const f = accountRow(kind, v);
    if (!f) return [undefined];
    const t = new LuaTable();
    fields.forEach((k, i) => { const s = f[i] ?? ''; if (k) t.set(k, k === 'uid' || k === 'gid' ? Number(s) : toBytes(s)); });
    if (kind === 'group') (f[3] ?? '').split(',').filter(Boolean).forEach((m, i) => t.set(i + 1, toBytes(m)));
    return [t];
  };
  def(posix, 'getpasswd', (a) => {
    const t = accountTable('passwd', a[0] ?? 0, ['name', 'passwd', 'uid', 'gid', 'gecos', 'dir', 'shell']);
    if (a[1] !== undefined && t[0] instanceof LuaTable) return [t[0].get(a[1])];
    return t;
  });
  def(posix, 'getgroup', (a) => accountTable('group', a[0] ?? 0, ['name', '', 'gid']));
  const accountId = (kind: 'passwd' | 'group', name: string): number | undefined => {
    const id = lookupAccounts(fs).find(kind, name)?.[2];
    return id === undefined ? (name === 'root' ? 0 : undefined) : Number(id);
  };
  // rpm's lposix stat() is lstat(2): a symlink is type "link" (tzdata's %post relies on it)
  defPath('stat', (path, a) => {
    const p = entry(path);
    const st = fs.lstat(p);
    if (!st) throw new PosixFail(2);
    const size = st.type === 'file' || st.type === 'hardlink' ? fs.readFile(p)?.length ?? 0 : st.type === 'dir' ? 4096 : 0;
    const fields: Record<string, LuaValue> = {
      mode: modeString(st.mode), ino: 0, dev: 0, nlink: st.type === 'dir' ? 2 : 1,
      uid: accountId('passwd', st.user), gid: accountId('group', st.group), size,
      atime: env.now, mtime: env.now, ctime: env.now, type: TYPE_NAME[st.type] ?? st.type,
    };
    if (a[1] !== undefined) return [fields[checkStr(a[1], 2, 'stat')]];
    const t = new LuaTable();
    for (const [k, v] of Object.entries(fields)) t.set(k, v);
    return [t];
  });
  /** the names opendir(3) gives for the directory `p` leads to */
  const listing = (p: string): string[] => {
    const { real, st } = existing(p);
    if (st.type !== 'dir') throw new PosixFail(20);
    return ['.', '..', ...fs.list(real)];
  };
  defPath('dir', (p) => {
    const t = new LuaTable();
    listing(p).forEach((n, i) => interp.tset(t, i + 1, toBytes(n)));
    return [t];
  }, { dflt: '.' });
  // a failure is nil, message, errno as lposix's pusherror (glibc's %post tests `iter ~= nil`)
  defPath('files', (p) => {
    const names = listing(p);
    let i = 0;
    return [new LuaFunction('files iterator', () => [i < names.length ? toBytes(names[i++]!) : undefined])];
  }, { dflt: '.' });
  def(posix, 'getcwd', () => [toBytes(cwd)]);
  defPath('chdir', (p) => {
    const { real, st } = existing(p);
    if (st.type !== 'dir') throw new PosixFail(20);
    cwd = real;
    return [0];
  });
  const environ = new Map<string, string>([['PATH', '/sbin:/bin:/usr/sbin:/usr/bin:/usr/X11R6/bin'], ['HOME', '/root']]);
  const getenv = (a: LuaValue[]): LuaValue[] => [a[0] === undefined ? undefined : environ.get(checkStr(a[0], 1, 'getenv'))];
  def(posix, 'getenv', (a) => {
    if (a[0] !== undefined) return getenv(a);
    const t = new LuaTable();
    for (const [k, v] of environ) t.set(k, v);
    return [t];
  });
  def(posix, 'setenv', (a) => { environ.set(checkStr(a[0], 1, 'setenv'), checkStr(a[1], 2, 'setenv')); return [0]; });
  def(posix, 'putenv', (a) => { const s = checkStr(a[0], 1, 'putenv'); const i = s.indexOf('='); if (i > 0) environ.set(s.slice(0, i), s.slice(i + 1)); return [0]; });
  def(posix, 'unsetenv', (a) => { environ.delete(checkStr(a[0], 1, 'unsetenv')); return [0]; });
  // rpm's own pid: any value is one rpm could have had; fixed so images do not differ between builds
  def(posix, 'getpid', (a) => {
    const t = new LuaTable();
    for (const [k, v] of Object.entries({ pid: 4242, ppid: 1, uid: 0, euid: 0, gid: 0, egid: 0, pgrp: 4242 })) t.set(k, v);
    if (a[0] !== undefined) return [t.get(checkStr(a[0], 1, 'getpid'))];
    return [t];
  });
  def(posix, 'getprocessid', (a) => interp.call(posix.get('getpid'), a));
  def(posix, 'umask', () => ['----w--w-']);
  // the image has no per-file times: the archive writer stamps every entry
  defPath('utime', (p) => { existing(p); return [0]; });
  def(posix, 'uname', (a) => {
    const f = a[0] === undefined ? '%s %n %r %v %m' : checkStr(a[0], 1, 'uname');
    return [f.replace(/%(.)/g, (_m, c: string) => {
      if (c === 's') return 'Linux';
      if (c === 'r') return release();
      if (c === 'm') return machine();
      if (c === '%') return '%';
      // the build host's name or kernel build string would make the image depend on the host
      throw new LuaAbort(`posix.uname("%${c}"): the build host's ${c === 'n' ? 'name' : c === 'v' ? 'kernel build' : `%${c}`} is not given to scriptlets`);
    })];
  });
  for (const id of ['getuid', 'geteuid', 'getgid', 'getegid']) def(posix, id, () => [0]);
  def(posix, 'getlogin', () => ['root']);
  def(posix, 'sleep', () => [0]);
  def(posix, 'errno', () => ['Success', 0]);
  def(posix, 'fork', () => [interp.fork()]);
  def(posix, 'wait', (a) => {
    const pid = a[0] === undefined ? [...interp.exited.keys()].pop() : checkInt(a[0], 1, 'wait');
    if (pid === undefined || !interp.exited.has(pid)) return [undefined, 'No child processes', 10];
    return [pid, 'exited', interp.exited.get(pid)!];
  });
  const exec = (argv: string[]): LuaValue[] => {
    const child = interp.child;
    if (!child) throw new LuaAbort(`posix.exec ${argv[0] ?? ''} outside a forked child would replace rpm itself`);
    const prog = argv[0] ?? '';
    if (!statOf(abs(prog))) return fail(prog, 2);
    throw new ChildExit(child, runCommand(argv));
  };
  const runCommand = (argv: string[]): number => {
    const prog = argv[0] ?? '';
    const cmd = host.lookup(prog.slice(prog.lastIndexOf('/') + 1), argv);
    if (!cmd) { rec.problem(`unhandled command: ${argv.join(' ')}`); return 0; }
    const r = cmd(argv, { env, rec, io: { stdin: '' } });
    return typeof r === 'number' ? r : r.status;
  };
  def(posix, 'exec', (a) => exec(a.map((v, i) => fromBytes(checkStr(v, i + 1, 'exec')))));
  def(posix, '_exit', (a) => {
    if (!interp.child) throw new LuaAbort('posix._exit would end rpm itself');
    throw new ChildExit(interp.child, checkInt(a[0], 1, '_exit', 0));
  });
  for (const name of ['kill', 'mkfifo', 'setuid', 'setgid', 'ttyname', 'ctermid', 'pathconf', 'sysconf', 'times', 'exece', 'execp', 'pipe', 'dup']) {
    def(posix, name, () => { throw new LuaAbort(`posix.${name} is not emulated`); });
  }

  // --- os --------------------------------------------------------------------------------------
  const os = new LuaTable();
  G.set('os', os);
  modules.set('os', os);
  def(os, 'getenv', getenv);
  defPathIn(os)('remove', removal('os.remove', 'rm', (st, p) => (st.type === 'dir' && fs.list(p).length ? 39 : undefined), true));
  def(os, 'rename', (a) => {
    const from = checkStr(a[0], 1, 'rename');
    const to = checkStr(a[1], 2, 'rename');
    return guard(from, () => {
      inChild('os.rename');
      const src = entry(abs(from));
      const dst = entry(abs(to));
      const st = fs.lstat(src);
      if (!st) throw new PosixFail(2);
      if (!parentIsDir(dst)) throw new PosixFail(2);
      const dstSt = fs.lstat(dst);
      if (dstSt?.type === 'dir' && (st.type !== 'dir' || fs.list(dst).length)) throw new PosixFail(st.type === 'dir' ? 39 : 21);
      if (dstSt && dstSt.type !== 'dir' && st.type === 'dir') throw new PosixFail(20);
      if (src === dst) return [true];
      if ((dst + '/').startsWith(src + '/')) throw new PosixFail(22);
      fs.remove(dst);
      moveTree(src, dst);
      rec.act(`mv ${src} ${dst}`);
      return [true];
    });
  });
  const moveTree = (src: string, dst: string): void => {
    const st = fs.lstat(src)!;
    const o = { mode: st.mode, user: st.user, group: st.group };
    if (st.type === 'dir') {
      fs.mkdir(dst, o);
      fs.chmod(dst, st.mode);
      for (const n of fs.list(src)) moveTree(`${src}/${n}`, `${dst}/${n}`);
    } else if (st.type === 'symlink') fs.symlink(st.linkTarget ?? '', dst, o);
    else if (st.type === 'file' || st.type === 'hardlink') fs.writeFile(dst, fs.readFile(src) ?? new Uint8Array(), o);
    else throw new LuaAbort(`os.rename ${src}: a ${st.type} node is not moved here`);
    fs.remove(src);
  };
  def(os, 'execute', (a) => {
    if (a[0] === undefined) return [1];
    inChild('os.execute');
    const cmd = fromBytes(checkStr(a[0], 1, 'execute'));
    return [host.runShell(cmd) * 256];
  });
  def(os, 'exit', (a) => {
    const code = a[0] === undefined || a[0] === true ? 0 : a[0] === false ? 1 : checkInt(a[0], 1, 'exit');
    if (interp.child) throw new ChildExit(interp.child, code);
    throw new LuaAbort('os.exit would end rpm itself');
  });
  def(os, 'time', (a) => {
    if (a[0] === undefined) return [env.now];
    const t = a[0];
    if (!(t instanceof LuaTable)) throw argError(1, 'time', 'table expected');
    const f = (k: string, d?: number): number => { const v = t.get(k); if (v === undefined && d !== undefined) return d; const n = typeof v === 'number' ? v : str2num(String(v)); if (n === undefined) throw new LuaError(`field '${k}' missing in date table`); return n; };
    return [Date.UTC(f('year'), f('month') - 1, f('day'), f('hour', 12), f('min', 0), f('sec', 0)) / 1000];
  });
  def(os, 'clock', () => [interp.steps / 1e7]);
  def(os, 'difftime', (a) => [checkInt(a[0], 1, 'difftime') - checkInt(a[1], 2, 'difftime', 0)]);
  def(os, 'date', (a) => [osDate(a[0] === undefined ? '%c' : checkStr(a[0], 1, 'date'), a[1] === undefined ? env.now : checkInt(a[1], 2, 'date'))]);
  def(os, 'tmpname', () => { throw new LuaAbort('os.tmpname: a temporary name on the build host is not given to scriptlets'); });
  def(os, 'setlocale', () => ['C']);

  // --- io --------------------------------------------------------------------------------------
  const io = new LuaTable();
  G.set('io', io);
  modules.set('io', io);
  const files = new WeakMap<LuaTable, FileState>();
  const open: FileState[] = [];
  const fileMeta = new LuaTable();
  const methods = new LuaTable();
  fileMeta.set('__index', methods);
  fileMeta.set('__tostring', new LuaFunction('tostring', (a) => [`file (0x${(open.indexOf(files.get(a[0] as LuaTable)!) + 0x100).toString(16)})`]));
  const mkFile = (st: FileState): LuaTable => { const t = new LuaTable(); t.metatable = fileMeta; files.set(t, st); open.push(st); return t; };
  const fileText = (path: string): string | undefined => {
    const p = follow(path);
    const data = p === undefined ? undefined : fs.readFile(p);
    return data === undefined ? undefined : Buffer.from(data).toString('latin1');
  };
  const flush = (st: FileState): void => {
    if (!st.dirty || st.path === undefined) return;
    fs.writeFile(st.path, Buffer.from(st.data, 'latin1'));
    rec.act(`write ${st.path}`);
    st.dirty = false;
  };
  const stdout = mkFile({ data: '', pos: 0, read: false, write: true, append: true, dirty: false, closed: false, std: true });
  const stderr = mkFile({ data: '', pos: 0, read: false, write: true, append: true, dirty: false, closed: false, std: true });
  const stdin = mkFile({ data: '', pos: 0, read: true, write: false, append: false, dirty: false, closed: false, std: true });
  io.set('stdout', stdout);
  io.set('stderr', stderr);
  io.set('stdin', stdin);
  const handle = (v: LuaValue, fname: string): FileState => {
    const st = v instanceof LuaTable ? files.get(v) : undefined;
    if (!st) throw argError(1, fname, `FILE* expected, got ${luaType(v)}`);
    if (st.closed) throw new LuaError('attempt to use a closed file');
    return st;
  };
  def(io, 'open', (a) => {
    const path = checkStr(a[0], 1, 'open');
    const mode = a[1] === undefined ? 'r' : checkStr(a[1], 2, 'open');
    if (!/^[rwa]\+?b?$/.test(mode.replace(/b(\+)$/, '$1'))) throw argError(2, 'open', 'invalid mode');
    const target = follow(abs(path));
    if (target === undefined) return fail(path, 2);
    const st = fs.lstat(target);
    if (st?.type === 'dir' && mode[0] !== 'r') return fail(path, 21);
    const existing = st?.type === 'dir' ? '' : fileText(target);
    if (mode[0] === 'r' && existing === undefined) return fail(path, 2);
    if (mode[0] !== 'r' && !st && !parentIsDir(target)) return fail(path, 2);
    if (mode[0] !== 'r') inChild('io.open for writing');
    const plus = mode.includes('+');
    const f: FileState = { path: target, data: mode[0] === 'w' ? '' : existing ?? '', pos: 0, read: mode[0] === 'r' || plus, write: mode[0] !== 'r' || plus, append: mode[0] === 'a', dirty: false, closed: false, std: false };
    // "a+" reads from the start; every write goes to the end (fopen(3))
    if (mode[0] !== 'r' && (mode[0] === 'w' || existing === undefined)) {
      // open(2) with O_CREAT/O_TRUNC: the file is there (empty) at once
      fs.writeFile(target, new Uint8Array(), st ? {} : { mode: 0o666 & ~UMASK, user: 'root', group: 'root' });
      rec.act(`write ${target}`);
    }
    return [mkFile(f)];
  });
  def(io, 'close', (a) => interp.call(methods.get('close'), [a[0] ?? stdout]));
  def(io, 'write', (a) => interp.call(methods.get('write'), [stdout, ...a]));
  def(io, 'read', (a) => interp.call(methods.get('read'), [stdin, ...a]));
  def(io, 'lines', (a) => {
    if (a[0] === undefined) return interp.call(methods.get('lines'), [stdin]);
    const r = interp.call(io.get('open'), [a[0], 'r']);
    if (r[0] === undefined) throw new LuaError(tostr(r[1]));
    const f = r[0] as LuaTable;
    const st = files.get(f)!;
    return [new LuaFunction('lines iterator', () => {
      const line = readLine(st, false);
      if (line === undefined) st.closed = true;
      return [line];
    })];
  });
  def(io, 'type', (a) => { const st = a[0] instanceof LuaTable ? files.get(a[0]) : undefined; return [st ? (st.closed ? 'closed file' : 'file') : undefined]; });
  def(io, 'output', (a) => { if (a[0] === undefined) return [stdout]; throw new LuaAbort('io.output to a file is not emulated'); });
  def(io, 'input', (a) => { if (a[0] === undefined) return [stdin]; throw new LuaAbort('io.input from a file is not emulated'); });
  def(io, 'popen', () => { throw new LuaAbort('io.popen runs a program through a pipe: not emulated'); });
  def(io, 'tmpfile', () => { throw new LuaAbort('io.tmpfile is not emulated'); });
  def(methods, 'write', (a) => {
    const st = handle(a[0], 'write');
    for (let i = 1; i < a.length; i++) {
      const v = a[i];
      const s = typeof v === 'number' ? fmtNumber(v) : checkStr(v, i, 'write');
      if (st.std) { host.out(s); continue; }
      if (!st.write) return [undefined, 'Bad file descriptor', 9];
      if (st.append) st.pos = st.data.length;
      st.data = interp.checkString(st.data.slice(0, st.pos) + s + st.data.slice(st.pos + s.length));
      st.pos += s.length;
      st.dirty = true;
    }
    return [a[0]];
  });
  def(methods, 'read', (a) => {
    const st = handle(a[0], 'read');
    const fmts = a.length > 1 ? a.slice(1) : ['*l'];
    const out: LuaValue[] = [];
    for (const f of fmts) {
      let v: LuaValue;
      if (typeof f === 'number') {
        if (f === 0) v = st.pos < st.data.length ? '' : undefined;
        else { v = st.pos < st.data.length ? st.data.slice(st.pos, st.pos + f) : undefined; st.pos += v?.length ?? 0; }
      } else {
        const k = checkStr(f, 2, 'read').replace(/^\*/, '')[0];
        if (k === 'a') { v = st.data.slice(st.pos); st.pos = st.data.length; }
        else if (k === 'l' || k === 'L') v = readLine(st, k === 'L');
        else if (k === 'n') {
          const m = /^\s*[+-]?(0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(st.data.slice(st.pos));
          if (m) { st.pos += m[0].length; v = str2num(m[0]); } else v = undefined;
        } else throw argError(2, 'read', 'invalid format');
      }
      out.push(v);
      if (v === undefined) break;
    }
    return out;
  });
  def(methods, 'lines', (a) => {
    const st = handle(a[0], 'lines');
    return [new LuaFunction('lines iterator', () => [readLine(st, false)])];
  });
  def(methods, 'close', (a) => {
    const st = handle(a[0], 'close');
    if (st.std) return [undefined, 'cannot close standard file'];
    flush(st);
    st.closed = true;
    return [true];
  });
  def(methods, 'flush', (a) => { flush(handle(a[0], 'flush')); return [a[0]]; });
  def(methods, 'setvbuf', () => [true]);
  def(methods, 'seek', (a) => {
    const st = handle(a[0], 'seek');
    const whence = a[1] === undefined ? 'cur' : checkStr(a[1], 2, 'seek');
    const off = checkInt(a[2], 3, 'seek', 0);
    const base = whence === 'set' ? 0 : whence === 'end' ? st.data.length : st.pos;
    st.pos = Math.max(0, base + off);
    return [st.pos];
  });

  // --- package / require: modules from the image along package.path ----------------------------
  const pkg = new LuaTable();
  G.set('package', pkg);
  const loaded = new LuaTable();
  pkg.set('loaded', loaded);
  pkg.set('preload', new LuaTable());
  pkg.set('path', './?.lua;/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;/usr/local/lib/lua/5.1/?.lua;/usr/local/lib/lua/5.1/?/init.lua');
  pkg.set('cpath', './?.so;/usr/local/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so');
  def(G, 'require', (a) => {
    const name = checkStr(a[0], 1, 'require');
    const have = loaded.get(name) ?? modules.get(name);
    if (have !== undefined) return [have];
    const pre = interp.index(pkg.get('preload'), name);
    if (pre !== undefined) return finish(name, interp.call(pre, [name])[0]);
    const tried: string[] = [];
    for (const tpl of tostr(interp.index(pkg, 'path') ?? '').split(';')) {
      if (tpl === '') continue;
      const file = tpl.replace(/\?/g, name.replace(/\./g, '/'));
      const text = fileText(abs(file));
      if (text === undefined || statOf(abs(file))?.type === 'dir') { tried.push(`\n\tno file '${file}'`); continue; }
      rec.act(`lua module ${fromBytes(file)}`);
      let chunk;
      try { chunk = parseLua(text); } catch (e) {
        if (e instanceof LuaSyntaxError) throw new LuaError(`error loading module '${name}' from file '${file}':\n\t${e.message}`);
        throw e;
      }
      return finish(name, interp.run(chunk, [name])[0]);
    }
    throw new LuaError(`module '${name}' not found:\n\tno field package.preload['${name}']${tried.join('')}`);
  });
  const finish = (name: string, v: LuaValue): LuaValue[] => {
    if (v !== undefined) interp.tset(loaded, name, v);
    else if (loaded.get(name) === undefined) interp.tset(loaded, name, true);
    return [loaded.get(name)];
  };

  // --- rpm -------------------------------------------------------------------------------------
  const rpm = new LuaTable();
  G.set('rpm', rpm);
  modules.set('rpm', rpm);
  const defined = new Map<string, string>();
  def(rpm, 'expand', (a) => [toBytes(expandMacros(fromBytes(checkStr(a[0], 1, 'expand')), defined))]);
  def(rpm, 'define', (a) => {
    const m = /^\s*([A-Za-z_]\w*)(?:\([^)]*\))?\s+([\s\S]*)$/.exec(fromBytes(checkStr(a[0], 1, 'define')));
    if (!m) throw new LuaError('error defining macro');
    defined.set(m[1]!, m[2]!.trim());
    return [];
  });
  def(rpm, 'undefine', (a) => { defined.delete(fromBytes(checkStr(a[0], 1, 'undefine')).trim()); return []; });
  def(rpm, 'vercmp', (a) => [compareEvr(parseEvr(fromBytes(checkStr(a[0], 1, 'vercmp'))), parseEvr(fromBytes(checkStr(a[1], 2, 'vercmp'))))]);
  def(rpm, 'interactive', () => { throw new LuaAbort('rpm.interactive is not emulated'); });
  const hooks = new Map<string, LuaValue[]>();
  def(rpm, 'register', (a) => { const n = checkStr(a[0], 1, 'register'); hooks.set(n, [...(hooks.get(n) ?? []), a[1]]); return [a[1]]; });
  def(rpm, 'unregister', (a) => { const n = checkStr(a[0], 1, 'unregister'); hooks.set(n, (hooks.get(n) ?? []).filter((f) => f !== a[1])); return []; });
  def(rpm, 'call', (a) => { const n = checkStr(a[0], 1, 'call'); for (const f of hooks.get(n) ?? []) interp.call(f, a.slice(1)); return []; });
  def(rpm, 'execute', (a) => {
    inChild('rpm.execute');
    const argv = a.map((v, i) => fromBytes(checkStr(v, i + 1, 'execute')));
    if (!statOf(abs(argv[0] ?? ''))) return fail(argv[0] ?? '', 2);
    const status = runCommand(argv);
    return status === 0 ? [true] : [undefined, 'exit code', status];
  });
  def(rpm, 'redirect2null', () => [0]);

  return { closeAll: () => { for (const st of open) if (!st.closed && !st.std) { flush(st); st.closed = true; } } };
}

interface FileState { path?: string; data: string; pos: number; read: boolean; write: boolean; append: boolean; dirty: boolean; closed: boolean; std: boolean }

function readLine(st: FileState, keepNl: boolean): string | undefined {
  if (st.closed || st.pos >= st.data.length) return undefined;
  const nl = st.data.indexOf('\n', st.pos);
  const end = nl < 0 ? st.data.length : nl;
  const line = st.data.slice(st.pos, keepNl && nl >= 0 ? end + 1 : end);
  st.pos = nl < 0 ? end : end + 1;
  return line;
}

/** io.write's number format: Lua 5.1 writes numbers with %.14g */
function fmtNumber(n: number): string { return tostr(n); }

const TYPE_NAME: Record<string, string> = { file: 'regular', hardlink: 'regular', dir: 'directory', symlink: 'link', char: 'character device', block: 'block device', fifo: 'fifo' };

export function modeString(mode: number): string {
  const rwx = (bits: number, special: boolean, ch: string): string => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-'}`;
  return rwx(mode >> 6, (mode & 0o4000) !== 0, 's') + rwx(mode >> 3, (mode & 0o2000) !== 0, 's') + rwx(mode, (mode & 0o1000) !== 0, 't');
}

/** lposix's mode_munch: octal digits, "rwxr-xr-x", or chmod-style "u+x,go-w" */
export function parseMode(s: string, cur: number): number | undefined {
  if (/^[0-7]+$/.test(s)) return parseInt(s, 8) & 0o7777;
  if (/^[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-]$/.test(s)) {
    let m = 0;
    const bits = [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1];
    [...s].forEach((c, i) => { if (c !== '-' && c !== 'S' && c !== 'T') m |= bits[i]!; });
    if (/[sS]/.test(s[2]!)) m |= 0o4000;
    if (/[sS]/.test(s[5]!)) m |= 0o2000;
    if (/[tT]/.test(s[8]!)) m |= 0o1000;
    return m;
  }
  let mode = cur & 0o7777;
  for (const part of s.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxst]*)$/.exec(part);
    if (!m) return undefined;
    const who = m[1] === '' || m[1]!.includes('a') ? 'ugo' : m[1]!;
    let mask = 0;
    for (const w of who) {
      const shift = w === 'u' ? 6 : w === 'g' ? 3 : 0;
      for (const p of m[3]!) {
        if (p === 'r') mask |= 4 << shift;
        if (p === 'w') mask |= 2 << shift;
        if (p === 'x') mask |= 1 << shift;
        if (p === 's' && w === 'u') mask |= 0o4000;
        if (p === 's' && w === 'g') mask |= 0o2000;
        if (p === 't') mask |= 0o1000;
      }
    }
    if (m[2] === '+') mode |= mask;
    else if (m[2] === '-') mode &= ~mask;
    else {
      let clear = 0;
      for (const w of who) clear |= 7 << (w === 'u' ? 6 : w === 'g' ? 3 : 0);
      mode = (mode & ~clear) | mask;
    }
  }
  return mode;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** os.date in UTC (the build has no time zone of its own) */
function osDate(fmt: string, t: number): LuaValue {
  const d = new Date(t * 1000);
  const f = fmt.replace(/^!/, '');
  const p2 = (n: number): string => String(n).padStart(2, '0');
  if (f.startsWith('*t')) {
    const tab = new LuaTable();
    const yday = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 864e5) + 1;
    for (const [k, v] of Object.entries({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), min: d.getUTCMinutes(), sec: d.getUTCSeconds(), wday: d.getUTCDay() + 1, yday })) tab.set(k, v);
    tab.set('isdst', false);
    return tab;
  }
  return f.replace(/%(.)/g, (_m, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear());
      case 'y': return p2(d.getUTCFullYear() % 100);
      case 'm': return p2(d.getUTCMonth() + 1);
      case 'd': return p2(d.getUTCDate());
      case 'e': return String(d.getUTCDate()).padStart(2);
      case 'H': return p2(d.getUTCHours());
      case 'M': return p2(d.getUTCMinutes());
      case 'S': return p2(d.getUTCSeconds());
      case 'a': return DAYS[d.getUTCDay()]!.slice(0, 3);
      case 'A': return DAYS[d.getUTCDay()]!;
      case 'b': case 'h': return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case 'B': return MONTHS[d.getUTCMonth()]!;
      case 'p': return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'Z': return 'UTC';
      case 's': return String(t);
      case 'c': return `${DAYS[d.getUTCDay()]!.slice(0, 3)} ${MONTHS[d.getUTCMonth()]!.slice(0, 3)} ${String(d.getUTCDate()).padStart(2)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
      case 'x': return `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCFullYear() % 100)}`;
      case 'X': return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
      case 'j': return String(Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 864e5) + 1).padStart(3, '0');
      case '%': return '%';
      default: throw new LuaAbort(`os.date %${c} is not emulated`);
    }
  });
}
