// The remaining scriptlet idioms: ldconfig, caches, info dir, CA trust, locale archive,
// kernel/boot hooks, rpm --import. Each says plainly what it did, or why nothing was needed.
import { gunzipSync } from 'node:zlib';
import type { CommandCtx, CommandResult, EmulationEnv } from '../context.js';
import type { ImageFS } from '../../types/imagefs.js';
import { readText } from '../context.js';
import { globToRegExp } from '../../util/glob.js';
import { encodeLdCache, scanLibraries } from './ldcache.js';

/** Directories listed in /etc/ld.so.conf (with `include` globs), in order. */
export function ldSoConfDirs(fs: ImageFS): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string, depth: number): void => {
    if (depth > 4 || seen.has(path)) return;
    seen.add(path);
    for (const raw of (readText(fs, path) ?? '').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const inc = /^include\s+(.+)$/.exec(line);
      // `include` takes several blank-separated globs, relative ones to the including file's directory
      if (inc) {
        for (const raw of inc[1]!.split(/[ \t]+/).filter(Boolean)) {
          const pat = raw.startsWith('/') ? raw : `${path.slice(0, path.lastIndexOf('/'))}/${raw}`;
          const dir = pat.slice(0, pat.lastIndexOf('/')) || '/';
          const re = globToRegExp(pat.slice(pat.lastIndexOf('/') + 1));
          for (const f of fs.list(dir)) if (re.test(f)) visit(`${dir}/${f}`, depth + 1);
        }
      } else if (line.startsWith('/')) out.push(line.split(/[\s=:]/)[0]!.replace(/\/$/, ''));
    }
  };
  visit('/etc/ld.so.conf', 0);
  return out;
}

// ldconfig: scriptlets call it after every library package; running it once after the last
// scriptlet leaves the same state (links and /etc/ld.so.cache, see ldcache.ts), so calls only
// record that it is due.
export function ldconfig(argv: string[], ctx: CommandCtx): number {
  const args = argv.slice(1);
  const known = args.filter((a) => ['-X', '-N', '-v', '-q', '--verbose'].includes(a) || (a.startsWith('/') && !args.includes('-n')));
  if (known.length !== args.length) {
    ctx.rec.problem(`ldconfig ${args.join(' ')}`);
    return 0;
  }
  const cur = ctx.env.ldconfig ?? { links: false, cache: false, extraDirs: [] };
  cur.links ||= !args.includes('-X');
  cur.cache ||= !args.includes('-N');
  for (const d of args.filter((a) => a.startsWith('/'))) if (!cur.extraDirs.includes(d)) cur.extraDirs.push(d);
  ctx.env.ldconfig = cur;
  ctx.rec.act('ldconfig: links and /etc/ld.so.cache are made after the last scriptlet');
  return 0;
}

/** What ldconfig (after all scriptlets) scans: command-line dirs, /etc/ld.so.conf's, the system ones. */
export function runDeferredLdconfig(env: EmulationEnv): string[] {
  const job = env.ldconfig;
  if (!job) return [];
  const dirs = [...job.extraDirs, ...ldSoConfDirs(env.fs), '/lib', '/lib64', '/libx32', '/usr/lib', '/usr/lib64', '/usr/libx32'];
  const { entries, links, removed, bigEndian } = scanLibraries(env.fs, dirs, job.links);
  const actions = [...removed.map((p) => `removed stale symlink ${p}`), ...links.map((l) => `symlink ${l}`)];
  if (job.cache) {
    env.fs.writeFile('/etc/ld.so.cache', encodeLdCache(entries, bigEndian), env.fs.exists('/etc/ld.so.cache') ? {} : { mode: 0o644, user: 'root', group: 'root' });
    actions.push(`wrote /etc/ld.so.cache (${entries.length} libraries)`);
  }
  return actions;
}

/** Caches programs rebuild or do without; the rest are reported. */
const OPTIONAL_CACHES: Record<string, string> = {
  'fc-cache': 'fontconfig works without its cache',
  'gtk-update-icon-cache': 'icon themes work without icon-theme.cache',
  'update-desktop-database': 'mimeinfo.cache is optional',
  iconvconfig: 'glibc reads gconv-modules without gconv-modules.cache',
  // glib's giomodule.c loads every module that giomodule.cache does not list to learn its extension points
  'gio-querymodules': 'GIO loads modules giomodule.cache does not list',
  'gio-querymodules-64': 'GIO loads modules giomodule.cache does not list',
  'mandb': 'man works without its index',
  makewhatis: 'man works without its index',
  'scrollkeeper-update': 'help index is optional',
  'texhash': 'only TeX lookup speed',
  'mkfontdir': 'X core fonts only',
  'mkfontscale': 'X core fonts only',
  'systemd-machine-id-setup': '/etc/machine-id stays empty so each container gets its own',
  'systemd-random-seed': 'a seed saved at build time would be shared by every container',
  'systemd-hwdb': 'applied by systemd-udevd at boot',
  'udevadm': 'no udev in a container',
  'journalctl': 'applied by systemd at boot',
  'restorecon': 'no SELinux labels in container images',
  'setfiles': 'no SELinux labels in container images',
  'fixfiles': 'no SELinux labels in container images',
  'new-kernel-pkg': 'no boot in containers',
  'kernel-install': 'no boot in containers',
  'grubby': 'no boot in containers',
  'dracut': 'no boot in containers',
  'tzdata-update': '/etc/localtime is set when the image is finished',
  'telinit': 'nothing runs in an image',
  'service': 'nothing runs in an image',
};
const REQUIRED_CACHES = new Set([
  'glib-compile-schemas', 'gdk-pixbuf-query-loaders', 'gdk-pixbuf-query-loaders-64', 'gtk-query-immodules-2.0',
  'gtk-query-immodules-3.0', 'update-mime-database', 'pango-querymodules',
  // EL6 names them by word size: gtk-query-immodules-2.0-64, pango-querymodules-64
  'gdk-pixbuf-query-loaders-32', 'gtk-query-immodules-2.0-32', 'gtk-query-immodules-2.0-64', 'pango-querymodules-32', 'pango-querymodules-64',
  'gconftool-2', 'depmod', 'semodule', 'authconfig', 'pwconv', 'grpconv', 'update-pciids', 'sgmlwhich', 'install-catalog',
]);

/** what is missing when these are not run: the caches are read, not rebuilt, by the programs */
const REQUIRED_WHY: Record<string, string> = {
  'gdk-pixbuf-query-loaders': 'loaders.cache (gdk-pixbuf loads no image format module without it)',
  'pango-querymodules': 'pango.modules (pango before 1.38 finds no shaper module without it)',
  'gtk-query-immodules-2.0': 'gtk.immodules (GTK offers only its built-in input method without it)',
  'gtk-query-immodules-3.0': 'immodules.cache (GTK offers only its built-in input method without it)',
  'update-mime-database': 'the shared MIME database (mime.cache, globs, magic; GIO and xdg-mime read only these)',
};

export function cacheTool(argv: string[], ctx: CommandCtx): number {
  const name = argv[0]!.slice(argv[0]!.lastIndexOf('/') + 1).replace(/\.(x86_64|i686|i386|ppc64|ppc64le|s390x|aarch64|ia64)$/, '');
  const why = OPTIONAL_CACHES[name];
  if (why !== undefined) ctx.rec.act(`${name}: skipped, ${why}`);
  else ctx.rec.problem(`${name}: ${REQUIRED_WHY[name.replace(/-(32|64)$/, '')] ?? 'cache'} not generated (needs the target's binaries)`);
  return 0;
}
export const CACHE_TOOLS = new Set([...Object.keys(OPTIONAL_CACHES), ...REQUIRED_CACHES]);

/** glibc_post_upgrade (EL4-EL7 glibc %post): ldconfig, iconvconfig, and on upgrades daemon restarts */
export function glibcPostUpgrade(argv: string[], ctx: CommandCtx): number {
  ldconfig(['ldconfig'], ctx);
  ctx.rec.act('glibc_post_upgrade: iconvconfig cache is optional; nothing to restart on a fresh install');
  return 0;
}

const DIR_HEADER = `This is the file .../info/dir, which contains the
topmost node of the Info hierarchy, called (dir)Top.
The first time you invoke Info you start off looking at this node.
\x1f
File: dir,\tNode: Top,\tThis is the top of the INFO tree

  This (the Directory node) gives a menu of major topics.
  Typing "q" exits, "H" lists all Info commands, "d" returns here,
  "h" gives a primer for first-timers,
  "mEmacs<Return>" visits the Emacs manual, etc.

  In Emacs, you can click mouse button 2 on a menu item or cross reference
  to select it.

* Menu:
`;

/** install-info: add the file's START-INFO-DIR-ENTRY lines to the dir file under its section. */
export function installInfo(argv: string[], ctx: CommandCtx): number {
  const fs = ctx.env.fs;
  const args = argv.slice(1);
  if (args.some((a) => a === '--delete' || a === '--remove')) { ctx.rec.act('install-info --delete: nothing to remove'); return 0; }
  let dir: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--dir-file=') || a.startsWith('--info-dir=')) dir = a.startsWith('--info-dir=') ? `${a.slice(11)}/dir` : a.slice(11);
    else if (a === '--dir-file' || a === '--info-dir') { dir = a === '--info-dir' ? `${args[++i]}/dir` : args[++i]; }
    else if (a.startsWith('-')) continue;
    else files.push(a);
  }
  const file = files[0];
  dir ??= files[1];
  if (file === undefined || dir === undefined) { ctx.rec.problem(`install-info ${args.join(' ')}`); return 0; }
  let data = fs.readFile(file);
  if (data === undefined && fs.exists(file + '.gz')) data = fs.readFile(file + '.gz');
  if (data === undefined) return 1;
  const text = new TextDecoder().decode(data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data);
  const section = /^INFO-DIR-SECTION\s+(.+)$/m.exec(text)?.[1]?.trim() ?? 'Miscellaneous';
  const entry = /^START-INFO-DIR-ENTRY\n([\s\S]*?)\nEND-INFO-DIR-ENTRY/m.exec(text)?.[1];
  if (entry === undefined) { ctx.rec.act(`install-info ${file}: no dir entry`); return 0; }
  // a missing dir file is created with texinfo's standard header, as install-info does
  const cur = readText(fs, dir) ?? DIR_HEADER;
  const firstName = /^\* ([^:]+):/.exec(entry)?.[1];
  if (firstName !== undefined && cur.includes(`* ${firstName}:`)) return 0;
  const lines = cur.replace(/\n+$/, '').split('\n');
  const at = lines.findIndex((l) => l.trim() === section);
  if (at < 0) lines.push('', section, ...entry.split('\n'));
  else {
    // entries stay in alphabetical order within their section
    let pos = at + 1;
    const key = (firstName ?? '').toLowerCase();
    while (pos < lines.length && (lines[pos]!.startsWith('*') || lines[pos]!.startsWith(' '))) {
      const name = /^\* ([^:]+):/.exec(lines[pos]!)?.[1];
      if (name !== undefined && name.toLowerCase() > key) break;
      pos++;
    }
    lines.splice(pos, 0, ...entry.split('\n'));
  }
  lines.push('');
  fs.writeFile(dir, lines.join('\n'), fs.exists(dir) ? {} : { mode: 0o644 });
  ctx.rec.act(`install-info ${file} -> ${dir} (${section})`);
  return 0;
}

/**
 * fix-info-dir [--create] [--delete] DIRFILE (texinfo's tool; RHEL 8's info file trigger runs
 * it): every info file beside the dir file gets its entry, as install-info adds it. On a fresh
 * install --delete has nothing to remove.
 */
export function fixInfoDir(argv: string[], ctx: CommandCtx): number {
  const fs = ctx.env.fs;
  const args = argv.slice(1);
  const dirFile = args.find((a) => !a.startsWith('-')) ?? '/usr/share/info/dir';
  const unknown = args.filter((a) => a.startsWith('-') && !['--create', '--add', '--delete', '-c', '-a', '-d'].includes(a));
  if (unknown.length) { ctx.rec.problem(`fix-info-dir ${args.join(' ')}`); return 0; }
  if (args.includes('--delete') || args.includes('-d')) { ctx.rec.act('fix-info-dir --delete: nothing to remove'); return 0; }
  const create = args.includes('--create') || args.includes('-c');
  if (!fs.exists(dirFile) && !create) return 1; // fix-info-dir: dir file not found
  const dir = dirFile.slice(0, dirFile.lastIndexOf('/')) || '/';
  const infos = fs.list(dir).filter((f) => /\.info(\.(gz|bz2|xz))?$/.test(f) && fs.lstat(`${dir}/${f}`)?.type !== 'dir');
  for (const f of infos) {
    if (/\.(bz2|xz)$/.test(f)) { ctx.rec.problem(`fix-info-dir: ${dir}/${f} is not gzip or plain text`); continue; }
    installInfo(['install-info', `${dir}/${f}`, dirFile], ctx);
  }
  if (!fs.exists(dirFile)) {
    fs.writeFile(dirFile, DIR_HEADER, { mode: 0o644 });
    ctx.rec.act(`fix-info-dir: created ${dirFile}`);
  }
  return 0;
}

/** update-ca-trust: the ca-certificates packages ship the extracted bundles pre-generated. */
export function updateCaTrust(argv: string[], ctx: CommandCtx): number {
  const fs = ctx.env.fs;
  const anchors = ['/etc/pki/ca-trust/source/anchors', '/etc/pki/ca-trust/source/blacklist', '/etc/pki/ca-trust/source/blocklist']
    .flatMap((d) => fs.list(d).map((f) => `${d}/${f}`));
  const bundle = ['/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', '/etc/pki/tls/certs/ca-bundle.crt'].find((p) => fs.exists(p) && (fs.readFile(p)?.length ?? 1) > 0);
  if (anchors.length || bundle === undefined) {
    ctx.rec.problem(`update-ca-trust: ${anchors.length ? `local anchors (${anchors.join(', ')}) not merged` : 'no pre-extracted bundle in the image'}`);
    return 0;
  }
  ctx.rec.act(`update-ca-trust: package bundles already extracted (${bundle})`);
  return 0;
}

/** ca-legacy install (EL7+ ca-certificates %post) */
export function caLegacy(argv: string[], ctx: CommandCtx): number {
  if (argv[1] !== 'install') { ctx.rec.problem(`ca-legacy ${argv.slice(1).join(' ')}`); return 0; }
  const fs = ctx.env.fs;
  const conf = readText(fs, '/etc/pki/ca-trust/ca-legacy.conf') ?? '';
  const disable = /^\s*legacy_disable\s*=\s*yes/m.test(conf);
  const src = `/usr/share/pki/ca-trust-legacy/ca-bundle.legacy.${disable ? 'disable' : 'default'}.crt`;
  const link = '/etc/pki/ca-trust/source/ca-bundle.legacy.crt';
  fs.remove(link);
  if (!fs.exists('/etc/pki/ca-trust/source')) fs.mkdir('/etc/pki/ca-trust/source');
  fs.symlink(src, link);
  ctx.rec.act(`symlink ${link} -> ${src}`);
  return 0;
}

/**
 * build-locale-archive (glibc-common %post, EL5-7): opens locale-archive.tmpl (exits 1 without
 * it, writing nothing), rebuilds locale-archive from it plus any locale directories beside it,
 * truncates the template to 0 bytes and execs tzdata-update. The template holds every locale;
 * with all languages the archive has the same content.
 */
export function buildLocaleArchive(argv: string[], ctx: CommandCtx): number {
  const fs = ctx.env.fs;
  const dir = ['/usr/lib/locale', '/usr/lib64/locale'].find((d) => fs.exists(`${d}/locale-archive.tmpl`));
  if (dir === undefined) {
    ctx.rec.act('build-locale-archive: no locale-archive.tmpl in the image; like the real one, it exits 1 and writes nothing');
    return 1;
  }
  const dirs = fs.list(dir).filter((f) => fs.lstat(`${dir}/${f}`)?.type === 'dir');
  if (dirs.length) ctx.rec.problem(`build-locale-archive: locale directories ${dirs.join(', ')} in ${dir} would be added to the archive; not emulated`);
  const data = fs.readFile(`${dir}/locale-archive.tmpl`)!;
  if (data.length === 0) {
    ctx.rec.act(`build-locale-archive: ${dir}/locale-archive.tmpl is empty (already used); the archive is not rebuilt`);
    return 1;
  }
  fs.writeFile(`${dir}/locale-archive`, data, fs.exists(`${dir}/locale-archive`) ? {} : { mode: 0o644 });
  fs.writeFile(`${dir}/locale-archive.tmpl`, new Uint8Array(0));
  const langs = ctx.env.installLangs;
  if (langs !== undefined && !langs.includes('all')) ctx.rec.problem(`build-locale-archive: ${dir}/locale-archive holds every locale of the template, not only ${langs.join(', ')}`);
  else ctx.rec.act(`build-locale-archive: ${dir}/locale-archive from the template (all locales); the template truncated to 0 bytes`);
  return 0;
}

/** rpm --import KEY (keys become gpg-pubkey headers); rpm -q NAME answers from the transaction. */
export function rpm(argv: string[], ctx: CommandCtx): CommandResult {
  const args = argv.slice(1).filter((a) => !a.startsWith('--root') && a !== '--quiet');
  if (args[0] === '--import') {
    let st = 0;
    for (const p of args.slice(1)) {
      const text = readText(ctx.env.fs, p);
      if (text === undefined || !text.includes('BEGIN PGP PUBLIC KEY BLOCK')) { st = 1; continue; }
      for (const m of text.matchAll(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g)) {
        if (!ctx.env.pubkeys.includes(m[0])) ctx.env.pubkeys.push(m[0]);
      }
      ctx.rec.act(`rpm --import ${p}`);
    }
    return { status: st };
  }
  if (args[0] === '-q' && args.length >= 2 && args.slice(1).every((a) => !a.startsWith('-'))) {
    const missing = args.slice(1).filter((n) => !ctx.env.installed.has(n));
    return { status: missing.length };
  }
  ctx.rec.problem(`rpm ${args.join(' ')}`);
  return { status: 0 };
}

/** command -v / which / type: look in the image's PATH directories. */
export function which(argv: string[], ctx: CommandCtx): CommandResult {
  const names = argv.slice(argv[0] === 'command' ? 2 : 1).filter((a) => !a.startsWith('-'));
  if (argv[0] === 'command' && argv[1] !== '-v') { ctx.rec.problem(`command ${argv.slice(1).join(' ')}`); return { status: 0 }; }
  const out: string[] = [];
  let st = 0;
  for (const n of names) {
    const hit = n.startsWith('/') ? (ctx.env.fs.exists(n) ? n : undefined)
      : ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => `${d}/${n}`).find((p) => ctx.env.fs.exists(p));
    if (hit) out.push(hit + '\n');
    else st = 1;
  }
  return { status: st, stdout: out.join('') };
}
