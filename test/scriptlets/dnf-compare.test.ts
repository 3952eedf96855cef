// Emulation vs. real scriptlets: the same small repo installed by `dnf --installroot` (as
// root, scriptlets executed) and by our emulation; account files, homes, modes, owners and
// symlinks must agree.
//
// The fixture repos' useradd is a do-nothing stand-in, so this test builds its own repo
// (rpmbuild + createrepo_c) whose scriptlets use the real idioms, and gives the installroot
// working tools before dnf runs: static busybox for sh/mkdir/ln/sed, and the host's
// shadow-utils (useradd/groupadd/usermod/gpasswd), getent and install with their shared libraries.
// The host's shadow-utils is Debian's upstream build, not Red Hat's: Red Hat patches the
// default locked password of useradd/groupadd to "!!" (upstream: "!"), so that one field
// is compared after mapping "!" to "!!". Everything else is compared as is.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageTree } from '../../src/assemble/tree.js';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import type { ScriptletPackage } from '../../src/scriptlets/index.js';

const SDE = 1_700_000_000;
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const why = process.getuid?.() !== 0 ? 'needs root (dnf --installroot runs scriptlets in a chroot)'
  : !have('dnf') ? 'dnf not installed' : !have('rpmbuild') || !have('createrepo_c') ? 'rpmbuild/createrepo_c not installed'
  : !existsSync('/bin/busybox') || !existsSync('/usr/sbin/useradd') || !existsSync('/usr/bin/getent') ? 'busybox-static or the host shadow-utils/getent missing' : '';
if (why) console.warn(`skipping the dnf comparison: ${why}`);

const LOGIN_DEFS = 'MAIL_DIR\t/var/spool/mail\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\nUID_MIN\t1000\nUID_MAX\t60000\nSYS_UID_MIN\t201\nSYS_UID_MAX\t999\nGID_MIN\t1000\nGID_MAX\t60000\nSYS_GID_MIN\t201\nSYS_GID_MAX\t999\nCREATE_HOME\tyes\nUMASK\t077\nUSERGROUPS_ENAB yes\n';
const BASE_FILES: Record<string, [string, string]> = {
  '/etc/passwd': ['0644', 'root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\nmail:x:8:12:mail:/var/spool/mail:/sbin/nologin\nnobody:x:99:99:Nobody:/:/sbin/nologin\n'],
  '/etc/group': ['0644', 'root:x:0:\nbin:x:1:\ndaemon:x:2:\ntty:x:5:\nmail:x:12:mail\nwheel:x:10:\nnobody:x:99:\nusers:x:100:\n'],
  '/etc/shadow': ['0000', 'root:!!:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nmail:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n'],
  '/etc/gshadow': ['0000', 'root:::\nbin:::\ndaemon:::\ntty:::\nmail:::mail\nwheel:::\nnobody:::\nusers:::\n'],
  '/etc/login.defs': ['0644', LOGIN_DEFS],
  '/etc/default/useradd': ['0600', 'GROUP=100\nHOME=/home\nINACTIVE=-1\nEXPIRE=\nSHELL=/bin/bash\nSKEL=/etc/skel\nCREATE_MAIL_SPOOL=yes\n'],
  '/etc/skel/.bashrc': ['0644', '# .bashrc\n'],
  '/etc/nsswitch.conf': ['0644', 'passwd: files\ngroup: files\nshadow: files\ngshadow: files\n'],
};

// scriptlets in the distros' own words (see idioms.test.ts for their sources)
const PKGS: { name: string; pre?: string; post?: string }[] = [
  { name: 'acct-httpd', pre: '# Add the "apache" user\n/usr/sbin/useradd -c "Apache" -u 48 \\\n\t-s /sbin/nologin -r -d /var/www apache 2> /dev/null || :\n' },
  { name: 'acct-nscd', pre: '/usr/sbin/groupadd -r -g 28 nscd 2>/dev/null || :\n/usr/sbin/useradd -r -u 28 -g nscd -d / -s /sbin/nologin -c "NSCD Daemon" nscd 2>/dev/null || :\n' },
  { name: 'acct-dbus', pre: 'getent group dbus >/dev/null || /usr/sbin/groupadd -r dbus\ngetent passwd dbus >/dev/null || /usr/sbin/useradd -r -g dbus -d / -s /sbin/nologin -c "System message bus" dbus\nexit 0\n' },
  { name: 'acct-sshd', pre: 'getent group ssh_keys >/dev/null || groupadd -r ssh_keys || :\ngetent group sshd >/dev/null || groupadd -g 74 -r sshd || :\ngetent passwd sshd >/dev/null || \\\n  useradd -c "Privilege-separated SSH" -u 74 -g sshd \\\n  -s /sbin/nologin -r -d /var/empty/sshd sshd 2> /dev/null || :\n' },
  { name: 'acct-compat', pre: "getent group 'systemd-coredump' >/dev/null || groupadd -r 'systemd-coredump' || :\ngetent passwd 'systemd-coredump' >/dev/null || \\\n    useradd -r -g 'systemd-coredump' -d '/' -s '/sbin/nologin' -c 'systemd Core Dumper' 'systemd-coredump' || :\n" },
  { name: 'acct-user', pre: 'getent passwd ci >/dev/null || useradd -G wheel -c "CI user" ci\nusermod -a -G users ci\ngpasswd -a daemon tty >/dev/null\n' },
  { name: 'acct-files', post: 'mkdir -p /var/lib/acct/sub\nln -s ../lib/acct /var/acct-link\ntouch /var/lib/acct/stamp\nchmod 0640 /var/lib/acct/stamp\nchown ci:ci /var/lib/acct/stamp\necho hello >> /etc/acct.conf\nsed -i -e \'s/^hello$/bye/\' /etc/acct.conf\ninstall -m 600 /dev/null /var/log/acct.log\n[ -x /usr/bin/systemctl ] && systemctl preset acct.service || :\n' },
];

function spec(name: string, requires: string | null, body: string): string {
  const esc = (s: string) => s.replace(/%/g, '%%');
  return `Name: ${name}\nVersion: 1\nRelease: 1\nSummary: ${name}\nLicense: MIT\nBuildArch: noarch\n${requires ? `Requires(pre): ${requires}\n` : ''}%description\n${name}\n${esc(body)}\n`;
}

function baseSpec(): string {
  let install = '%install\n';
  let files = '%files\n';
  for (const [p, [mode, content]] of Object.entries(BASE_FILES)) {
    install += `mkdir -p %{buildroot}${dirname(p)}\ncat > %{buildroot}${p} <<'EOF_RFS'\n${content}EOF_RFS\n`;
    files += `%attr(${mode},root,root) %config(noreplace) ${p}\n`;
  }
  install += 'mkdir -p %{buildroot}/home %{buildroot}/var/spool/mail %{buildroot}/var/log %{buildroot}/var/lib\n';
  files += '%dir /home\n%dir /var/spool/mail\n%dir /var/log\n%dir /var/lib\n';
  // /bin/sh is busybox, placed in the installroot before dnf runs
  return spec('acct-base', null, '').replace('%description', 'Provides: /bin/sh\n%description') + install + files;
}

describe.skipIf(why !== '')('emulation vs dnf --installroot', () => {
  let work = '';
  let repo = '';
  const dnfRoot = () => join(work, 'dnf-root');
  const tree = new ImageTree(SDE);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rfs-dnfcmp-'));
    const top = join(work, 'rpmbuild');
    repo = join(work, 'repo');
    mkdirSync(repo, { recursive: true });
    const specs: [string, string][] = [['acct-base', baseSpec()]];
    let prev = 'acct-base';
    for (const p of PKGS) {
      const sections = `${p.pre ? `%pre\n${p.pre}` : ''}${p.post ? `%post\n${p.post}` : ''}%files\n`;
      specs.push([p.name, spec(p.name, prev, sections)]);
      prev = p.name;
    }
    for (const [name, text] of specs) {
      const f = join(work, `${name}.spec`);
      writeFileSync(f, text);
      execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', '_rpmdir ' + repo, '--define', '_build_name_fmt %%{NAME}.rpm', f], { stdio: 'pipe' });
    }
    execFileSync('createrepo_c', ['--quiet', repo]);

    // the installroot's tools: busybox applets, host shadow-utils + getent with their libraries
    const root = dnfRoot();
    for (const d of ['bin', 'usr/bin', 'usr/sbin', 'sbin', 'lib64', 'etc', 'dev']) mkdirSync(join(root, d), { recursive: true });
    execFileSync('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']); // scriptlets redirect to it
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    for (const a of ['sh', 'mkdir', 'ln', 'touch', 'chmod', 'chown', 'sed', 'cat', 'grep', 'id', 'rm', 'ls']) symlinkSync('busybox', join(root, 'bin', a));
    const bins = ['/usr/sbin/useradd', '/usr/sbin/groupadd', '/usr/sbin/usermod', '/usr/bin/gpasswd', '/usr/bin/getent', '/usr/bin/install'];
    const libs = new Set<string>();
    for (const b of bins) {
      copyFileSync(b, join(root, b));
      for (const m of execFileSync('ldd', [b], { encoding: 'utf8' }).matchAll(/(\/[^\s)]+)/g)) libs.add(m[1]!);
    }
    for (const l of libs) {
      mkdirSync(join(root, dirname(l)), { recursive: true });
      if (!existsSync(join(root, l))) copyFileSync(l, join(root, l));
    }
    const r = spawnSync('dnf', ['-y', '-q', `--installroot=${root}`, '--releasever=7', '--disablerepo=*', `--repofrompath=acct,file://${repo}`, '--enablerepo=acct',
      '--nogpgcheck', '--setopt=install_weak_deps=False', `--setopt=cachedir=${join(work, 'cache')}`, '--setopt=reposdir=/nonexistent', 'install', 'acct-files'],
    { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: String(SDE) }, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`dnf failed: ${r.stderr}`);

    // our side: the payload of acct-base, then the emulated scriptlets in the same order
    for (const [p, [mode, content]] of Object.entries(BASE_FILES)) tree.writeFile(p, content, { mode: parseInt(mode, 8) });
    for (const d of ['/home', '/var/spool/mail', '/var/log', '/var/lib']) tree.mkdir(d);
    const pkgs: ScriptletPackage[] = PKGS.map((p) => {
      const q = (tag: string) => execFileSync('rpm', ['-qp', '--qf', `%{${tag}}`, join(repo, `${p.name}.rpm`)], { encoding: 'utf8' }).replace(/^\(none\)$/, '');
      const scriptlets = [['pre', q('PREIN')], ['post', q('POSTIN')]].filter(([, b]) => b !== '').map(([kind, body]) => ({ kind: kind!, prog: ['/bin/sh'], body: body! }));
      return { nevra: `${p.name}-1-1.noarch`, name: p.name, meta: { name: p.name, epoch: null, version: '1', release: '1', provides: [], scriptlets, triggers: [] } };
    });
    const report = emulateScriptlets(pkgs, tree, { sourceDateEpoch: SDE });
    expect(report.skipped).toEqual([]);
  }, 600_000);
  afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  const hostLines = (p: string) => readFileSync(join(dnfRoot(), p), 'utf8').split('\n').filter(Boolean);
  const ourLines = (p: string) => new TextDecoder().decode(tree.readFile(p)).split('\n').filter(Boolean);
  const upstreamToRedHat = (l: string) => l.replace(/^([^:]+):!:/, '$1:!!:');

  it.each(['/etc/passwd', '/etc/group'])('%s is identical', (p) => {
    expect(hostLines(p).map((l) => l.split(':')[0])).toEqual(expect.arrayContaining(['apache', 'nscd', 'dbus', 'sshd', 'systemd-coredump', 'ci']));
    expect(ourLines(p)).toEqual(hostLines(p));
  });
  it('/etc/shadow is identical (upstream "!" read as Red Hat "!!")', () => {
    expect(ourLines('/etc/shadow')).toEqual(hostLines('/etc/shadow').map(upstreamToRedHat));
  });
  it('/etc/gshadow is identical', () => {
    expect(ourLines('/etc/gshadow')).toEqual(hostLines('/etc/gshadow'));
  });
  it('homes, mail spool, files, modes, owners and symlinks agree', () => {
    const root = dnfRoot();
    const names = (file: string) => new Map(hostLines(file).map((l) => { const f = l.split(':'); return [Number(f[2]), f[0]!] as const; }));
    const users = names('/etc/passwd');
    const groups = names('/etc/group');
    const host = (p: string) => {
      const st = lstatSync(join(root, p));
      return { type: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file', mode: st.mode & 0o7777, user: users.get(st.uid), group: groups.get(st.gid), ...(st.isSymbolicLink() ? { linkTarget: readlinkSync(join(root, p)) } : {}) };
    };
    const ours = (p: string) => {
      const st = tree.lstat(p)!;
      return { type: st.type, mode: st.type === 'symlink' ? host(p).mode : st.mode, user: st.user, group: st.group, ...(st.linkTarget !== undefined ? { linkTarget: st.linkTarget } : {}) };
    };
    const paths = ['/home/ci', '/home/ci/.bashrc', '/var/spool/mail/ci', '/var/lib/acct', '/var/lib/acct/sub', '/var/lib/acct/stamp', '/var/acct-link', '/var/log/acct.log'];
    for (const p of paths) expect({ p, ...ours(p) }).toEqual({ p, ...host(p) });
    expect(new TextDecoder().decode(tree.readFile('/etc/acct.conf'))).toBe(readFileSync(join(root, 'etc/acct.conf'), 'utf8'));
    // nothing else was created under /home or /var/spool/mail on either side
    expect(tree.list('/home')).toEqual(readdirSync(join(root, 'home')).sort());
    expect(tree.list('/var/spool/mail')).toEqual(readdirSync(join(root, 'var/spool/mail')).sort());
  });
});
