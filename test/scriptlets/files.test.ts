// File-editing idioms from real scriptlets: sed -i, install, /etc/shells, systemd-tmpfiles,
// plus the shell subset's control flow.
import { describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import { parseShell } from '../../src/scriptlets/shell/parse.js';
import { SDE, baseImage, line, pkg, text } from './helpers.js';

const run = (t: ReturnType<typeof baseImage>, body: string, prog?: string[]) =>
  emulateScriptlets([pkg({ name: 'p', scripts: [{ kind: 'post', body, ...(prog ? { prog } : {}) }] })], t, { sourceDateEpoch: SDE });

// CentOS 4 authconfig %post
const AUTHCONFIG_POST = `sed -i -e 's/^\\(passwd:.*\\)files$/\\1files nis/' -e '/^hosts:/s/dns$/dns nis/' /etc/nsswitch.conf
touch /var/lib/authconfig.done
`;
// CentOS 4 pam %post
const PAM_POST = `/sbin/ldconfig
if [ ! -a /var/log/faillog ] ; then
	/usr/bin/install -m 600 /dev/null /var/log/faillog
fi
`;
// CentOS 4 bash %post
const BASH4_POST = `if [ ! -f /etc/shells ]; then
	echo "/bin/sh" > /etc/shells
	echo "/bin/bash" >> /etc/shells
else
	grep -q '^/bin/sh$' /etc/shells || echo "/bin/sh" >> /etc/shells
	grep -q '^/bin/bash$' /etc/shells || echo "/bin/bash" >> /etc/shells
fi
`;
// CentOS 7 bash %post -p <lua>
const BASH7_POST = `nl        = '\\n'
sh        = '/bin/sh'..nl
bash      = '/bin/bash'..nl
f = io.open('/etc/shells', 'a+')
if f then
  local shells = nl..f:read('*all')..nl
  if not shells:find(nl..sh) then f:write(sh) end
  if not shells:find(nl..bash) then f:write(bash) end
  f:close()
end
`;

describe('file idioms', () => {
  it('authconfig: sed -i with BRE groups and an address', () => {
    const t = baseImage(4);
    t.mkdir('/var/lib');
    t.writeFile('/etc/nsswitch.conf', 'passwd:     files\nshadow:     files\nhosts:      files dns\n');
    const r = run(t, AUTHCONFIG_POST);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/etc/nsswitch.conf')).toBe('passwd:     files nis\nshadow:     files\nhosts:      files dns nis\n');
    expect(t.exists('/var/lib/authconfig.done')).toBe(true);
  });
  it('pam: install -m 600 /dev/null', () => {
    const t = baseImage(4);
    t.mkdir('/var/log');
    const r = run(t, PAM_POST);
    expect(r.skipped).toEqual([]);
    expect(t.lstat('/var/log/faillog')).toMatchObject({ type: 'file', mode: 0o600 });
  });
  it('bash %post, shell (EL4) and lua (EL7) forms, create then keep /etc/shells', () => {
    const t4 = baseImage(4);
    expect(run(t4, BASH4_POST).skipped).toEqual([]);
    expect(text(t4, '/etc/shells')).toBe('/bin/sh\n/bin/bash\n');
    run(t4, BASH4_POST);
    expect(text(t4, '/etc/shells')).toBe('/bin/sh\n/bin/bash\n');
    const t7 = baseImage(7);
    t7.writeFile('/etc/shells', '/bin/sh\n/usr/bin/sh\n');
    expect(run(t7, BASH7_POST, ['<lua>']).skipped).toEqual([]);
    expect(text(t7, '/etc/shells')).toBe('/bin/sh\n/usr/bin/sh\n/bin/bash\n');
  });
  it('systemd-tmpfiles --create: d, f, L; specifiers reported', () => {
    const t = baseImage(7, { systemd: true });
    t.writeFile('/usr/lib/tmpfiles.d/systemd.conf', 'd /run/user 0755 root root -\nL /var/log/README - - - - ../../usr/share/doc/systemd/README.logs\nf /run/utmp 0664 root tty -\nx /tmp/systemd-private-*\nd /run/log/journal/%m 2755 root root -\n');
    const r = run(t, 'systemd-tmpfiles --create >/dev/null 2>&1 || :');
    expect(t.lstat('/run/user')).toMatchObject({ type: 'dir', mode: 0o755 });
    expect(t.lstat('/var/log/README')?.linkTarget).toBe('../../usr/share/doc/systemd/README.logs');
    expect(t.lstat('/run/utmp')).toMatchObject({ type: 'file', mode: 0o664, group: 'tty' });
    expect(r.skipped[0]?.reason).toContain('specifiers');
  });
});

describe('shell subset', () => {
  it('for, case, &&/||, !, { } and ( ) groups, variables with defaults, globbing over the image', () => {
    const t = baseImage(7);
    for (const f of ['a.conf', 'b.conf', 'c.txt']) t.writeFile(`/etc/demo/${f}`, f);
    const r = run(t, `
D=/etc/demo
for f in $D/*.conf; do echo "$f" >> /tmp/list; done
case "$1" in
  0) echo removal > /tmp/case ;;
  1|2) echo install > /tmp/case ;;
esac
! [ -e /nonexistent ] && { echo ok; echo grouped > /tmp/group; }
( X=inner; echo "\${X:-unset}" > /tmp/sub ); echo "\${X:-unset}" > /tmp/outer
[ -d /etc/demo ] || exit 3
exit 0`);
    expect(r.skipped).toEqual([]);
    expect(text(t, '/tmp/list')).toBe('/etc/demo/a.conf\n/etc/demo/b.conf\n');
    expect(text(t, '/tmp/case')).toBe('install\n');
    expect(text(t, '/tmp/group')).toBe('grouped\n');
    expect([text(t, '/tmp/sub'), text(t, '/tmp/outer')]).toEqual(['inner\n', 'unset\n']);
  });
  it('here-documents feed stdin; quoting survives', () => {
    const t = baseImage(7);
    run(t, `cat > /etc/motd <<EOF\nhello $1 'q'\nEOF\ncat > /etc/raw <<'EOF'\n$1 kept\nEOF\n`);
    expect(text(t, '/etc/motd')).toBe("hello 1 'q'\n");
    expect(text(t, '/etc/raw')).toBe('$1 kept\n');
  });
  it('rejects what it cannot follow with a reason instead of guessing', () => {
    expect(() => parseShell('select x in a b; do :; done')).toThrow(/select/);
    expect(() => parseShell('f() echo hi')).toThrow(/function f without a compound body/);
    expect(() => parseShell('if true; then :')).toThrow(/fi/);
    const t = baseImage(7);
    expect(run(t, 'N=1x\necho $((N + 1)) > /tmp/x').skipped[0]?.reason).toContain("arithmetic $((N + 1)): N='1x' is not a number");
    expect(run(t, 'while true; do :; done').skipped[0]?.reason).toContain('while loop still running after 10000 rounds');
    expect(run(t, 'KVER=`uname -r`').skipped[0]?.reason).toBe('unhandled command: uname -r');
  });
  it('command substitution runs through the same emulation; group output can be redirected', () => {
    const t = baseImage(7);
    t.writeFile('/etc/svcname', 'svc\n');
    const r = run(t, 'NAME=$(cat /etc/svcname)\nuseradd -r -c "$(echo Service  account)" "$NAME"\n[ "`id -u svc`" = 999 ] && { echo yes; echo "uid $(id -u svc)"; } > /tmp/out');
    expect(r.skipped).toEqual([]);
    expect(line(t, '/etc/passwd', 'svc')).toBe('svc:x:999:999:Service account:/home/svc:/bin/bash');
    expect(text(t, '/tmp/out')).toBe('yes\nuid 999\n');
  });
});

describe('desktop-cache idioms (Fedora icon cache %post/%posttrans, SELinux guards)', () => {
  it('touch --no-create and gtk-update-icon-cache are handled; selinuxenabled is false', () => {
    const t = baseImage(9);
    t.mkdir('/usr/share/icons/hicolor');
    const r = emulateScriptlets([pkg({ name: 'app', scripts: [
      { kind: 'post', body: 'touch --no-create /usr/share/icons/hicolor &>/dev/null || :\nif [ -x /usr/sbin/selinuxenabled ] && /usr/sbin/selinuxenabled; then semodule -i /usr/share/selinux/app.pp; fi\n' },
      { kind: 'posttrans', body: 'gtk-update-icon-cache /usr/share/icons/hicolor &>/dev/null || :\n' },
    ] })], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(r.emulated.map((e) => e.actions.join('; '))).toEqual(['no effect on a fresh install', 'gtk-update-icon-cache: skipped, icon themes work without icon-theme.cache']);
    expect(t.list('/usr/share/icons/hicolor')).toEqual([]);
  });
  it('caches that programs need are reported, not faked', () => {
    const t = baseImage(9);
    const r = emulateScriptlets([pkg({ name: 'glib2', scripts: [{ kind: 'posttrans', body: 'gio-querymodules-64 /usr/lib64/gio/modules\nglib-compile-schemas /usr/share/glib-2.0/schemas &> /dev/null || :' }] })], t, { sourceDateEpoch: SDE });
    expect(r.skipped[0]?.reason).toBe("glib-compile-schemas: cache not generated (needs the target's binaries)");
  });
});
