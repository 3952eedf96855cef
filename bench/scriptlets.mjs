#!/usr/bin/env node
// Scriptlet emulation against the real thing. Workload: the %pre/%post chain of 8 small
// packages whose scriptlets are real distro idioms (useradd/groupadd with getent guards,
// %sysusers_create_compat, usermod, gpasswd, mkdir/ln/chmod/chown/sed/install), the same
// set test/scriptlets/dnf-compare.test.ts checks for equal results.
//  - ours: emulateScriptlets on an in-memory image (median of RUNS x ITER)
//  - peer: `dnf --installroot` of the same repo as root, scriptlets executed in a chroot
//    (needs root, dnf, rpmbuild, createrepo_c, busybox-static; skipped otherwise). dnf also
//    resolves, unpacks and writes its rpmdb; the rpm-only peer (`rpm --root -i --nodeps
//    --noscripts` vs with scripts) isolates the scriptlet cost.
// Also: emulation of every scriptlet in the fixture repos (test/fixtures cache), if built.
//   npx tsc -p . && node bench/scriptlets.mjs        (RFS_DIST=/other/dist for another build)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.RFS_DIST ?? join(HERE, '..', 'dist'));
const RUNS = Number(process.env.RUNS ?? 3);
const ITER = Number(process.env.ITER ?? 200);
const SDE = 1_700_000_000;
const { emulateScriptlets } = await import(pathToFileURL(join(DIST, 'scriptlets/index.js')).href);
const { ImageTree } = await import(pathToFileURL(join(DIST, 'assemble/tree.js')).href);

const BASE = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\nmail:x:8:12:mail:/var/spool/mail:/sbin/nologin\n',
  '/etc/group': 'root:x:0:\nbin:x:1:\ndaemon:x:2:\ntty:x:5:\nmail:x:12:mail\nwheel:x:10:\nusers:x:100:\n',
  '/etc/shadow': 'root:!!:19000:0:99999:7:::\n',
  '/etc/gshadow': 'root:::\nbin:::\ndaemon:::\ntty:::\nmail:::mail\nwheel:::\nusers:::\n',
  '/etc/login.defs': 'MAIL_DIR\t/var/spool/mail\nUID_MIN\t1000\nSYS_UID_MIN\t201\nSYS_UID_MAX\t999\nGID_MIN\t1000\nSYS_GID_MIN\t201\nSYS_GID_MAX\t999\nCREATE_HOME\tyes\nUMASK\t077\nUSERGROUPS_ENAB yes\n',
  '/etc/default/useradd': 'GROUP=100\nHOME=/home\nSHELL=/bin/bash\nSKEL=/etc/skel\nCREATE_MAIL_SPOOL=yes\n',
  '/etc/skel/.bashrc': '# .bashrc\n',
  '/etc/nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\ngshadow: files\n',
};
const CHAIN = [
  ['acct-httpd', '/usr/sbin/useradd -c "Apache" -u 48 -s /sbin/nologin -r -d /var/www apache 2> /dev/null || :\n', ''],
  ['acct-nscd', '/usr/sbin/groupadd -r -g 28 nscd 2>/dev/null || :\n/usr/sbin/useradd -r -u 28 -g nscd -d / -s /sbin/nologin -c "NSCD Daemon" nscd 2>/dev/null || :\n', ''],
  ['acct-dbus', 'getent group dbus >/dev/null || /usr/sbin/groupadd -r dbus\ngetent passwd dbus >/dev/null || /usr/sbin/useradd -r -g dbus -d / -s /sbin/nologin -c "System message bus" dbus\nexit 0\n', ''],
  ['acct-sshd', 'getent group sshd >/dev/null || groupadd -g 74 -r sshd || :\ngetent passwd sshd >/dev/null || useradd -c "Privilege-separated SSH" -u 74 -g sshd -s /sbin/nologin -r -d /var/empty/sshd sshd 2> /dev/null || :\n', ''],
  ['acct-compat', "getent group 'systemd-coredump' >/dev/null || groupadd -r 'systemd-coredump' || :\ngetent passwd 'systemd-coredump' >/dev/null || useradd -r -g 'systemd-coredump' -d '/' -s '/sbin/nologin' -c 'systemd Core Dumper' 'systemd-coredump' || :\n", ''],
  ['acct-user', 'getent passwd ci >/dev/null || useradd -G wheel -c "CI user" ci\nusermod -a -G users ci\ngpasswd -a daemon tty >/dev/null\n', ''],
  ['acct-files', '', 'mkdir -p /var/lib/acct/sub\nln -s ../lib/acct /var/acct-link\ntouch /var/lib/acct/stamp\nchmod 0640 /var/lib/acct/stamp\nchown ci:ci /var/lib/acct/stamp\necho hello >> /etc/acct.conf\nsed -i -e \'s/^hello$/bye/\' /etc/acct.conf\ninstall -m 600 /dev/null /var/log/acct.log\n'],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function freshTree() {
  const t = new ImageTree(SDE);
  for (const [p, c] of Object.entries(BASE)) t.writeFile(p, c);
  for (const d of ['/home', '/var/spool/mail', '/var/log', '/var/lib']) t.mkdir(d);
  return t;
}
const chainPkgs = CHAIN.map(([name, pre, post]) => ({
  nevra: `${name}-1-1.noarch`, name,
  meta: { name, epoch: null, version: '1', release: '1', provides: [], triggers: [],
    scriptlets: [...(pre ? [{ kind: 'pre', prog: ['/bin/sh'], body: pre }] : []), ...(post ? [{ kind: 'post', prog: ['/bin/sh'], body: post }] : [])] },
}));

function timeOurs(pkgs, iter) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iter; i++) emulateScriptlets(pkgs, freshTree(), { sourceDateEpoch: SDE });
    runs.push((performance.now() - t0) / iter);
  }
  return median(runs);
}

const rows = [];
const nScripts = chainPkgs.reduce((n, p) => n + p.meta.scriptlets.length, 0);
const ours = timeOurs(chainPkgs, ITER);
rows.push([`emulateScriptlets, ${chainPkgs.length} packages / ${nScripts} scriptlets`, ours, null]);

// peer: dnf --installroot with real scriptlets
const have = (c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0;
if (process.getuid?.() === 0 && have('dnf') && have('rpmbuild') && have('createrepo_c') && existsSync('/bin/busybox')) {
  const work = mkdtempSync(join(tmpdir(), 'rfs-bench-sc-'));
  const repo = join(work, 'repo');
  mkdirSync(repo);
  const specHead = (name, req) => `Name: ${name}\nVersion: 1\nRelease: 1\nSummary: ${name}\nLicense: MIT\nBuildArch: noarch\n${req ? `Requires(pre): ${req}\n` : 'Provides: /bin/sh\n'}%description\n${name}\n`;
  let base = specHead('acct-base', null) + '%install\n';
  let files = '%files\n';
  for (const [p, c] of Object.entries(BASE)) {
    base += `mkdir -p %{buildroot}${dirname(p)}\ncat > %{buildroot}${p} <<'EOF_RFS'\n${c}EOF_RFS\n`;
    files += `%config(noreplace) ${p}\n`;
  }
  base += 'mkdir -p %{buildroot}/home %{buildroot}/var/spool/mail %{buildroot}/var/log %{buildroot}/var/lib\n';
  files += '%dir /home\n%dir /var/spool/mail\n%dir /var/log\n%dir /var/lib\n';
  const specs = [['acct-base', base + files]];
  let prev = 'acct-base';
  for (const [name, pre, post] of CHAIN) {
    specs.push([name, specHead(name, prev) + (pre ? `%pre\n${pre}` : '') + (post ? `%post\n${post}` : '') + '%files\n']);
    prev = name;
  }
  for (const [name, text] of specs) {
    writeFileSync(join(work, `${name}.spec`), text.replace(/%(?!\{|install|files|dir|config|description|pre|post)/g, '%%'));
    execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${join(work, 'top')}`, '--define', `_rpmdir ${repo}`, '--define', '_build_name_fmt %%{NAME}.rpm', join(work, `${name}.spec`)], { stdio: 'pipe' });
  }
  execFileSync('createrepo_c', ['--quiet', repo]);
  const prepRoot = (root) => {
    for (const d of ['bin', 'usr/bin', 'usr/sbin', 'dev', 'etc']) mkdirSync(join(root, d), { recursive: true });
    execFileSync('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']);
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    for (const a of ['sh', 'mkdir', 'ln', 'touch', 'chmod', 'chown', 'sed']) symlinkSync('busybox', join(root, 'bin', a));
    for (const b of ['/usr/sbin/useradd', '/usr/sbin/groupadd', '/usr/sbin/usermod', '/usr/bin/gpasswd', '/usr/bin/getent', '/usr/bin/install']) {
      copyFileSync(b, join(root, b));
      for (const m of execFileSync('ldd', [b], { encoding: 'utf8' }).matchAll(/(\/[^\s)]+)/g)) {
        mkdirSync(join(root, dirname(m[1])), { recursive: true });
        if (!existsSync(join(root, m[1]))) copyFileSync(m[1], join(root, m[1]));
      }
    }
  };
  const dnfRuns = [];
  const rpmScripts = [];
  const rpmNoScripts = [];
  const rpms = readdirSync(repo).filter((f) => f.endsWith('.rpm')).map((f) => join(repo, f));
  for (let r = 0; r < RUNS; r++) {
    const root = join(work, `root-${r}`);
    prepRoot(root);
    const t0 = performance.now();
    const d = spawnSync('dnf', ['-y', '-q', `--installroot=${root}`, '--releasever=7', '--disablerepo=*', `--repofrompath=acct,file://${repo}`, '--enablerepo=acct', '--nogpgcheck',
      `--setopt=cachedir=${join(work, 'cache')}`, '--setopt=reposdir=/nonexistent', 'install', 'acct-files'], { env: { ...process.env, SOURCE_DATE_EPOCH: String(SDE) } });
    dnfRuns.push(performance.now() - t0);
    if (d.status !== 0) throw new Error(`dnf: ${d.stderr}`);
    for (const [list, extra] of [[rpmScripts, []], [rpmNoScripts, ['--noscripts']]]) {
      const root2 = join(work, `rpm-${r}-${extra.length}`);
      prepRoot(root2);
      const t1 = performance.now();
      const x = spawnSync('rpm', ['--root', root2, '-i', '--nodeps', '--nosignature', ...extra, ...rpms]);
      list.push(performance.now() - t1);
      if (x.status !== 0) throw new Error(`rpm: ${x.stderr}`);
    }
  }
  rows.push(['dnf --installroot (resolve + unpack + scriptlets + rpmdb)', median(dnfRuns), median(dnfRuns) / ours]);
  const scriptCost = median(rpmScripts) - median(rpmNoScripts);
  rows.push(['rpm --root -i with scriptlets', median(rpmScripts), median(rpmScripts) / ours]);
  rows.push(['rpm --root -i --noscripts', median(rpmNoScripts), null]);
  rows.push(['scriptlet cost under rpm (difference of the two)', scriptCost, scriptCost / ours]);
  rmSync(work, { recursive: true, force: true });
} else rows.push(['dnf/rpm peers', NaN, null]);

// every scriptlet of the fixture repos (real CentOS 4 / 7 idioms), on an image with the base files
const cache = join(HERE, '../test/fixtures/.cache');
const cur = existsSync(join(cache, 'current')) ? join(cache, readFileSync(join(cache, 'current'), 'utf8').trim(), 'repos') : null;
if (cur && have('rpm')) {
  const pkgs = [];
  for (const dir of ['el4-os/CentOS/RPMS', 'el7-os/Packages'].map((d) => join(cur, d)).filter(existsSync)) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.rpm'))) {
      const out = execFileSync('rpm', ['-qp', '--qf', '%{NAME}@@RFS@@%{PREINPROG}@@RFS@@%{PREIN}@@RFS@@%{POSTINPROG}@@RFS@@%{POSTIN}', join(dir, f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('@@RFS@@');
      const [name, preProg, pre, postProg, post] = out;
      const sc = [];
      for (const [kind, prog, body] of [['pre', preProg, pre], ['post', postProg, post]]) {
        const b = body === '(none)' ? '' : body;
        const p = prog === '(none)' ? '' : prog;
        if (b || p) sc.push({ kind, prog: [p || '/bin/sh'], body: b });
      }
      pkgs.push({ nevra: f, name, meta: { name, epoch: null, version: '1', release: '1', provides: [], triggers: [], scriptlets: sc } });
    }
  }
  const n = pkgs.reduce((k, p) => k + p.meta.scriptlets.length, 0);
  rows.push([`emulateScriptlets, fixture repos el4-os + el7-os (${pkgs.length} packages / ${n} scriptlets)`, timeOurs(pkgs, Math.max(10, ITER / 10)), null]);
}

let md = `| workload | ms (median of ${RUNS}) | ratio to our emulation |\n|---|---:|---:|\n`;
for (const [what, ms, ratio] of rows) md += `| ${what} | ${Number.isNaN(ms) ? 'skipped' : ms.toFixed(ms < 10 ? 3 : 1)} | ${ratio === null ? '' : `${ratio.toFixed(0)}x`} |\n`;
process.stdout.write(md);
if (process.env.WRITE_RESULTS) writeFileSync(join(HERE, 'RESULTS-scriptlets.md'), `# Scriptlet emulation\n\nMachine: shared 2-core VM, Node ${process.version}. \`node bench/scriptlets.mjs\`.\n\n${md}`);
