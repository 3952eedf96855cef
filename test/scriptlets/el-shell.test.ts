// CentOS 5/6 scriptlets that need more of sh and of the commands they call: `.` of an image
// file, eval and brace expansion, ${x#p}/${x%%p}/${x/p/r}, cut, mktemp, sed -n with the hold
// space, xmlcatalog, a shell script of the image, rpmdb_stat, iscsi-iname. Where the host has
// the real tools, the same body runs under bash on a copy and the files are compared.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import { SDE, baseImage, pkg, text } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  DOCBOOK_DTDS_POST, ISCSI_POST, SYSTEMD_LIBS_NSS_POST, NSS_CKBI_ALT, P11_KIT_REDHAT_SETUP_TRUST, P11_KIT_TRUST_POST, P11_KIT_TRUST_POSTUN, PAM_POST, PAM_PRE, RPM_POSTTRANS,
} from './el-bodies.js';

type Tree = ReturnType<typeof baseImage>;
const emulate = (t: Tree, pkgs: ReturnType<typeof pkg>[], sde = SDE) => emulateScriptlets(pkgs, t, { sourceDateEpoch: sde });

const has = (tool: string): boolean => {
  try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); return true; } catch { return false; }
};
const hostTools = has('bash') && has('sed') && has('cut') && has('mktemp');
const hostXmlcatalog = has('xmlcatalog');
const scratch = tempDir('rfs-elshell-');
afterAll(() => scratch.cleanup());

/**
 * The body under the host's bash with every /etc, /var and /usr path moved under a fresh root
 * holding `files`; /sbin/ldconfig is not run. Returns the root.
 */
function hostRun(name: string, body: string, files: Record<string, string>, args: string[] = ['1']): string {
  const root = join(scratch.dir, name);
  for (const d of ['etc/sysconfig', 'var/log', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  // programs stay the host's (/usr/bin, /usr/sbin); data paths move under the root
  const moved = body.replace(/\/sbin\/ldconfig/g, 'true').replace(/(^|[\s="'`(])\/(etc\/|var\/|tmp\/|usr\/(?!s?bin\/))/gm, '$1$R/$2');
  execFileSync('bash', ['-c', moved, 'scriptlet', ...args], { env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', R: root }, stdio: ['ignore', 'ignore', 'ignore'] });
  return root;
}

describe('EL5 pam %pre/%post: . /etc/sysconfig/authconfig, cut, mktemp, sed > $tmp', () => {
  const SYSTEM_AUTH = 'auth        sufficient    pam_unix.so nullok try_first_pass\npassword    sufficient    pam_unix.so md5 shadow nullok try_first_pass use_authtok\n';
  const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\n';
  const cases: { name: string; files: Record<string, string> }[] = [
    { name: 'md5 hashes in /etc/shadow', files: { '/etc/passwd': PASSWD, '/etc/shadow': 'root:$1$Ab$x9:15000:0:99999:7:::\nbin:*:15000:0:99999:7:::\n' } },
    { name: 'no /etc/shadow, DES hashes in /etc/passwd', files: { '/etc/passwd': 'root:Ab01cdEFgh23i:0:0:root:/root:/bin/bash\n' } },
    { name: 'a /etc/sysconfig/authconfig that says USEMD5=no', files: { '/etc/passwd': PASSWD, '/etc/shadow': 'root:$1$Ab$x9:15000::::::\n', '/etc/sysconfig/authconfig': 'USESHADOW=yes\nUSEMD5=no\n' } },
  ];
  for (const c of cases) {
    it(`${c.name}: the files equal what bash and coreutils make of the same bodies`, () => {
      const files: Record<string, string> = { '/etc/pam.d/other': '#%PAM-1.0\n', '/etc/pam.d/system-auth': SYSTEM_AUTH, ...c.files };
      const t = baseImage(5, { shadow: false });
      t.remove('/etc/passwd');
      for (const [p, content] of Object.entries(files)) t.writeFile(p, content);
      t.mkdir('/var/log');
      const r = emulate(t, [pkg({ name: 'pam', scripts: [{ kind: 'pre', body: PAM_PRE }, { kind: 'post', body: PAM_POST }] })]);
      expect(r.skipped).toEqual([]);
      expect(t.list('/etc/pam.d')).toEqual(['other', 'system-auth']); // the mktemp files are gone
      expect(t.lstat('/var/log/faillog')?.mode).toBe(0o600);
      if (!hostTools) return;
      const root = hostRun(c.name.replace(/\W+/g, '-'), `${PAM_PRE.replace(/exit 0\n$/, '')}\n${PAM_POST}`, { ...files, '/var/log/.keep': '' });
      for (const p of ['/etc/sysconfig/authconfig', '/etc/pam.d/system-auth']) expect(text(t, p), p).toBe(readFileSync(join(root, p), 'utf8'));
      expect(t.list('/etc/pam.d')).toEqual(readdirSync(join(root, 'etc/pam.d')).sort());
      expect(t.lstat('/var/log/tallylog')?.mode).toBe(statSync(join(root, 'var/log/tallylog')).mode & 0o7777);
    });
  }
  it.skipIf(hostTools)('compares with bash, sed, cut and mktemp on the host: not installed, skipped', () => {});
});

describe('EL6 docbook-dtds %post: eval set with brace expansion, ${dir#*-}, ${f/-/}, xmlcatalog, sed -ni with the hold space', () => {
  const SGML_CATALOG = 'CATALOG "/etc/sgml/xml-docbook-4.1.2-1.0-51.el6.cat"\nCATALOG "/etc/sgml/sgml-docbook-4.1-1.0-51.el6.cat"\nCATALOG "/etc/sgml/xml-docbook-4.5-1.0-51.el6.cat"\nCATALOG "/etc/sgml/sgml-docbook-4.5-1.0-51.el6.cat"\n';
  // what xml-common ships (xmlcatalog --noout --create)
  const EMPTY = '<?xml version="1.0"?>\n<!DOCTYPE catalog PUBLIC "-//OASIS//DTD Entity Resolution XML Catalog V1.0//EN" "http://www.oasis-open.org/committees/entity/release/1.0/catalog.dtd">\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog"/>\n';
  const setup = (): Tree => {
    const t = baseImage(6);
    t.writeFile('/usr/share/sgml/docbook/xmlcatalog', EMPTY);
    t.writeFile('/etc/sgml/catalog', SGML_CATALOG);
    t.writeFile('/usr/bin/xmlcatalog', 'ELF', { mode: 0o755 });
    return t;
  };
  it('fills the XML catalog as xmlcatalog does, and reports the SGML catalogs', () => {
    const t = setup();
    const r = emulate(t, [pkg({ name: 'docbook-dtds', scripts: [{ kind: 'post', body: DOCBOOK_DTDS_POST }] })]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]?.reason).toContain("SGML catalogs are written in libxml2's hash table order");
    const cat = text(t, '/usr/share/sgml/docbook/xmlcatalog')!;
    // the ISO entity ids are the same in every version: each --add replaces the entry in place
    // (27 public ids of 4.1.2, 7 more per later version, and rewriteSystem + rewriteURI per version)
    expect(cat.match(/^ {2}</gm)).toHaveLength(27 + 4 * 7 + 5 * 2);
    expect(cat).toContain('<public publicId="-//OASIS//DTD DocBook XML V4.5//EN" uri="/usr/share/sgml/docbook/xml-dtd-4.5-1.0-51.el6/docbookx.dtd"/>');
    // ${f/-/}: 4.4 and 4.5 name the entity files isopub.ent
    expect(cat).toContain('uri="/usr/share/sgml/docbook/xml-dtd-4.5-1.0-51.el6/ent/isopub.ent"');
    expect(cat).toContain('<public publicId="-//OASIS//ELEMENTS DocBook XML Information Pool V4.1.2//EN" uri="/usr/share/sgml/docbook/xml-dtd-4.1.2-1.0-51.el6/dbpoolx.mod"/>');
    // the sed program moved the XML entries after the SGML ones
    expect(text(t, '/etc/sgml/catalog')).toBe('CATALOG "/etc/sgml/sgml-docbook-4.1-1.0-51.el6.cat"\nCATALOG "/etc/sgml/sgml-docbook-4.5-1.0-51.el6.cat"\nCATALOG "/etc/sgml/xml-docbook-4.1.2-1.0-51.el6.cat"\nCATALOG "/etc/sgml/xml-docbook-4.5-1.0-51.el6.cat"\n');
  });
  it.skipIf(!hostTools || !hostXmlcatalog)('equals the real xmlcatalog and GNU sed running the same body (SGML lines left out on both sides)', () => {
    const t = setup();
    emulate(t, [pkg({ name: 'docbook-dtds', scripts: [{ kind: 'post', body: DOCBOOK_DTDS_POST }] })]);
    // the host's xmlcatalog --sgml would update the host's /etc/sgml/catalog: those lines stay out
    const body = DOCBOOK_DTDS_POST.replace(/^.*--sgml --add.*$/m, '    :').replace('/bin/chmod a+r /etc/sgml/*', ':');
    const root = hostRun('docbook', body, { '/usr/share/sgml/docbook/xmlcatalog': EMPTY, '/etc/sgml/catalog': SGML_CATALOG });
    // the host run's DTD paths were moved under its root too: take the root off again
    expect(text(t, '/usr/share/sgml/docbook/xmlcatalog')).toBe(readFileSync(join(root, 'usr/share/sgml/docbook/xmlcatalog'), 'utf8').replaceAll(root, ''));
    expect(text(t, '/etc/sgml/catalog')).toBe(readFileSync(join(root, 'etc/sgml/catalog'), 'utf8'));
  });
  it.skipIf(hostXmlcatalog)('compares with xmlcatalog (libxml2-utils): not installed, skipped', () => {});
  it.skipIf(!hostXmlcatalog)('--del and a repeated --add equal the real xmlcatalog', () => {
    const t = setup();
    const cmds = [
      ['--add', 'public', '-//X//DTD A//EN', '/a.dtd'], ['--add', 'system', 'http://x/a.dtd', '/a.dtd'], ['--add', 'public', '-//X//DTD A//EN', '/b.dtd'],
      ['--add', 'rewriteURI', 'http://x/', '/x/'], ['--add', 'delegatePublic', '-//X', 'file:///etc/xml/x'], ['--del', '/a.dtd'], ['--add', 'uri', 'http://x/u', '/u'],
    ];
    const body = cmds.map((c) => `xmlcatalog --noout ${c.map((a) => `'${a}'`).join(' ')} /usr/share/sgml/docbook/xmlcatalog`).join('\n');
    const r = emulate(t, [pkg({ name: 'x', scripts: [{ kind: 'post', body }] })]);
    expect(r.skipped).toEqual([]);
    const root = hostRun('xmlcatalog-del', body, { '/usr/share/sgml/docbook/xmlcatalog': EMPTY });
    expect(text(t, '/usr/share/sgml/docbook/xmlcatalog')).toBe(readFileSync(join(root, 'usr/share/sgml/docbook/xmlcatalog'), 'utf8'));
  });
  it('a catalog not in the layout xmlcatalog writes is reported, not rewritten', () => {
    const t = setup();
    t.writeFile('/usr/share/sgml/docbook/xmlcatalog', '<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n<!-- hand made -->\n</catalog>\n');
    const r = emulate(t, [pkg({ name: 'x', scripts: [{ kind: 'post', body: "xmlcatalog --noout --add public '-//X//EN' /x /usr/share/sgml/docbook/xmlcatalog" }] })]);
    expect(r.skipped[0]?.reason).toContain('not in the layout xmlcatalog writes');
    expect(text(t, '/usr/share/sgml/docbook/xmlcatalog')).toContain('hand made');
  });
});

describe('EL6 p11-kit-trust %post: a #!/bin/sh -e script of the image, cd and a relative glob, readlink, alternatives --display', () => {
  const setup = (other: boolean): Tree => {
    const t = baseImage(6);
    t.writeFile('/usr/lib64/p11-kit/p11-kit-redhat-setup-trust', P11_KIT_REDHAT_SETUP_TRUST, { mode: 0o755 });
    t.writeFile('/usr/lib64/nss/libnssckbi.so', 'ELF');
    t.writeFile('/usr/lib64/pkcs11/p11-kit-trust.so', 'ELF');
    const pre = [pkg({ name: 'nss', scripts: [{ kind: 'post', body: NSS_CKBI_ALT }] })];
    // the i686 p11-kit-trust enabled its alternative before this one
    if (other) pre.push(pkg({ name: 'p11-kit-trust.i686', scripts: [{ kind: 'post', body: '/usr/sbin/update-alternatives --install /usr/lib/libnssckbi.so libnssckbi.so.i386 /usr/lib/pkcs11/p11-kit-trust.so 30\n' }] }));
    expect(emulate(t, pre).skipped).toEqual([]);
    return t;
  };
  it('leaves the nss alternative alone when no other arch enabled p11-kit-trust', () => {
    const t = setup(false);
    const before = text(t, '/var/lib/alternatives/libnssckbi.so.x86_64');
    const r = emulate(t, [pkg({ name: 'p11-kit-trust', scripts: [{ kind: 'post', body: P11_KIT_TRUST_POST }] })]);
    expect(r.skipped).toEqual([]);
    expect(r.emulated[0]?.actions).toContain('ran /usr/lib64/p11-kit/p11-kit-redhat-setup-trust (a shell script of the image)');
    expect(text(t, '/var/lib/alternatives/libnssckbi.so.x86_64')).toBe(before);
    expect(t.lstat('/etc/alternatives/libnssckbi.so.x86_64')?.linkTarget).toBe('/usr/lib64/nss/libnssckbi.so');
  });
  it('enables itself when the other arch has (status greps "for other arch"), and %postun --remove undoes it', () => {
    const t = setup(true);
    const r = emulate(t, [pkg({ name: 'p11-kit-trust', scripts: [{ kind: 'post', body: P11_KIT_TRUST_POST }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/etc/alternatives/libnssckbi.so.x86_64')?.linkTarget).toBe('/usr/lib64/pkcs11/p11-kit-trust.so');
    expect(text(t, '/var/lib/alternatives/libnssckbi.so.x86_64')).toBe('auto\n/usr/lib64/libnssckbi.so\n\n/usr/lib64/nss/libnssckbi.so\n10\n/usr/lib64/pkcs11/p11-kit-trust.so\n30\n');
    t.remove('/usr/lib64/pkcs11/p11-kit-trust.so');
    // an install runs no %postun: its body runs here as a %post to check --remove
    const un = emulate(t, [pkg({ name: 'p11-kit-trust', scripts: [{ kind: 'post', body: P11_KIT_TRUST_POSTUN }] })]);
    expect(un.skipped).toEqual([]);
    expect(un.emulated[0]?.actions).toEqual(['alternatives libnssckbi.so.x86_64 -> /usr/lib64/nss/libnssckbi.so']);
    expect(t.lstat('/etc/alternatives/libnssckbi.so.x86_64')?.linkTarget).toBe('/usr/lib64/nss/libnssckbi.so');
    expect(text(t, '/var/lib/alternatives/libnssckbi.so.x86_64')).toBe('auto\n/usr/lib64/libnssckbi.so\n\n/usr/lib64/nss/libnssckbi.so\n10\n');
  });
});

describe('EL6 rpm %posttrans and iscsi-initiator-utils %post', () => {
  it('rpmdb_stat finds no environment in a fresh root: nothing removed, nothing reported', () => {
    const t = baseImage(6);
    t.writeFile('/usr/lib/rpm/rpmdb_stat', 'ELF', { mode: 0o755 });
    t.writeFile('/var/lib/rpm/Packages', 'DB');
    const r = emulate(t, [pkg({ name: 'rpm', scripts: [{ kind: 'posttrans', body: RPM_POSTTRANS }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.list('/var/lib/rpm')).toEqual(['Packages']);
  });
  it('with __db files present the outcome is reported, the files are kept', () => {
    const t = baseImage(6);
    t.writeFile('/usr/lib/rpm/rpmdb_stat', 'ELF', { mode: 0o755 });
    t.writeFile('/var/lib/rpm/__db.001', 'ENV');
    const r = emulate(t, [pkg({ name: 'rpm', scripts: [{ kind: 'posttrans', body: RPM_POSTTRANS }] })]);
    expect(r.skipped[0]?.reason).toContain('Berkeley DB environment');
    expect(t.exists('/var/lib/rpm/__db.001')).toBe(true);
  });
  it('iscsi-iname: the initiator name has iscsi-iname\'s form and comes from SOURCE_DATE_EPOCH and the package set', () => {
    const run = (sde: number): string | undefined => {
      const t = baseImage(6);
      t.mkdir('/etc/iscsi');
      for (const s of ['iscsid', 'iscsi']) t.writeFile(`/etc/rc.d/init.d/${s}`, `#!/bin/sh\n# chkconfig: 345 7 89\n`, { mode: 0o755 });
      const r = emulate(t, [pkg({ name: 'iscsi-initiator-utils', scripts: [{ kind: 'post', body: ISCSI_POST }] })], sde);
      expect(r.skipped).toEqual([]);
      expect(t.lstat('/etc/rc.d/rc3.d/S07iscsid')?.linkTarget).toBe('../init.d/iscsid');
      return text(t, '/etc/iscsi/initiatorname.iscsi');
    };
    const a = run(SDE);
    expect(a).toMatch(/^InitiatorName=iqn\.1994-05\.com\.redhat:[0-9a-f]{6,12}\n$/);
    expect(run(SDE)).toBe(a);
    expect(run(SDE + 1)).not.toBe(a);
  });
});

describe('shell and command forms', () => {
  const run = (body: string, setup?: (t: Tree) => void) => {
    const t = baseImage(6);
    setup?.(t);
    const r = emulate(t, [pkg({ name: 'x', scripts: [{ kind: 'post', body }] })]);
    return { t, r };
  };
  it.skipIf(!hostTools)('parameter trimming, ${#x}, ${x/p/r}, brace expansion and eval print what bash prints', () => {
    const body = `p=/opt/lib64/libfoo.so.1.2.3
echo "\${p#*/}|\${p##*/}|\${p%.*}|\${p%%.*}|\${#p}|\${p/lib/LIB}|\${p//lib/LIB}|\${p#nomatch}|\${unset:-dflt}"
s=foo; echo "\${p%.\$s}" "\${p%.so*}"
echo a{b,c{d,e}}f x{1,2} '{q,r}' "{s,t}"
eval "set -- {1,2}-{a,b}"; echo "$# $*"
v='x y'; eval "w=\\$v"; echo "$w"
for f in /etc/x /etc/y; do echo \${f##*/}; done > /etc/out
`;
    const { t, r } = run(body, (t) => t.writeFile('/etc/out', ''));
    expect(r.skipped).toEqual([]);
    const root = hostRun('params', body, { '/etc/out': '' });
    expect(text(t, '/etc/out')).toBe(readFileSync(join(root, 'etc/out'), 'utf8'));
    const all = `{ ${body.replace(/ > \/etc\/out\n$/, '\n')}} > /etc/all\n`;
    const e = run(all);
    expect(e.r.skipped).toEqual([]);
    expect(text(e.t, '/etc/all')).toBe(readFileSync(join(hostRun('params-all', all, {}), 'etc/all'), 'utf8'));
  });
  it.skipIf(!hostTools)('cut -d -f, -c, -s and sed -n, p, ranges, a/i/c, q print what coreutils and GNU sed print', () => {
    const data = 'root:x:0:0:root:/root:/bin/bash\nno colon here\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\n';
    const body = `{
cut -d: -f1,3 /etc/data
cut -d: -f6- /etc/data
cut -s -d: -f2 /etc/data
cut -c1-4,7 /etc/data
sed -n '/^bin/p' /etc/data
sed -n '2,3p' /etc/data
sed '/^bin/,/^daemon/d' /etc/data
sed -n '$p' /etc/data
sed '2q' /etc/data
sed '/^bin/i\\
before bin' /etc/data
sed '/^root/a after root' /etc/data
sed '/no colon/c\\
replaced' /etc/data
sed -e '/^root/!s/:x:/:*:/' -e 's/nologin$/false/' /etc/data
sed -n '/root/{s/root/ROOT/2p;}' /etc/data
sed -n 'h;n;G;p' /etc/data
} > /etc/out
sed -i.orig 's/^bin:/BIN:/' /etc/data
`;
    const { t, r } = run(body, (t) => t.writeFile('/etc/data', data));
    const root = hostRun('cut-sed', body, { '/etc/data': data });
    // s///2p (N-th match) and n are not emulated: those lines are reported, the rest must match
    expect(r.skipped[0]?.reason).toMatch(/sed script not emulated: .*ROOT\/2p/);
    expect(r.skipped[0]?.reason).toMatch(/sed script not emulated: h;n;G;p/);
    const host = readFileSync(join(root, 'etc/out'), 'utf8');
    const hostWithout = host.split('\n');
    const ours = text(t, '/etc/out')!;
    // the host printed the two unsupported programs' output last: drop it for the comparison
    const unsupportedOut = execFileSync('bash', ['-c', `sed -n '/root/{s/root/ROOT/2p;}' "$R/etc/data.orig"; sed -n 'h;n;G;p' "$R/etc/data.orig"`], { env: { R: root } }).toString();
    expect(ours + unsupportedOut).toBe(hostWithout.join('\n'));
    expect(text(t, '/etc/data')).toBe(readFileSync(join(root, 'etc/data'), 'utf8'));
    expect(text(t, '/etc/data.orig')).toBe(data);
  });
  it.skipIf(!hostTools)('RHEL 8 systemd-libs %post: sed -i.bak with `!b` and `b` gives the files GNU sed gives, backups included', () => {
    const conf = 'passwd:     files sss\nshadow:     files sss\ngroup:      files sss\nhosts:      files dns\n';
    const { t, r } = run(SYSTEMD_LIBS_NSS_POST, (t) => t.writeFile('/etc/nsswitch.conf', conf));
    expect(r.skipped).toEqual([]);
    const root = hostRun('nss', SYSTEMD_LIBS_NSS_POST, { '/etc/nsswitch.conf': conf });
    expect(t.list('/etc').filter((f) => f.startsWith('nsswitch'))).toEqual(readdirSync(join(root, 'etc')).filter((f) => f.startsWith('nsswitch')).sort());
    for (const f of ['nsswitch.conf', 'nsswitch.conf.bak']) expect(text(t, `/etc/${f}`), f).toBe(readFileSync(join(root, 'etc', f), 'utf8'));
  });
  it('set -e ends a script at a failing command, but not in conditions, && lists or after !', () => {
    const { t, r } = run(`set -e
if false; then :; fi
false || true
! true
false && true
echo one >> /etc/log
grep -q nothing /etc/log
echo two >> /etc/log
`, (t) => t.writeFile('/etc/log', ''));
    // the scriptlet fails as it would under rpm: that is what the report says
    expect(r.skipped.map((s) => s.reason)).toEqual(['exits 1 under emulation']);
    expect(text(t, '/etc/log')).toBe('one\n');
  });
  it('. of a missing file ends the shell, as sh does; mktemp -d and find -name/-type', () => {
    const { t, r } = run(`d=$(mktemp -d /tmp/build.XXXXXX)
touch $d/a.conf $d/b.txt
mkdir $d/sub && touch $d/sub/c.conf
find $d -name '*.conf' -type f > /etc/found
find $d -maxdepth 1 ! -type d | cut -d/ -f4 > /etc/found1
rm -rf $d
. /etc/sysconfig/missing
touch /etc/not-reached
`);
    expect(r.skipped.map((s) => s.reason)).toEqual(['exits 1 under emulation']);
    const found = text(t, '/etc/found')!.split('\n');
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/^\/tmp\/build\.[A-Za-z0-9]{6}\/a\.conf$/);
    expect(found[1]).toMatch(/\/sub\/c\.conf$/);
    expect(text(t, '/etc/found1')).toBe('a.conf\nb.txt\n');
    expect(t.list('/tmp')).toEqual([]);
    expect(t.exists('/etc/not-reached')).toBe(false);
  });
  it('find -exec and -o are reported, not guessed', () => {
    const { r } = run('find /etc -name passwd -exec cat {} \\; >/dev/null\nfind /etc -name a -o -name b\n');
    expect(r.skipped[0]?.reason).toContain('-exec is not emulated');
    expect(r.skipped[0]?.reason).toContain('-o is not emulated');
  });
  it('chkconfig NAME resetpriorities renumbers the links that exist, keeping on/off', () => {
    const { t, r } = run('/sbin/chkconfig --add svc\nsed -i "s/# chkconfig: 345 20 80/# chkconfig: 345 25 75/" /etc/rc.d/init.d/svc\n/sbin/chkconfig svc resetpriorities\n', (t) => {
      t.writeFile('/etc/rc.d/init.d/svc', '#!/bin/sh\n# chkconfig: 345 20 80\n', { mode: 0o755 });
    });
    expect(r.skipped).toEqual([]);
    expect(t.list('/etc/rc.d/rc3.d')).toEqual(['S25svc']);
    expect(t.list('/etc/rc.d/rc1.d')).toEqual(['K75svc']);
  });
  it('build-locale-archive without its template exits 1 and writes nothing, as the real one does (reported as done)', () => {
    const { t, r } = run('/usr/sbin/build-locale-archive || echo failed > /etc/bla', (t) => t.mkdir('/usr/lib/locale'));
    expect(r.skipped).toEqual([]);
    expect(r.emulated[0]?.actions.join(' ')).toContain('no locale-archive.tmpl');
    expect(text(t, '/etc/bla')).toBe('failed\n');
    expect(t.list('/usr/lib/locale')).toEqual([]);
  });
  it('shlibsign keeps the package\'s .chk and reports a missing one; libgcc_post_upgrade runs ldconfig', () => {
    const { r } = run('/usr/bin/shlibsign -i /usr/lib64/libsoftokn3.so\n/usr/bin/shlibsign -i /usr/lib64/libfreebl3.so\n/usr/sbin/libgcc_post_upgrade\n', (t) => {
      for (const l of ['libsoftokn3.so', 'libsoftokn3.chk', 'libfreebl3.so']) t.writeFile(`/usr/lib64/${l}`, 'ELF');
      t.writeFile('/sbin/ldconfig', 'ELF', { mode: 0o755 });
    });
    expect(r.skipped[0]?.reason).toBe('shlibsign /usr/lib64/libfreebl3.so: /usr/lib64/libfreebl3.chk is signed with a key generated at random, not reproduced (only FIPS mode needs it)');
    expect(r.emulated.find((e) => e.nevra === '(transaction)')?.actions.join(' ')).toContain('ld.so.cache');
  });
  it('gdk-pixbuf, pango and gtk module caches are reported with what their absence means', () => {
    const { r } = run('gdk-pixbuf-query-loaders-64 --update-cache\npango-querymodules-64 > /etc/pango/x86_64-redhat-linux-gnu/pango.modules\ngtk-query-immodules-2.0-64 --update-cache\n');
    const why = r.skipped[0]?.reason ?? '';
    expect(why).toContain('loaders.cache (gdk-pixbuf loads no image format module without it)');
    expect(why).toContain('pango.modules');
    expect(why).toContain('gtk.immodules');
  });
});

describe('rpmdb_stat -h with a relative directory', () => {
  it('is reported: the script\'s working directory is not known to the command', () => {
    const t = baseImage(6);
    t.writeFile('/usr/lib/rpm/rpmdb_stat', 'ELF', { mode: 0o755 });
    const r = emulate(t, [pkg({ name: 'rpm', scripts: [{ kind: 'posttrans', body: '/usr/lib/rpm/rpmdb_stat -e -h var/lib/rpm\n' }] })]);
    expect(r.skipped[0]?.reason).toBe('rpmdb_stat -h var/lib/rpm: the environment directory is not an absolute path');
  });
});
