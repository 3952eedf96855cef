// ldconfig's link rules against the host's ldconfig: tiny shared objects compiled with gcc, laid
// out as EL6 packages leave them (real /lib64 and /usr/lib64, -devel linker-name links, several
// versions of one SONAME, ld.so.conf.d includes), then `ldconfig -r` on a copy. Both trees'
// library entries and both caches (`ldconfig -p -C`) must be equal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanLibraries } from '../../src/scriptlets/commands/ldcache.js';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import type { ImageTree } from '../../src/assemble/tree.js';
import { tempDir } from '../helpers/temp-dir.js';
import { SDE, baseImage, pkg } from './helpers.js';

const hasTools = spawnSync('ldconfig', ['--version']).status === 0 && spawnSync('gcc', ['--version']).status === 0;
// ldconfig -r chroots (root only); without it, relative includes are refused and links differ
const canRun = hasTools && process.getuid?.() === 0;
if (!canRun) console.warn('skipping the ldconfig rules oracle test: needs root, gcc and the host ldconfig');

/**
 * [path, SONAME or null for none]: x86_64 ELF files; [path, 'i386' | 'i386+libc', SONAME]: 32-bit
 * ones, the second with DT_NEEDED libc.so.6; [path, '->', target]: symlinks; [path, 'text', body]
 */
type Entry = [string, string | null] | [string, '->' | 'text' | 'i386' | 'i386+libc', string];
type Item =
  | { path: string; kind: 'elf'; soname: string | null; m32?: 'plain' | 'libc' }
  | { path: string; kind: '->'; arg: string }
  | { path: string; kind: 'text'; arg: string };
function item(e: Entry): Item {
  if (e.length === 2) return { path: e[0], kind: 'elf', soname: e[1] };
  if (e[1] === 'i386' || e[1] === 'i386+libc') return { path: e[0], kind: 'elf', soname: e[2], m32: e[1] === 'i386' ? 'plain' : 'libc' };
  return e[1] === '->' ? { path: e[0], kind: '->', arg: e[2] } : { path: e[0], kind: 'text', arg: e[2] };
}
const LAYOUT: Entry[] = [
  // zlib + zlib-devel on EL6: the linker name lives in /usr/lib64, the library in /lib64
  ['/lib64/libdemo.so.1.2.3', 'libdemo.so.1'],
  ['/lib64/libdemo.so.1', '->', 'libdemo.so.1.2.3'],
  ['/usr/lib64/libdemo.so', '->', '../../lib64/libdemo.so.1.2.3'],
  // two versions of one SONAME, no SONAME link yet; a linker name pointing at the real file
  ['/usr/lib64/libfoo.so.1.2', 'libfoo.so.1'],
  ['/usr/lib64/libfoo.so.1.10', 'libfoo.so.1'],
  ['/usr/lib64/libfoo.so', '->', 'libfoo.so.1.10'],
  // a shipped SONAME link to the older of two versions: re-pointed to the newer
  ['/usr/lib64/libbar.so.2.0', 'libbar.so.2'],
  ['/usr/lib64/libbar.so.2.1', 'libbar.so.2'],
  ['/usr/lib64/libbar.so.2', '->', 'libbar.so.2.0'],
  // a file whose DT_SONAME is not its name
  ['/usr/lib64/libqux-3.0.so', 'libqux.so.3'],
  // the SONAME path is a regular file: never replaced
  ['/usr/lib64/libkeep.so.6', 'libkeep.so.6'],
  ['/usr/lib64/libkeep.so.6.1', 'libkeep.so.6'],
  // dangling links: the one with ".so." in its name is removed, the linker name stays
  ['/usr/lib64/libgone.so.1', '->', 'libgone.so.1.0'],
  ['/usr/lib64/libgone.so', '->', 'libgone.so.1'],
  // no SONAME at all; a linker script; a name ldconfig ignores
  ['/usr/lib64/libnosoname.so.5', null],
  ['/usr/lib64/libc.so', 'text', '/* GNU ld script */\nGROUP ( /lib64/libc.so.6 )\n'],
  ['/usr/lib64/plugin.so', 'plugin.so.1'],
  // a symlink that is neither its target's SONAME nor a linker name counts as a file of that
  // SONAME, and wins over the real file by name ("libzz" > "libbaz")
  ['/opt/a/lib/libbaz.so.4.0', 'libbaz.so.4'],
  ['/opt/a/lib/libzz.so.9', '->', 'libbaz.so.4.0'],
  // one SONAME in two directories: listed from both, the first directory's first
  ['/opt/b/lib/libdup.so.1.0', 'libdup.so.1'],
  ['/usr/lib64/libdup.so.1.0', 'libdup.so.1'],
  // in a directory only a non-matching conf file names: never scanned
  ['/opt/never/lib/libnever.so.1.0', 'libnever.so.1'],
];
/** GNU ABI notes (minimum kernel) as EL5/6 libraries carry them; Debian's ldconfig records none */
const ABI: Record<string, [number, number, number]> = {
  '/opt/c/lib/libabi.so.1.0': [2, 6, 18],
  '/usr/lib64/libabi.so.1.0': [2, 6, 32],
};
// zlib.i686 beside zlib.x86_64 (one SONAME, two cache flags) and an i386 libc.so.6, which needs
// no libc and so is "(ELF)", not "(libc6)"
const LAYOUT32: Entry[] = [
  ['/lib/libc.so.6', 'i386', 'libc.so.6'],
  ['/lib/libdemo.so.1.2.3', 'i386+libc', 'libdemo.so.1'],
  ['/usr/lib/libfoo.so.1.2', 'i386+libc', 'libfoo.so.1'],
];
const CONF: [string, string][] = [
  ['/etc/ld.so.conf', 'include ld.so.conf.d/*.conf\n'],
  ['/etc/ld.so.conf.d/a.conf', '/opt/a/lib\n'],
  ['/etc/ld.so.conf.d/b.conf', '# mysql\n/opt/b/lib/\n'],
  ['/etc/ld.so.conf.d/never.conf.rpmsave', '/opt/never/lib\n'],
];
const DIRS = ['/lib', '/usr/lib', '/lib64', '/usr/lib64', '/opt/a/lib', '/opt/b/lib', '/opt/never/lib'];

const tmp = tempDir('rfs-ldrules-');
afterAll(() => tmp.cleanup());

function compile(soname: string | null, out: string, m32?: 'plain' | 'libc'): Buffer {
  mkdirSync(dirname(out), { recursive: true });
  const src = join(tmp.dir, 'x.c');
  const abi = ABI[out.slice(join(tmp.dir, 'objs').length)];
  const note = abi ? `__asm__(".section .note.ABI-tag,\\"a\\",@note\\n.p2align 2\\n.long 4, 16, 1\\n.string \\"GNU\\"\\n.long 0, ${abi.join(', ')}\\n.previous");\n` : '';
  writeFileSync(src, `${note}int f_${Math.abs(out.length)}(void) { return ${out.length}; }\n`);
  // -nostdlib: no libc or crt files needed (none for i386 here); a DT_NEEDED via a stub libc.so.6
  const args = ['-shared', '-fPIC', '-nostdlib', ...(soname ? [`-Wl,-soname,${soname}`] : []), '-o', out, src];
  if (m32) args.unshift('-m32');
  if (m32 === 'libc') args.push('-Wl,--no-as-needed', stubLibc32());
  execFileSync('gcc', args);
  return readFileSync(out);
}

function stubLibc32(): string {
  const out = join(tmp.dir, 'stub', 'libc.so.6');
  if (!existsSync(out)) compile('libc.so.6', out, 'plain');
  return out;
}

/** gcc makes i386 objects (no multilib needed with -nostdlib) */
const has32 = canRun && (() => {
  try { compile('libprobe.so.1', join(tmp.dir, 'probe', 'libprobe.so.1'), 'plain'); return true; } catch { return false; }
})();
if (canRun && !has32) console.warn('ldconfig rules: gcc cannot make i386 objects, the 32-bit entries are left out');
const layout = (): Entry[] => [...LAYOUT, ...(has32 ? LAYOUT32 : [])];

/** the image: a base EL6 tree with the layout, as the packages' payloads would leave it */
function ourTree(): ImageTree {
  const t = baseImage(6);
  const objs = join(tmp.dir, 'objs');
  for (const e of layout().map(item)) {
    if (e.kind === '->') t.symlink(e.arg, e.path);
    else if (e.kind === 'text') t.writeFile(e.path, e.arg);
    else t.writeFile(e.path, compile(e.soname, join(objs, e.path), e.m32), { mode: 0o755 });
  }
  for (const [p, body] of CONF) t.writeFile(p, body);
  return t;
}

function hostTree(root: string): void {
  for (const e of layout().map(item)) {
    const p = join(root, e.path);
    mkdirSync(dirname(p), { recursive: true });
    if (e.kind === '->') symlinkSync(e.arg, p);
    else if (e.kind === 'text') writeFileSync(p, e.arg);
    else writeFileSync(p, readFileSync(join(tmp.dir, 'objs', e.path)));
  }
  for (const [p, body] of CONF) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    // EL's trusted directories named explicitly: Debian's ldconfig has multiarch ones
    writeFileSync(join(root, p), p === '/etc/ld.so.conf' ? `${body}/lib\n/lib64\n/usr/lib\n/usr/lib64\n` : body);
  }
}

const hostEntries = (root: string, d: string): string[] =>
  readdirSync(join(root, d)).sort().map((f) => {
    const st = lstatSync(join(root, d, f));
    return st.isSymbolicLink() ? `${f} -> ${readlinkSync(join(root, d, f))}` : f;
  });
const ourEntries = (t: ImageTree, d: string): string[] =>
  t.list(d).map((f) => {
    const st = t.lstat(`${d}/${f}`)!;
    return st.type === 'symlink' ? `${f} -> ${st.linkTarget}` : f;
  });

describe.skipIf(!canRun)('ldconfig link rules vs host ldconfig -r', () => {
  it('makes, re-points and removes the same links and lists the same cache', () => {
    const t = ourTree();
    const r = emulateScriptlets([pkg({ name: 'zlib', scripts: [{ kind: 'post', prog: ['/sbin/ldconfig'], body: '' }] })], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);

    const root = join(tmp.dir, 'root');
    hostTree(root);
    execFileSync('ldconfig', ['-r', root]);

    for (const d of DIRS) expect(ourEntries(t, d), d).toEqual(hostEntries(root, d));
    const ours = join(tmp.dir, 'ours.cache');
    writeFileSync(ours, t.readFile('/etc/ld.so.cache')!);
    const list = (f: string): string[] => execFileSync('ldconfig', ['-p', '-C', f], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('\t'));
    expect(list(ours)).toEqual(list(join(root, 'etc/ld.so.cache')));

    // the rules, pinned without the oracle as well
    expect(t.lstat('/usr/lib64/libdemo.so.1')).toBeUndefined(); // issue #16: never SONAME -> linker name
    expect(list(ours)).toContain('\tlibdemo.so (libc6,x86-64) => /usr/lib64/libdemo.so');
    expect(t.lstat('/usr/lib64/libfoo.so.1')?.linkTarget).toBe('libfoo.so.1.10');
    expect(t.lstat('/usr/lib64/libbar.so.2')?.linkTarget).toBe('libbar.so.2.1');
    expect(t.lstat('/usr/lib64/libqux.so.3')?.linkTarget).toBe('libqux-3.0.so');
    expect(t.lstat('/usr/lib64/libkeep.so.6')?.type).toBe('file');
    expect(t.lstat('/usr/lib64/libgone.so.1')).toBeUndefined();
    expect(t.lstat('/usr/lib64/libgone.so')?.type).toBe('symlink');
    expect(t.lstat('/opt/a/lib/libbaz.so.4')?.linkTarget).toBe('libzz.so.9');
    expect(t.lstat('/opt/never/lib/libnever.so.1')).toBeUndefined();
    expect(r.emulated.at(-1)?.actions).toContain('removed stale symlink /usr/lib64/libgone.so.1');
    expect(list(ours).filter((l) => l.startsWith('\tlibdup.so.1 '))).toEqual(['\tlibdup.so.1 (libc6,x86-64) => /opt/b/lib/libdup.so.1', '\tlibdup.so.1 (libc6,x86-64) => /usr/lib64/libdup.so.1']);
    if (has32) {
      expect(list(ours)).toContain('\tlibc.so.6 (ELF) => /lib/libc.so.6');
      expect(list(ours)).toContain('\tlibdemo.so.1 (libc6) => /lib/libdemo.so.1');
      expect(t.lstat('/usr/lib/libfoo.so.1')?.linkTarget).toBe('libfoo.so.1.2');
    }
  });

  it('orders one SONAME of two directories by ABI-note kernel first, as the EL5/6 ldconfig does', () => {
    // glibc's cache.c compare() of that era breaks ties on osversion (newest first); Debian's
    // 2.36 writes osversion 0 whatever the note says, so this is pinned without the oracle
    const t = baseImage(6);
    for (const p of Object.keys(ABI)) t.writeFile(p, compile('libabi.so.1', join(tmp.dir, 'objs', p)), { mode: 0o755 });
    const { entries } = scanLibraries(t, ['/opt/c/lib', '/usr/lib64']);
    expect(entries.map((e) => [e.path, e.osversion])).toEqual([['/usr/lib64/libabi.so.1', 0x020620], ['/opt/c/lib/libabi.so.1', 0x020612]]);
  });
});
