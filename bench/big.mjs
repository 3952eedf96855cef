// Realistic-size assemble: a ~1 GB repo of ~150 packages made from this host's files (built once
// with rpmbuild + createrepo_c, cached under bench/.out/big-repo keyed by this script's hash),
// served over local HTTP; rootfs-assemble (cold and warm cache) next to `dnf --installroot` + tar.
// Needs rpmbuild, createrepo_c, busybox-static, GNU time; dnf needs root (skipped otherwise).
// Usage: node bench/big.mjs [runs=3] [--xz] [--size=GB] [--no-dnf] [--ours-only] [--prof] [--ab=BEFORE_BIN]
//   --size: regular-file content of the image in GB (default 1.0; one repo is cached per size)
//   --build-only: make (or find) the repo and stop; --ab: see abRounds()
//   -> prints a markdown table and writes bench/RESULTS-big.md (the "latest run" section)
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, timed } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '..');
const OUT = join(ROOT, 'bench/.out');
const argv = process.argv.slice(2);
const runs = Number(argv.find((a) => /^\d+$/.test(a)) ?? 3);
const withDnf = !argv.includes('--no-dnf') && !argv.includes('--ours-only');
const prof = argv.includes('--prof');
const XZ = argv.includes('--xz'); // xz level 2 payloads (EL7/EL8 style) instead of zstd level 3
const SIZE = Number(argv.find((a) => a.startsWith('--size='))?.slice(7) ?? 1);

// ---------------------------------------------------------------- the repo
const SOURCES = ['/usr/lib/x86_64-linux-gnu', '/usr/bin', '/usr/lib/python3.11', '/usr/share/locale', '/usr/share/doc'];
const CAP = SIZE * 1e9;       // bytes of regular-file content in the image
const PER_PKG = 4e6;          // content bytes per package -> ~150 packages
const SAFE = /^[A-Za-z0-9._+@,:=~/-]+$/; // names rpm's %files takes literally (no globs, %, spaces)
const USERS = ['bigsvca', 'bigsvcb', 'bigsvcc', 'bigsvcd'];

// keyed by the repo-building part of this script only, so editing the measuring part keeps the cache
const selfText = readFileSync(SELF, 'utf8');
const buildPart = selfText.slice(selfText.indexOf('// ---------------------------------------------------------------- the repo'), selfText.lastIndexOf('// ---------------------------------------------------------------- serve'));
const hash = createHash('sha256').update(buildPart)
  .update(XZ ? 'xz' : 'zstd').update(String(SIZE)).digest('hex').slice(0, 12);
const REPO = join(OUT, `${XZ ? 'big-repo-xz' : 'big-repo'}${SIZE === 1 ? '' : `-${SIZE}`}`);
const stamp = join(REPO, `.built-${hash}`);

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = `${dir}/${name}`;
    if (!SAFE.test(p)) continue;
    const st = lstatSync(p);
    if (st.isDirectory()) { out.push({ path: p, dir: true, size: 0 }); walk(p, out); }
    else if (st.isFile() || st.isSymbolicLink()) out.push({ path: p, dir: false, size: st.isFile() ? st.size : 0, ino: st.ino, nlink: st.nlink });
  }
}

function planPackages() {
  const all = [];
  for (const s of SOURCES) if (existsSync(s)) { all.push({ path: s, dir: true, size: 0 }); walk(s, all); }
  const dirs = new Set();
  const pkgs = [];
  let total = 0;
  let cur = null;
  const seen = new Set(); // hard links count once (as in the tar), so sizes are what lands on disk
  for (const f of all) {
    if (f.dir) continue;
    if (f.nlink > 1) { if (seen.has(f.ino)) f.size = 0; else seen.add(f.ino); }
    if (total >= CAP) break;
    const src = SOURCES.find((s) => f.path.startsWith(`${s}/`));
    if (!cur || (cur.size > 0 && cur.size + f.size > PER_PKG) || cur.src !== src) {
      const slug = src.replace(/^\/usr\//, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '');
      const n = pkgs.filter((p) => p.src === src).length;
      cur = { name: `big-${slug}-${String(n).padStart(3, '0')}`, src, files: [], size: 0 };
      pkgs.push(cur);
    }
    cur.files.push(f.path);
    cur.size += f.size;
    total += f.size;
    for (let d = dirname(f.path); d !== '/'; d = dirname(d)) dirs.add(d);
  }
  return { pkgs, dirs: [...dirs].sort(), total };
}

const STANDINS = {
  // rpm runs scriptlets with PATH=/sbin:/bin:/usr/sbin:/usr/bin, so these shadow any host binaries
  'sbin/getent': '#!/bin/sh\n/bin/busybox grep -q "^$2:" "/etc/$1" || exit 2\n/bin/busybox grep "^$2:" "/etc/$1"\n',
  'sbin/groupadd': '#!/bin/sh\nfor a; do n=$a; done\nid=$((900 + $(/bin/busybox wc -l < /etc/group)))\necho "$n:x:$id:" >> /etc/group\n',
  'sbin/useradd': '#!/bin/sh\ng=; for a; do [ "$p" = -g ] && g=$a; p=$a; n=$a; done\n'
    + 'gid=$(/bin/busybox grep "^$g:" /etc/group | /bin/busybox cut -d: -f3)\nid=$((900 + $(/bin/busybox wc -l < /etc/passwd)))\n'
    + 'echo "$n:x:$id:${gid:-0}::/var/lib/$n:/sbin/nologin" >> /etc/passwd\n',
};

function buildRepo() {
  const t0 = Date.now();
  const { pkgs, dirs, total } = planPackages();
  const top = join(OUT, 'big-build');
  rmSync(top, { recursive: true, force: true });
  rmSync(REPO, { recursive: true, force: true });
  const bdir = join(top, 'BUILD');
  mkdirSync(bdir, { recursive: true });
  mkdirSync(REPO, { recursive: true });
  const rel = (p) => p.slice(1);
  // base: directories, busybox as /bin/sh, static ldconfig, account stand-ins, passwd/group
  const base = ['%dir /bin', '%dir /sbin', '%dir /etc', '%dir /var', '%dir /var/lib', '/bin/busybox', '/bin/sh', '/sbin/ldconfig',
    ...Object.keys(STANDINS).map((p) => `/${p}`), '%config(noreplace) /etc/passwd', '%config(noreplace) /etc/group',
    ...dirs.map((d) => `%dir ${d}`)];
  writeFileSync(join(bdir, 'big-filesystem.list'), base.join('\n') + '\n');
  writeFileSync(join(bdir, 'content.list'), [...dirs, ...pkgs.flatMap((p) => p.files)].map(rel).join('\n') + '\n');
  const spec = [
    '%define debug_package %{nil}', '%define __os_install_post %{nil}', '%define __spec_install_post %{nil}',
    '%define _build_id_links none', '%define _unpackaged_files_terminate_build 0',
    'Name: big-filesystem', 'Version: 1.0', 'Release: 1', 'Summary: base of the big bench image', 'License: MIT',
    'AutoReqProv: no', '%description', 'Directories, a static /bin/sh and account stand-ins.',
    '%install',
    'mkdir -p $RPM_BUILD_ROOT/bin $RPM_BUILD_ROOT/sbin $RPM_BUILD_ROOT/etc $RPM_BUILD_ROOT/var/lib',
    `tar --no-recursion -C / -T ${join(bdir, 'content.list')} -cf - | tar -C $RPM_BUILD_ROOT -xpf -`,
    'cp /bin/busybox $RPM_BUILD_ROOT/bin/busybox', 'ln -s busybox $RPM_BUILD_ROOT/bin/sh', 'cp /sbin/ldconfig $RPM_BUILD_ROOT/sbin/ldconfig',
    ...Object.entries(STANDINS).map(([p, body]) => `printf '%%s' '${body.replace(/'/g, `'\\''`)}' > $RPM_BUILD_ROOT/${p}; chmod 755 $RPM_BUILD_ROOT/${p}`),
    "printf 'root:x:0:0:root:/root:/bin/sh\\n' > $RPM_BUILD_ROOT/etc/passwd",
    "printf 'root:x:0:\\n' > $RPM_BUILD_ROOT/etc/group",
    ...USERS.map((u) => `mkdir -p $RPM_BUILD_ROOT/var/lib/${u}`),
    '%files -f big-filesystem.list',
  ];
  // dependency graph: a chain (each needs the previous), plus a versioned and a virtual-capability edge
  pkgs.forEach((p, i) => {
    const req = ['Requires(pre): big-filesystem'];
    if (i > 0) req.push(`Requires: ${pkgs[i - 1].name} >= 1.0-1`);
    if (i > 3) req.push(`Requires: big-cap(${(i * 7919) % (i - 1)})`);
    spec.push(`%package -n ${p.name}`, `Summary: ${p.src} part ${p.name}`, ...req, `Provides: big-cap(${i})`, 'AutoReqProv: no',
      `%description -n ${p.name}`, `Files from ${p.src}.`);
    const u = i % 23 === 5 ? USERS[(i - 5) / 23] : undefined; // a few %pre useradd, one per user
    if (u) {
      spec.push(`%pre -n ${p.name}`, `getent group ${u} >/dev/null || groupadd -r ${u}`,
        `getent passwd ${u} >/dev/null || useradd -r -g ${u} -d /var/lib/${u} -s /sbin/nologin ${u}`, 'exit 0');
    }
    if (p.src.includes('x86_64-linux-gnu') && i % 5 === 0) spec.push(`%post -n ${p.name} -p /sbin/ldconfig`);
    const list = p.files.map((f) => (f.endsWith('.conf') ? `%config ${f}` : f));
    if (u) list.push(`%dir %attr(0750,${u},${u}) /var/lib/${u}`);
    writeFileSync(join(bdir, `${p.name}.list`), list.join('\n') + '\n');
    spec.push(`%files -n ${p.name} -f ${p.name}.list`);
  });
  spec.push('%package -n bigimage', 'Summary: everything', `Requires: ${pkgs.at(-1).name}`, 'AutoReqProv: no',
    '%description -n bigimage', 'Pulls in the whole image.', '%files -n bigimage');
  const specPath = join(top, 'big.spec');
  writeFileSync(specPath, spec.join('\n') + '\n');
  const defs = {
    _topdir: top, _builddir: bdir, _rpmdir: REPO, _binary_payload: XZ ? 'w2.xzdio' : 'w3.zstdio',
    _binary_filedigest_algorithm: '8', _source_filedigest_algorithm: '8', _dbpath: join(top, 'db'),
    _buildhost: 'bench.local', source_date_epoch_from_changelog: '0',
  };
  const rb = spawnSync('rpmbuild', ['-bb', '--quiet', ...Object.entries(defs).flatMap(([k, v]) => ['--define', `${k} ${v}`]), specPath],
    { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  // host symlinks like /usr/bin/vi -> /etc/alternatives/vi make one warning each: not news
  process.stderr.write(rb.stderr.toString().split('\n').filter((l) => l && !l.includes('absolute symlink')).map((l) => `${l}\n`).join(''));
  if (rb.status !== 0) throw new Error(`rpmbuild failed (${rb.status})`);
  execFileSync('createrepo_c', ['-q', REPO], { stdio: 'inherit' });
  rmSync(top, { recursive: true, force: true });
  writeFileSync(stamp, `${pkgs.length + 2} packages, ${total} content bytes, built in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

if (!existsSync(stamp)) {
  process.stderr.write(`building the big repo (once; cached in ${REPO})...\n`);
  buildRepo();
}
const repoInfo = readFileSync(stamp, 'utf8').trim();
process.stderr.write(`repo: ${repoInfo}\n`);
if (argv.includes('--build-only')) process.exit(0);

// ---------------------------------------------------------------- serve + measure
const server = createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const file = join(REPO, rel);
  if (!file.startsWith(REPO) || !existsSync(file) || statSync(file).isDirectory()) { res.statusCode = 404; res.end(); return; }
  res.setHeader('content-length', statSync(file).size);
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const W = join(OUT, 'big-work');
const isRoot = process.getuid?.() === 0;
const dnfOk = withDnf && isRoot;
if (withDnf && !isRoot) process.stderr.write('dnf needs root: skipping dnf --installroot\n');
// RFS_BIN: measure another build of the launcher (e.g. one compiled into a private outDir)
const BIN = process.env.RFS_BIN ?? join(ROOT, 'bin/rootfs-assemble.js');
const ours = (cache, tar, extra = [], bin = BIN) => [bin, ...extra, '--repofrompath', `big,${url}`, '--rpmdb', 'sqlite',
  '--no-default-packages', 'bigimage', '-o', tar, '--cache-dir', cache, '-q'];
// --ab=BEFORE_BIN: before (that launcher) against after (BIN), cold and warm, alternating which
// goes first each round; with dnf (as iteration() runs it) and the decoding floor (rpm2cpio of
// every package to /dev/null, one after another) in the same rounds. One markdown row each:
// mean wall, mean CPU (user+sys, children included), highest peak RSS, ratios to dnf and floor.
const AB = argv.find((a) => a.startsWith('--ab='))?.slice(5);

// the decoding floor: rpm2cpio of every package to /dev/null, one after another
const rpms = () => readdirSync(REPO, { recursive: true }).filter((f) => f.endsWith('.rpm')).map((f) => `'${join(REPO, f)}'`);
const floorRun = () => timed('sh', ['-c', `for f in ${rpms().join(' ')}; do rpm2cpio "$f" >/dev/null || exit 1; done`]);

async function abRounds() {
  const res = { before: [], after: [], dnf: [], floor: [] };
  for (let i = 0; i < runs; i++) {
    for (const side of i % 2 ? ['after', 'before'] : ['before', 'after']) {
      rmSync(W, { recursive: true, force: true });
      mkdirSync(W, { recursive: true });
      const bin = side === 'before' ? AB : BIN;
      const tar = join(W, 'ours.tar');
      const cold = await timed(process.execPath, ours(join(W, 'cache'), tar, [], bin), env);
      const sha = createHash('sha256');
      for await (const c of createReadStream(tar)) sha.update(c);
      rmSync(tar);
      const warm = await timed(process.execPath, ours(join(W, 'cache'), tar, [], bin), env);
      res[side].push({ cold, warm, sha: sha.digest('hex').slice(0, 12) });
      process.stderr.write(`round ${i + 1} ${side}: ${JSON.stringify(res[side].at(-1))}\n`);
    }
    if (dnfOk) res.dnf.push((await iteration(false)).dnf);
    res.floor.push(await floorRun());
    process.stderr.write(`round ${i + 1} dnf ${JSON.stringify(res.dnf.at(-1))} floor ${JSON.stringify(res.floor.at(-1))}\n`);
  }
  const label = `${(SIZE).toFixed(1)} GB ${XZ ? 'xz-2' : 'zstd-3'}`;
  const mean = (xs, f) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
  const dnfS = dnfOk ? mean(res.dnf, (x) => x.s) : NaN;
  const floorS = mean(res.floor, (x) => x.s);
  const floorC = mean(res.floor, (x) => x.cpu);
  const cell = (xs, k) => {
    const s = mean(xs, (x) => x[k].s);
    const c = mean(xs, (x) => x[k].cpu);
    return `${s.toFixed(1)} s / ${c.toFixed(1)} s / ${Math.max(...xs.map((x) => x[k].mb)).toFixed(0)} MB | ${(s / dnfS).toFixed(2)}x | ${(s / floorS).toFixed(2)}x / ${(c / floorC).toFixed(2)}x`;
  };
  const head = '| image | tree | cold: wall / CPU / RSS | cold/dnf | cold/floor wall / CPU | warm: wall / CPU / RSS | warm/dnf | warm/floor wall / CPU | output sha256 |\n|---|---|---|---|---|---|---|---|---|';
  const rows = ['before', 'after'].map((side) => `| ${label} | ${side} | ${cell(res[side], 'cold')} | ${cell(res[side], 'warm')} | ${[...new Set(res[side].map((x) => x.sha))].join(', ')} |`);
  const refs = `dnf --installroot + tar: ${dnfOk ? `${dnfS.toFixed(1)} s wall / ${mean(res.dnf, (x) => x.cpu).toFixed(1)} s CPU` : 'skipped'}; floor (rpm2cpio of all ${rpms().length} packages): ${floorS.toFixed(1)} s wall / ${floorC.toFixed(1)} s CPU; means of ${runs} rounds`;
  return [head, ...rows, '', refs].join('\n');
}
const env = { SOURCE_DATE_EPOCH: '1700000000' };

async function iteration(withOurs = true) {
  rmSync(W, { recursive: true, force: true });
  mkdirSync(W, { recursive: true });
  const r = {};
  const tar = join(W, 'ours.tar');
  if (withOurs) {
    r.cold = await timed(process.execPath, ours(join(W, 'cache'), tar), env);
    r.bytes = statSync(tar).size;
    // untimed, as dnf's installroot and tar are removed before its run: replacing a cached 1 GB
    // file costs ~0.5 s of the rename (the kernel frees its pages), which is not the build's work
    rmSync(tar);
    r.warm = await timed(process.execPath, ours(join(W, 'cache'), tar), env);
  }
  if (dnfOk) {
    const inst = join(W, 'root');
    const dnfArgs = [`--installroot=${inst}`, `--repofrompath=big,${url}`, '--disablerepo=*', '--enablerepo=big', '--releasever=1',
      `--setopt=cachedir=${join(W, 'dnfcache')}`, '--setopt=install_weak_deps=False', '--setopt=reposdir=/nonexistent',
      '--nogpgcheck', '-y', '-q', 'install', 'bigimage'];
    const script = `dnf ${dnfArgs.map((a) => `'${a}'`).join(' ')} >${join(W, 'dnf.log')} 2>&1 || exit 1; tar -C '${inst}' -cf '${join(W, 'dnf.tar')}' .`;
    r.dnf = await timed('sh', ['-c', script]);
    r.dnfBytes = statSync(join(W, 'dnf.tar')).size;
  }
  if (withOurs) r.floor = await floorRun();
  return r;
}

let table = '';
try {
  if (AB) {
    process.stdout.write(`${await abRounds()}\n`);
  } else if (prof) {
    // one warm-cache run under the CPU profiler (after a cold run fills the cache)
    rmSync(W, { recursive: true, force: true });
    mkdirSync(W, { recursive: true });
    const tar = join(W, 'ours.tar');
    await timed(process.execPath, ours(join(W, 'cache'), tar), env);
    const pdir = join(OUT, 'prof');
    rmSync(pdir, { recursive: true, force: true });
    const r = await timed(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${pdir}`, ...ours(join(W, 'cache'), tar)], env);
    process.stdout.write(`profiled warm run: ${r.s} s, ${r.mb.toFixed(0)} MB; profile in ${pdir}\n`);
  } else {
    process.stderr.write('warm-up iteration...\n');
    await iteration();
    const res = [];
    for (let i = 0; i < runs; i++) { res.push(await iteration()); process.stderr.write(`run ${i + 1}/${runs}: ${JSON.stringify(res.at(-1))}\n`); }
    const t = (k) => median(res.map((x) => x[k].s));
    const m = (k) => Math.max(...res.map((x) => x[k].mb));
    const c = (k) => median(res.map((x) => x[k].cpu));
    const cell = (k) => `${t(k).toFixed(1)} s / ${c(k).toFixed(1)} s / ${m(k).toFixed(0)} MB`;
    const vsFloor = (k) => `${(t(k) / t('floor')).toFixed(2)}x / ${(c(k) / c('floor')).toFixed(2)}x`;
    const gb = (res[0].bytes / 1e9).toFixed(2);
    const dnfV = dnfOk ? execFileSync('dnf', ['--version']).toString().split('\n')[0] : 'skipped';
    table = [
      `Big image: ${repoInfo}; image ${gb} GB tar (${repoInfo.split(' ')[0]} packages, ${XZ ? 'xz-2' : 'zstd-3'} payloads, sha256 file digests),`,
      `local HTTP mirror; median of ${runs} after one warm-up; wall / CPU (user+sys, children included) / peak RSS; floor = rpm2cpio of every package;`,
      `node ${process.version}, dnf ${dnfV}, 2 shared cores.`,
      '',
      '| image | packages | rootfs-assemble cold cache | rootfs-assemble warm cache | dnf --installroot + tar | floor | ratio cold/dnf | ratio warm/dnf | cold/floor wall / CPU | warm/floor wall / CPU |',
      '|---|---|---|---|---|---|---|---|---|---|',
      `| ${gb} GB | ${repoInfo.split(' ')[0]} | ${cell('cold')} | ${cell('warm')} | ${dnfOk ? cell('dnf') : 'skipped'} | ${cell('floor')} | ${dnfOk ? `${(t('cold') / t('dnf')).toFixed(2)}x` : '-'} | ${dnfOk ? `${(t('warm') / t('dnf')).toFixed(2)}x` : '-'} | ${vsFloor('cold')} | ${vsFloor('warm')} |`,
    ].join('\n');
    process.stdout.write(table + '\n');
  }
} finally {
  server.close();
}
if (table) {
  const file = join(ROOT, 'bench/RESULTS-big.md');
  const prev = existsSync(file) ? readFileSync(file, 'utf8') : '';
  // one section per payload kind, replaced in place; the text above the first section is kept
  const marker = `<!-- latest run (bench/big.mjs${XZ ? ' --xz' : ''}${SIZE === 1 ? '' : ` --size=${SIZE}`}) -->`;
  const at = prev.indexOf(marker);
  const next = at < 0 ? -1 : prev.indexOf('<!-- latest run', at + marker.length);
  const before = at < 0 ? `${prev.trimEnd()}\n\n` : prev.slice(0, at);
  const after = next < 0 ? '' : `\n${prev.slice(next)}`;
  writeFileSync(file, `${before}${marker}\n${table}\n${after}`);
}
