// Real scriptlets from CentOS 4-9 / Fedora packages (texts as the distros' spec files expand
// them), run through the emulation on a small image.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { DAYS, SDE, baseImage, line, pkg, text } from './helpers.js';
import { sharedPath } from '../helpers/realdata.js';

const emulate = (t: ReturnType<typeof baseImage>, pkgs: ReturnType<typeof pkg>[], events?: AssembleEvent[]) =>
  emulateScriptlets(pkgs, t, { sourceDateEpoch: SDE, ...(events ? { onEvent: (e: AssembleEvent) => events.push(e) } : {}) });

// CentOS 4 httpd-2.0.52 %pre
const C4_HTTPD_PRE = `# Add the "apache" user
/usr/sbin/useradd -c "Apache" -u 48 \\
	-s /sbin/nologin -r -d /var/www apache 2> /dev/null || :
`;
// CentOS 4 glibc-2.3.4 nscd %pre
const C4_NSCD_PRE = `/usr/sbin/useradd -M -o -r -d / -s /sbin/nologin \\
	-c "NSCD Daemon" -u 28 nscd > /dev/null 2>&1 || :
`;
// CentOS 4 dbus-0.22 %pre
const C4_DBUS_PRE = `/usr/sbin/useradd -c 'System message bus' -u 81 \\
	-s /sbin/nologin -r -d '/' dbus 2> /dev/null || :
`;
// Fedora / EL8 glibc.spec nscd %pre
const FEDORA_NSCD_PRE = `getent group nscd >/dev/null || /usr/sbin/groupadd -g 28 -r nscd
getent passwd nscd >/dev/null ||
  /usr/sbin/useradd -M -o -r -d / -s /sbin/nologin \\
		    -c "NSCD Daemon" -u 28 -g nscd nscd
`;
// %sysusers_create_compat expansion (systemd's sysusers.generate-pre.sh) for
// "u systemd-coredump - 'systemd Core Dumper'" and "g tss 59"
const SYSUSERS_COMPAT = `getent group 'systemd-coredump' >/dev/null || groupadd -r 'systemd-coredump' || :
getent passwd 'systemd-coredump' >/dev/null || \\
    useradd -r -g 'systemd-coredump' -d '/' -s '/sbin/nologin' -c 'systemd Core Dumper' 'systemd-coredump' || :
getent group 'tss' >/dev/null || groupadd -f -g '59' -r 'tss' || :
if ! getent passwd 'tss' >/dev/null ; then
    if ! getent passwd '59' >/dev/null ; then
        useradd -r -u '59' -g 'tss' -d '/dev/null' -s '/sbin/nologin' -c 'Account used for TPM access' 'tss' || :
    else
        useradd -r -g 'tss' -d '/dev/null' -s '/sbin/nologin' -c 'Account used for TPM access' 'tss' || :
    fi
fi

`;
// %systemd_post expansions: EL7/F22, EL8, Fedora 35+/EL9
const systemdPostEl7 = (u: string) => `\nif [ $1 -eq 1 ] ; then \n        # Initial installation \n        systemctl preset ${u} >/dev/null 2>&1 || : \nfi \n`;
const systemdPostEl8 = (u: string) => `\nif [ $1 -eq 1 ] ; then \n        # Initial installation \n        systemctl --no-reload preset ${u} &>/dev/null || : \nfi \n`;
const systemdPostEl9 = (u: string) => `\nif [ $1 -eq 1 ] && [ -x "/usr/lib/systemd/systemd-update-helper" ]; then\n    # Initial installation\n    /usr/lib/systemd/systemd-update-helper install-system-units ${u} || :\nfi \n`;
// EL7 ca-certificates %post
const CA_POST = `#if [ $1 -gt 1 ] ; then
#  # when upgrading or downgrading
#fi
/usr/bin/ca-legacy install
/usr/bin/update-ca-trust
`;
// glibc %post -p <lua> (Fedora 28 / EL8 glibc.spec, macros expanded for x86_64)
const GLIBC_POST_LUA = `-- We use lua's posix.exec because there may be no shell that we can
-- run during glibc upgrade.
function post_exec (program, ...)
  local pid = posix.fork ()
  if pid == 0 then
    assert (posix.exec (program, ...))
  elseif pid > 0 then
    posix.wait (pid)
  end
end

-- (1) Remove multilib libraries from previous installs.
install_libs = { "anl", "BrokenLocale", "c", "dl", "m", "mvec",
                "nss_compat", "nss_db", "nss_dns", "nss_files",
                "nss_hesiod", "pthread", "resolv", "rt", "SegFault",
                "thread_db", "util" }
remove_regexps = {}
for i = 1, #install_libs do
  remove_regexps[i] = ("lib" .. install_libs[i]
                       .. "%-[2-9]%.[0-9]+%.so$")
end
local remove_dirs = { "/usr/lib64/i686",
                     "/usr/lib64/i686/nosegneg" }
for _, rdir in ipairs (remove_dirs) do
  if posix.access (rdir) then
    local remove_files = posix.files (rdir)
    for rfile in remove_files do
      for _, rregexp in ipairs (remove_regexps) do
       local dso = string.match (rfile, rregexp)
        if (dso ~= nil) then
         os.remove (rdir .. '/' .. rfile)
       end
      end
    end
  end
end

-- (3) Rebuild ld.so.cache early.
post_exec ("/usr/sbin/ldconfig")

-- (4) Update gconv modules cache.
local iconv_dir = "/usr/lib64/gconv"
local iconv_cache = iconv_dir .. "/gconv-modules.cache"
if (posix.utime (iconv_cache) == 0) then
  post_exec ("/usr/sbin/iconvconfig",
            "-o", iconv_cache,
            "--nostdlib",
            iconv_dir)
else
  io.stdout:write ("Error: Missing " .. iconv_cache .. " file.\\n")
end
`;
// glibc %pre -p <lua> (kernel check) and glibc-common %posttrans -p <lua>
const GLIBC_PRE_LUA = `-- Check that the running kernel is new enough
required = '3.2.0'
rel = posix.uname("%r")
if rpm.vercmp(rel, required) < 0 then
  error("FATAL: kernel too old", 0)
end
`;
const GLIBC_COMMON_POSTTRANS = `archive_path = "/usr/lib/locale/locale-archive"
default_path = "/usr/lib/locale/locale-archive.default"
os.remove (archive_path)
posix.link(default_path, archive_path)
`;
// filesystem %pretrans -p <lua> (EL7)
const FILESYSTEM_PRETRANS = `--# If we are running in pretrans in a fresh root, there is no /usr and
--# symlinks. We cannot be sure, to be the very first rpm in the
--# transaction list. Let's create the needed base directories and symlinks
--# here, to place the files from other packages in the right locations.
--# When our rpm is unpacked by cpio, it will set all permissions and modes
--# later.
posix.mkdir("/usr")
posix.mkdir("/usr/bin")
posix.mkdir("/usr/sbin")
posix.mkdir("/usr/lib")
posix.mkdir("/usr/lib64")
posix.symlink("usr/bin", "/bin")
posix.symlink("usr/sbin", "/sbin")
posix.symlink("usr/lib", "/lib")
posix.symlink("usr/lib64", "/lib64")
return 0
`;
// EL6 java-1.6.0-openjdk %post (alternatives)
const JAVA_POST = `ext=.gz
alternatives \\
  --install /usr/bin/java java /usr/lib/jvm/jre-1.6.0-openjdk.x86_64/bin/java 16000 \\
  --slave /usr/lib/jvm/jre jre /usr/lib/jvm/jre-1.6.0-openjdk.x86_64 \\
  --slave /usr/bin/keytool keytool /usr/lib/jvm/jre-1.6.0-openjdk.x86_64/bin/keytool \\
  --slave /usr/share/man/man1/java.1$ext java.1$ext \\
  /usr/share/man/man1/java-java-1.6.0-openjdk.1$ext

exit 0
`;
// CentOS 5 sendmail %post (excerpt: alternatives + chkconfig)
const SENDMAIL_POST = `/usr/sbin/alternatives --install %{_sbindir}/sendmail mta /usr/sbin/sendmail.sendmail 90 \\
	--slave /usr/bin/mailq mta-mailq /usr/bin/mailq.sendmail
/sbin/chkconfig --add sendmail
`.replace('%{_sbindir}', '/usr/sbin');
// CentOS 5 texinfo-style %post
const INFO_POST = `/sbin/install-info /usr/share/info/grep.info.gz /usr/share/info/dir || :
`;

describe('account idioms', () => {
  it('CentOS 4 httpd, nscd and dbus %pre on CentOS 4 login.defs', () => {
    const t = baseImage(4);
    const r = emulate(t, [
      pkg({ name: 'httpd', scripts: [{ kind: 'pre', body: C4_HTTPD_PRE }] }),
      pkg({ name: 'nscd', scripts: [{ kind: 'pre', body: C4_NSCD_PRE }] }),
      pkg({ name: 'dbus', scripts: [{ kind: 'pre', body: C4_DBUS_PRE }] }),
    ]);
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'apache')).toBe('apache:x:48:48:Apache:/var/www:/sbin/nologin');
    expect(line(t, '/etc/passwd', 'nscd')).toBe('nscd:x:28:28:NSCD Daemon:/:/sbin/nologin');
    expect(line(t, '/etc/passwd', 'dbus')).toBe('dbus:x:81:81:System message bus:/:/sbin/nologin');
    expect(line(t, '/etc/shadow', 'dbus')).toBe(`dbus:!!:${DAYS}::::::`);
    expect(line(t, '/etc/group', 'nscd')).toBe('nscd:x:28:');
  });
  it('Fedora glibc nscd %pre (getent guards, || across a newline) runs once only', () => {
    const t = baseImage(8);
    const p = pkg({ name: 'nscd', scripts: [{ kind: 'pre', body: FEDORA_NSCD_PRE }] });
    const r = emulate(t, [p, { ...p, nevra: 'nscd-again' }]);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/etc/passwd')!.match(/^nscd:/gm)).toHaveLength(1);
    expect(line(t, '/etc/group', 'nscd')).toBe('nscd:x:28:');
    expect(line(t, '/etc/gshadow', 'nscd')).toBe('nscd:!::');
  });
  it('%sysusers_create_compat expansion', () => {
    const t = baseImage(9);
    const r = emulate(t, [pkg({ name: 'systemd', scripts: [{ kind: 'pre', body: SYSUSERS_COMPAT }] })]);
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'systemd-coredump')).toBe('systemd-coredump:x:999:999:systemd Core Dumper:/:/sbin/nologin');
    expect(line(t, '/etc/passwd', 'tss')).toBe('tss:x:59:59:Account used for TPM access:/dev/null:/sbin/nologin');
  });
  it('systemd-sysusers with an inline sysusers.d file (%sysusers_create_package) and rpm 4.19 user() provides', () => {
    const t = baseImage(9, { systemd: true });
    t.writeFile('/usr/sbin/nologin', 'ELF', { mode: 0o755 });
    const inline = `systemd-sysusers --replace=/usr/lib/sysusers.d/chrony.conf - <<SYSTEMD_INLINE_EOF >/dev/null 2>&1 || :
u chrony - "chrony system user" /var/lib/chrony
m chrony wheel
SYSTEMD_INLINE_EOF
`;
    const userLine = 'u dnsmasq - "Dnsmasq DHCP and DNS server" /var/lib/dnsmasq';
    const r = emulate(t, [
      pkg({ name: 'chrony', scripts: [{ kind: 'pre', body: inline }] }),
      pkg({ name: 'dnsmasq', provides: [{ name: 'user(dnsmasq)', flags: 8, version: Buffer.from(userLine).toString('base64') }] }),
    ]);
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'chrony')).toBe('chrony:x:999:999:chrony system user:/var/lib/chrony:/usr/sbin/nologin');
    expect(line(t, '/etc/shadow', 'chrony')).toBe(`chrony:!*:${DAYS}::::::`);
    expect(line(t, '/etc/group', 'wheel')).toBe('wheel:x:10:root,chrony');
    expect(line(t, '/etc/passwd', 'dnsmasq')).toBe('dnsmasq:x:998:998:Dnsmasq DHCP and DNS server:/var/lib/dnsmasq:/usr/sbin/nologin');
    expect(r.emulated.map((e) => e.scriptlet)).toEqual(['pre', 'sysusers']);
  });
});

const REAL = sharedPath('realdata/rpms/rpmlint/ngircd-22-2.fc22.x86_64.rpm');
const hasRpm = (() => { try { execFileSync('rpm', ['--version']); return true; } catch { return false; } })();
if (!existsSync(REAL) || !hasRpm) console.warn('skipping the ngircd scriptlet test: realdata or the rpm tool is absent');

describe.skipIf(!existsSync(REAL) || !hasRpm)('real package: Fedora 22 ngircd %pre and %systemd_post', () => {
  const q = (tag: string) => execFileSync('rpm', ['-qp', '--qf', `%{${tag}}`, REAL], { encoding: 'utf8' });
  const unit = '[Unit]\nDescription=Next Generation IRC Daemon\n\n[Service]\nExecStart=/usr/sbin/ngircd -n\n\n[Install]\nWantedBy=multi-user.target\n';
  it('creates the user and follows the image presets', () => {
    for (const preset of ['enable ngircd.service\n', 'disable *\n']) {
      const t = baseImage(7, { systemd: true });
      t.writeFile('/usr/lib/systemd/system/ngircd.service', unit);
      t.writeFile('/usr/lib/systemd/system-preset/90-default.preset', preset);
      const r = emulate(t, [pkg({ name: 'ngircd', scripts: [{ kind: 'pre', body: q('PREIN') }, { kind: 'post', body: q('POSTIN') }] })]);
      expect(r.skipped).toEqual([]);
      expect(line(t, '/etc/passwd', 'ngircd')).toBe('ngircd:x:999:999:Next Generation IRC Daemon:/tmp/:/sbin/nologin');
      const link = t.lstat('/etc/systemd/system/multi-user.target.wants/ngircd.service');
      if (preset.startsWith('enable')) expect(link).toMatchObject({ type: 'symlink', linkTarget: '/usr/lib/systemd/system/ngircd.service' });
      else expect(link).toBeUndefined();
    }
  });
});

describe('service idioms', () => {
  const unit = '[Unit]\nDescription=x\n[Service]\nExecStart=/usr/sbin/food\n[Install]\nWantedBy=multi-user.target\nAlias=foo-alias.service\nAlso=foo.socket\n';
  it.each([['EL7', systemdPostEl7], ['EL8', systemdPostEl8], ['EL9', systemdPostEl9]])('%%systemd_post (%s) enables per preset, with Alias and Also', (_era, post) => {
    const t = baseImage(9, { systemd: true });
    t.writeFile('/usr/lib/systemd/systemd-update-helper', '#!/bin/sh', { mode: 0o755 });
    t.writeFile('/usr/lib/systemd/system/foo.service', unit);
    t.writeFile('/usr/lib/systemd/system/foo.socket', '[Socket]\nListenStream=1\n[Install]\nWantedBy=sockets.target\n');
    t.writeFile('/usr/lib/systemd/system-preset/85-foo.preset', 'enable foo.*\n');
    t.writeFile('/usr/lib/systemd/system-preset/99-default-disable.preset', 'disable *\n');
    const r = emulate(t, [pkg({ name: 'foo', scripts: [{ kind: 'post', body: post('foo.service') }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/etc/systemd/system/multi-user.target.wants/foo.service')?.linkTarget).toBe('/usr/lib/systemd/system/foo.service');
    expect(t.lstat('/etc/systemd/system/foo-alias.service')?.linkTarget).toBe('/usr/lib/systemd/system/foo.service');
    expect(t.lstat('/etc/systemd/system/sockets.target.wants/foo.socket')?.linkTarget).toBe('/usr/lib/systemd/system/foo.socket');
  });
  // Fedora/EL9 systemd %post on a first install: `systemctl preset-all` over every unit file
  it('systemctl preset-all walks every unit file: presets, aliases and masks as systemd does', () => {
    const t = baseImage(9, { systemd: true });
    const wanted = (by: string) => `[Service]\nExecStart=/x\n[Install]\nWantedBy=${by}\n`;
    t.writeFile('/usr/lib/systemd/system/foo.service', unit);
    t.writeFile('/usr/lib/systemd/system/foo.socket', '[Socket]\nListenStream=1\n[Install]\nWantedBy=sockets.target\n');
    t.writeFile('/usr/lib/systemd/system/bar.service', wanted('multi-user.target'));
    t.writeFile('/usr/lib/systemd/system/static.service', '[Service]\nExecStart=/x\n');
    t.writeFile('/usr/lib/systemd/system/getty@.service', `${wanted('getty.target')}DefaultInstance=tty1\n`);
    t.writeFile('/usr/lib/systemd/system/masked.service', wanted('multi-user.target'));
    t.symlink('/dev/null', '/etc/systemd/system/masked.service');
    t.writeFile('/usr/lib/systemd/system-preset/85-foo.preset', 'enable foo.*\nenable getty@.service\nenable masked.service\n');
    t.writeFile('/usr/lib/systemd/system-preset/99-default-disable.preset', 'disable *\n');
    // an existing link of a unit the presets disable is removed
    t.symlink('/usr/lib/systemd/system/bar.service', '/etc/systemd/system/multi-user.target.wants/bar.service');
    const r = emulate(t, [pkg({ name: 'systemd', scripts: [{ kind: 'post', body: 'if [ $1 -eq 1 ] ; then\n        systemctl preset-all &>/dev/null || :\n        systemctl --global preset-all &>/dev/null || :\nfi\n' }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/etc/systemd/system/multi-user.target.wants/foo.service')?.linkTarget).toBe('/usr/lib/systemd/system/foo.service');
    expect(t.lstat('/etc/systemd/system/foo-alias.service')?.linkTarget).toBe('/usr/lib/systemd/system/foo.service');
    expect(t.lstat('/etc/systemd/system/sockets.target.wants/foo.socket')?.linkTarget).toBe('/usr/lib/systemd/system/foo.socket');
    expect(t.lstat('/etc/systemd/system/getty.target.wants/getty@tty1.service')?.linkTarget).toBe('/usr/lib/systemd/system/getty@.service');
    expect(t.exists('/etc/systemd/system/multi-user.target.wants/bar.service')).toBe(false);
    expect(t.list('/etc/systemd/system/multi-user.target.wants')).toEqual(['foo.service']);
    expect(t.lstat('/etc/systemd/system/masked.service')?.linkTarget).toBe('/dev/null');
  });
  it('systemctl absent from the image: the guarded call fails quietly, as under rpm', () => {
    const t = baseImage(7);
    t.writeFile('/usr/lib/systemd/system/foo.service', unit);
    const r = emulate(t, [pkg({ name: 'foo', scripts: [{ kind: 'post', body: systemdPostEl7('foo.service') }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.exists('/etc/systemd/system/multi-user.target.wants')).toBe(false);
  });
  it('chkconfig --add (CentOS 5 sendmail %post) links rc.d from the chkconfig header', () => {
    const t = baseImage(5);
    t.writeFile('/etc/rc.d/init.d/sendmail', '#!/bin/bash\n#\n# sendmail      This shell script takes care of starting and stopping\n#\n# chkconfig: 2345 80 30\n# description: Sendmail\n', { mode: 0o755 });
    t.symlink('rc.d/init.d', '/etc/init.d');
    t.writeFile('/usr/sbin/sendmail.sendmail', 'ELF', { mode: 0o755 });
    const r = emulate(t, [pkg({ name: 'sendmail', scripts: [{ kind: 'post', body: SENDMAIL_POST }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/etc/rc.d/rc3.d/S80sendmail')?.linkTarget).toBe('../init.d/sendmail');
    expect(t.lstat('/etc/rc.d/rc0.d/K30sendmail')?.linkTarget).toBe('../init.d/sendmail');
    expect(t.lstat('/etc/rc.d/rc1.d/K30sendmail')).toBeDefined();
    expect(t.lstat('/usr/sbin/sendmail')?.linkTarget).toBe('/etc/alternatives/mta');
    expect(t.lstat('/etc/alternatives/mta')?.linkTarget).toBe('/usr/sbin/sendmail.sendmail');
    expect(t.lstat('/usr/bin/mailq')?.linkTarget).toBe('/etc/alternatives/mta-mailq');
    expect(text(t, '/var/lib/alternatives/mta')).toBe('auto\n/usr/sbin/sendmail\nmta-mailq\n/usr/bin/mailq\n\n/usr/sbin/sendmail.sendmail\n90\n/usr/bin/mailq.sendmail\n');
  });
  it('alternatives picks the best priority across packages and keeps both in the state file', () => {
    const t = baseImage(6);
    const second = JAVA_POST.replace(/1\.6\.0/g, '1.7.0').replace('16000', '17000');
    const r = emulate(t, [pkg({ name: 'java-1.6.0-openjdk', scripts: [{ kind: 'post', body: JAVA_POST }] }), pkg({ name: 'java-1.7.0-openjdk', scripts: [{ kind: 'post', body: second }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/etc/alternatives/java')?.linkTarget).toBe('/usr/lib/jvm/jre-1.7.0-openjdk.x86_64/bin/java');
    expect(t.lstat('/etc/alternatives/java.1.gz')?.linkTarget).toBe('/usr/share/man/man1/java-java-1.7.0-openjdk.1.gz');
    const state = text(t, '/var/lib/alternatives/java')!;
    expect(state.split('\n').slice(0, 9)).toEqual(['auto', '/usr/bin/java', 'jre', '/usr/lib/jvm/jre', 'keytool', '/usr/bin/keytool', 'java.1.gz', '/usr/share/man/man1/java.1.gz', '']);
    expect(state).toContain('/usr/lib/jvm/jre-1.6.0-openjdk.x86_64/bin/java\n16000\n');
    expect(state).toContain('/usr/lib/jvm/jre-1.7.0-openjdk.x86_64/bin/java\n17000\n');
  });
});

describe('other idioms', () => {
  it('glibc %pre/%post and glibc-common %posttrans <lua>, filesystem %pretrans <lua>', () => {
    const t = baseImage(8);
    t.writeFile('/usr/lib/locale/locale-archive.default', 'ARCHIVE');
    // glibc's %post execs these (the lua interpreter checks they are in the image)
    for (const p of ['/usr/sbin/ldconfig', '/usr/sbin/iconvconfig']) t.writeFile(p, '', { mode: 0o755 });
    const r = emulate(t, [
      pkg({ name: 'filesystem', scripts: [{ kind: 'pretrans', prog: ['<lua>'], body: FILESYSTEM_PRETRANS }] }),
      pkg({ name: 'glibc', scripts: [{ kind: 'pre', prog: ['<lua>'], body: GLIBC_PRE_LUA }, { kind: 'post', prog: ['<lua>'], body: GLIBC_POST_LUA }] }),
      pkg({ name: 'glibc-common', scripts: [{ kind: 'posttrans', prog: ['<lua>'], body: GLIBC_COMMON_POSTTRANS }] }),
    ]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/lib64')?.linkTarget).toBe('usr/lib64');
    expect(text(t, '/usr/lib/locale/locale-archive')).toBe('ARCHIVE');
    expect(r.emulated.map((e) => e.scriptlet)).toEqual(['pretrans', 'pre', 'post', 'posttrans', 'ldconfig']);
  });
  it('%post -p /sbin/ldconfig (and glibc_post_upgrade): one ldconfig run after the last scriptlet writes /etc/ld.so.cache', () => {
    const t = baseImage(4);
    t.writeFile('/etc/ld.so.conf', 'include ld.so.conf.d/*.conf\n');
    const r = emulate(t, [
      pkg({ name: 'glibc', scripts: [{ kind: 'post', prog: ['/usr/sbin/glibc_post_upgrade.x86_64'], body: '' }] }),
      pkg({ name: 'zlib', scripts: [{ kind: 'post', prog: ['/sbin/ldconfig'], body: '' }] }),
    ]);
    expect(r.skipped).toEqual([]);
    expect(r.emulated.map((e) => e.scriptlet)).toEqual(['post', 'post', 'ldconfig']);
    expect(new TextDecoder().decode(t.readFile('/etc/ld.so.cache')!.subarray(0, 20))).toBe('glibc-ld.so.cache1.1');
    expect(emulate(baseImage(4), [pkg({ name: 'x', scripts: [{ kind: 'post', body: 'ldconfig -p' }] })]).skipped[0]?.reason).toBe('ldconfig -p');
  });
  it('ca-certificates %post (EL7): ca-legacy link, bundles pre-extracted', () => {
    const t = baseImage(7);
    t.writeFile('/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', '-----BEGIN CERTIFICATE-----\n');
    t.writeFile('/etc/pki/ca-trust/ca-legacy.conf', 'legacy_disable=no\n');
    const r = emulate(t, [pkg({ name: 'ca-certificates', scripts: [{ kind: 'post', body: CA_POST }] })]);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/etc/pki/ca-trust/source/ca-bundle.legacy.crt')?.linkTarget).toBe('/usr/share/pki/ca-trust-legacy/ca-bundle.legacy.default.crt');
  });
  it('install-info adds the entry under its section', async () => {
    const { gzipSync } = await import('node:zlib');
    const t = baseImage(5);
    t.writeFile('/usr/share/info/dir', 'File: dir\tNode: Top\n\n* Menu:\n\nText creation and manipulation\n* sed: (sed).   Stream EDitor.\n');
    t.writeFile('/usr/share/info/grep.info.gz', gzipSync(Buffer.from('INFO-DIR-SECTION Text creation and manipulation\nSTART-INFO-DIR-ENTRY\n* grep: (grep).                   print lines matching a pattern.\nEND-INFO-DIR-ENTRY\n')));
    const r = emulate(t, [pkg({ name: 'grep', scripts: [{ kind: 'post', body: INFO_POST }] })]);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/usr/share/info/dir')).toContain('Text creation and manipulation\n* grep: (grep).                   print lines matching a pattern.\n* sed: (sed).   Stream EDitor.\n');
    // EL7's info package ships dir as %ghost: install-info creates it
    t.remove('/usr/share/info/dir');
    emulate(t, [pkg({ name: 'grep', scripts: [{ kind: 'post', body: INFO_POST }] })]);
    expect(text(t, '/usr/share/info/dir')).toMatch(/^This is the file \.\.\.\/info\/dir[\s\S]*\* Menu:\n\nText creation and manipulation\n\* grep: \(grep\)\./);
  });
  it('rpm --import of release keys returns the armored keys', () => {
    const t = baseImage(4);
    const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: GnuPG v1.2.6 (GNU/Linux)\n\nmQGiBEGg\n-----END PGP PUBLIC KEY BLOCK-----';
    t.writeFile('/usr/share/doc/centos-release-4/RPM-GPG-KEY-centos4', key + '\n');
    const r = emulate(t, [pkg({ name: 'centos-release', scripts: [{ kind: 'post', body: 'rpm --import /usr/share/doc/centos-release-4/RPM-GPG-KEY-centos4 2>/dev/null || :' }] })]);
    expect(r.pubkeys).toEqual([key]);
  });
  it('triggerin fires once both packages are installed; $1 and [ tests work', () => {
    const t = baseImage(7);
    const r = emulate(t, [
      pkg({ name: 'a', triggers: [{ kind: 'triggerin', on: 'b', body: 'if [ "$1" = 1 -a $2 -ge 1 ]; then touch /tmp/fired; fi' }] }),
      pkg({ name: 'b' }),
    ]);
    expect(r.skipped).toEqual([]);
    expect(t.exists('/tmp/fired')).toBe(true);
  });
});

describe('triggers and locales', () => {
  it('triggerprein of an installed package fires before the target installs ($2 = 0)', () => {
    const t = baseImage(7);
    const r = emulate(t, [
      pkg({ name: 'owner', triggers: [{ kind: 'triggerprein', on: 'target', body: '[ $2 -eq 0 ] && touch /tmp/before' }] }),
      pkg({ name: 'target', scripts: [{ kind: 'pre', body: '[ -e /tmp/before ] && touch /tmp/seen' }] }),
    ]);
    expect(r.skipped).toEqual([]);
    expect(t.exists('/tmp/seen')).toBe(true);
  });
  it('build-locale-archive copies the template, and says so when --install-langs asked for less', () => {
    const t = baseImage(7);
    t.writeFile('/usr/lib/locale/locale-archive.tmpl', 'TMPL');
    const p = pkg({ name: 'glibc-common', scripts: [{ kind: 'post', body: '/usr/sbin/build-locale-archive --install-langs "en:fr" >/dev/null 2>&1 || :' }] });
    expect(emulate(t, [p]).skipped).toEqual([]);
    expect(text(t, '/usr/lib/locale/locale-archive')).toBe('TMPL');
    // build-locale-archive.c truncate()s the template once the archive is built
    expect(t.readFile('/usr/lib/locale/locale-archive.tmpl')?.length).toBe(0);
    const t2 = baseImage(7);
    t2.writeFile('/usr/lib/locale/locale-archive.tmpl', 'TMPL');
    const r = emulateScriptlets([p], t2, { sourceDateEpoch: SDE, installLangs: ['en'] });
    expect(r.skipped[0]?.reason).toContain('holds every locale');
  });
});

describe('reporting', () => {
  it('reports what it cannot reproduce (with events) and applies the rest', () => {
    const t = baseImage(7);
    const events: AssembleEvent[] = [];
    const r = emulate(t, [pkg({ name: 'weird', scripts: [
      { kind: 'post', body: '# comment\nuseradd -r w1\n/usr/bin/frobnicate --all\n' },
      { kind: 'pre', body: 'while true; do :; done' },
      { kind: 'posttrans', body: 'X=$(uname -r) && echo $X' },
      { kind: 'post', prog: ['/usr/bin/perl'], body: 'print 1' },
    ] })], events);
    expect(line(t, '/etc/passwd', 'w1')).toBeDefined();
    expect(r.skipped.map((s) => [s.scriptlet, s.firstLine])).toEqual([
      ['pre', 'while true; do :; done'], ['post', 'useradd -r w1'], ['post', 'print 1'], ['posttrans', 'X=$(uname -r) && echo $X'],
    ]);
    expect(r.skipped[1]!.reason).toContain('unhandled command: /usr/bin/frobnicate --all');
    expect(events.filter((e) => e.kind === 'scriptlet:skipped')).toHaveLength(4);
  });
  it('strict mode throws RFS_SCRIPTLET_UNHANDLED listing them', () => {
    const t = baseImage(7);
    expect(() => emulateScriptlets([pkg({ name: 'x', scripts: [{ kind: 'post', body: 'frob' }] })], t, { strict: true, sourceDateEpoch: SDE }))
      .toThrow(expect.objectContaining({ code: 'RFS_SCRIPTLET_UNHANDLED', subject: 'x-1.0-1.x86_64 %post' }));
  });
  it('uninstall-only scriptlets and no-ops are not run or reported', () => {
    const t = baseImage(7);
    const r = emulate(t, [pkg({ name: 'q', scripts: [{ kind: 'preun', body: 'frob' }, { kind: 'post', body: 'exit 0' }] })]);
    expect(r.skipped).toEqual([]);
    expect(r.emulated).toEqual([{ nevra: 'q-1.0-1.x86_64', scriptlet: 'post', actions: ['no effect on a fresh install'] }]);
  });
});
