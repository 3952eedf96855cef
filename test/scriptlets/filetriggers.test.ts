// File triggers on a fresh install: which fire, in what order around %post, with which
// standard input, and what the real triggers of Fedora/EL8+ packages leave in the image.
import { describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import type { ScriptletPackage } from '../../src/scriptlets/index.js';
import { SDE, baseImage, line, pkg, text } from './helpers.js';

interface Ft { kind: string; prefixes: string[]; body: string; priority?: number; prog?: string[] }
function withFiles(name: string, files: string[], fileTriggers: Ft[] = [], post?: string): ScriptletPackage {
  const p = pkg({ name, scripts: post ? [{ kind: 'post', body: post }] : [] });
  return {
    ...p,
    meta: {
      ...p.meta,
      files: files.map((path) => ({ path })),
      fileTriggers: fileTriggers.map((t, index) => ({ kind: t.kind, prog: t.prog ?? ['/bin/sh'], body: t.body, prefixes: t.prefixes, priority: t.priority ?? 1000000, index })),
    },
  };
}
const log = (tag: string) => `echo "${tag} $#:$*" >> /var/log/ft\ncat >> /var/log/ft\n`;

describe('when file triggers fire (rpm 4.18 order, checked against rpm in dnf-filetriggers.test.ts)', () => {
  it('in-transaction triggers: high priority before %post, low after; own files and later packages; stdin lists the matches; $1 is 0', () => {
    const t = baseImage(9);
    t.mkdir('/var/log');
    const owner = withFiles('owner', ['/usr/lib/demo', '/usr/lib/demo/a.so'], [
      { kind: 'filetriggerin', prefixes: ['/usr/lib/demo'], body: log('hi'), priority: 20000 },
      { kind: 'filetriggerin', prefixes: ['/usr/share/demo'], body: log('lo'), priority: 500 },
      { kind: 'filetriggerun', prefixes: ['/usr'], body: log('never') },
    ], 'echo "post-owner" >> /var/log/ft');
    const later = withFiles('later', ['/usr/share/demo/x', '/usr/lib/demo/b.so'], [], 'echo "post-later" >> /var/log/ft');
    const r = emulateScriptlets([owner, later], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(text(t, '/var/log/ft')).toBe([
      'hi 1:0', '/usr/lib/demo', '/usr/lib/demo/a.so', // owner's own files, before its %post
      'post-owner',
      'hi 1:0', '/usr/lib/demo/b.so', // set off by `later`, before its %post
      'post-later',
      'lo 1:0', '/usr/share/demo/x', // low priority: after %post
      '',
    ].join('\n'));
    expect(r.emulated.map((e) => e.scriptlet)).toEqual([
      'filetriggerin(/usr/lib/demo)', 'post', 'filetriggerin(/usr/lib/demo) on later-1.0-1.x86_64', 'post', 'filetriggerin(/usr/share/demo) on later-1.0-1.x86_64',
    ]);
  });
  it('transaction triggers: once after %posttrans, per package by priority, with every match (a path under two prefixes twice)', () => {
    const t = baseImage(9);
    t.mkdir('/var/log');
    const a = withFiles('a', ['/usr/lib64/liba.so.1'], [
      { kind: 'transfiletriggerin', prefixes: ['/usr/lib', '/usr/lib64'], body: log('ldconfig-like'), priority: 5 },
      { kind: 'transfiletriggerin', prefixes: ['/usr/share/none'], body: log('no-match') },
      { kind: 'transfiletriggerin', prefixes: ['/usr/lib64'], body: log('first'), priority: 2000000 },
    ]);
    const b = withFiles('b', ['/usr/lib64/libb.so.1', '/etc/b.conf']);
    const c = pkg({ name: 'c', scripts: [{ kind: 'posttrans', body: 'echo posttrans >> /var/log/ft' }] });
    emulateScriptlets([a, b, c], t, { sourceDateEpoch: SDE });
    expect(text(t, '/var/log/ft')).toBe([
      'posttrans',
      'first 1:0', '/usr/lib64/liba.so.1', '/usr/lib64/libb.so.1',
      'ldconfig-like 1:0', '/usr/lib64/liba.so.1', '/usr/lib64/libb.so.1', '/usr/lib64/liba.so.1', '/usr/lib64/libb.so.1',
      '',
    ].join('\n'));
  });
});

// The triggers as Fedora 39 / EL8-9 packages ship them (spec sources: glibc.spec, systemd.spec
// triggers.systemd, shared-mime-info.spec, glib2.spec, fontconfig.spec, hicolor-icon-theme.spec,
// man-db.spec; info's from RHEL 8's rpmdb), with %{_macros} expanded.
const GLIBC_LDCONFIG: Ft = { kind: 'transfiletriggerin', prefixes: ['/lib', '/usr/lib', '/lib64', '/usr/lib64'], priority: 2000000, body: '/sbin/ldconfig\n' };
const SYSTEMD_RELOAD: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/lib/systemd/system', '/etc/systemd/system'], priority: 900900, body: `# This script will run after any package is initially installed or
# upgraded. We care about the case where a package is initially
# installed, because other cases are covered by the *un scriptlets,
# so sometimes we will reload needlessly.
if test -d "/run/systemd/system"; then
  /usr/bin/systemctl daemon-reload || :
  /usr/bin/systemctl reload-or-restart --marked || :
fi
` };
const SYSTEMD_SYSUSERS_EL8: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/lib/sysusers.d'], priority: 100700, body: `# This script will process files installed in /usr/lib/sysusers.d to create
# specified users automatically. The priority is set such that it
# will run before the tmpfiles file trigger.
systemd-sysusers || :
` };
const SYSTEMD_TMPFILES_EL8: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/lib/tmpfiles.d'], priority: 100500, body: `# This script will process files installed in /usr/lib/tmpfiles.d to create
# tmpfiles automatically. The priority is set such that it will run
# after the sysusers file trigger, but before any other triggers.
systemd-tmpfiles --create || :
` };
const UDEV_RULES: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/lib/udev/rules.d'], body: `# This script will automatically update udev with new rules if files
# have been installed or updated in /usr/lib/udev/rules.d.
if test -e /run/udev/control; then
  /usr/bin/udevadm control --reload || :
fi
` };
const HWDB: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/lib/udev/hwdb.d'], body: `# This script will automatically invoke hwdb update if files have been
# installed or updated in /usr/lib/udev/hwdb.d.
/usr/bin/systemd-hwdb update &>/dev/null || :
` };
const MIME: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/mime'], body: 'update-mime-database -n /usr/share/mime &> /dev/null ||:\n' };
const GIO: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/lib64/gio/modules'], body: 'gio-querymodules-64 /usr/lib64/gio/modules &> /dev/null || :\n' };
const SCHEMAS: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/glib-2.0/schemas'], body: 'glib-compile-schemas /usr/share/glib-2.0/schemas &> /dev/null || :\n' };
const FONTS: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/fonts', '/usr/share/X11/fonts/Type1', '/usr/share/X11/fonts/TTF', '/usr/local/share/fonts'], body: 'HOME=/root /usr/bin/fc-cache -s\n' };
const ICONS: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/icons/hicolor'], body: 'gtk-update-icon-cache --force /usr/share/icons/hicolor &>/dev/null || :\n' };
const MANDB: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/man'], body: `# update cache
if [ -x /usr/bin/systemd-run -a -d /run/systemd/system ]; then
  /usr/bin/systemd-run /usr/bin/mandb -q
else
  /usr/bin/mandb -q
fi
` };
// RHEL 8's info trigger exactly as its rpmdb holds it (../shared/realdata/rpmdb/rhel-8.0-bdb)
const INFO: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/info'], body: `[ -f /usr/share/info/dir ] && create_arg="" || create_arg="--create"
/usr/sbin/fix-info-dir $create_arg /usr/share/info/dir &>/dev/null
` };
// the same job written as a loop over the paths rpm gives on stdin
const INFO_LOOP: Ft = { kind: 'transfiletriggerin', prefixes: ['/usr/share/info'], body: `grep "^/usr/share/info/[^/]*\\.info\\(\\.gz\\)\\?$" | while read file; do
  /sbin/install-info "$file" /usr/share/info/dir &> /dev/null
done
` };

const INFO_FILE = 'This is sed.info.\n\nINFO-DIR-SECTION Text creation and manipulation\nSTART-INFO-DIR-ENTRY\n* sed: (sed).                   Stream EDitor.\nEND-INFO-DIR-ENTRY\n';

describe('the real triggers of Fedora/EL8+ packages', () => {
  it('are emulated where the result is determinable, and reported where it needs the target binaries', () => {
    const t = baseImage(9, { systemd: true });
    t.writeFile('/usr/lib64/libdemo.so.1.0', 'not an ELF: ldconfig skips it');
    t.writeFile('/usr/lib/sysusers.d/demo.conf', 'u demo - "Demo daemon" /var/lib/demo\n');
    t.writeFile('/usr/lib/tmpfiles.d/demo.conf', 'd /var/lib/demo 0750 demo demo -\n');
    t.writeFile('/usr/share/info/sed.info', INFO_FILE);
    const providers = [
      withFiles('glibc', ['/usr/lib64/libc.so.6'], [GLIBC_LDCONFIG]),
      withFiles('systemd', ['/usr/lib/systemd/system/demo.service'], [SYSTEMD_RELOAD, SYSTEMD_SYSUSERS_EL8, SYSTEMD_TMPFILES_EL8]),
      withFiles('systemd-udev', ['/usr/lib/udev/rules.d/60-demo.rules', '/usr/lib/udev/hwdb.d/20-demo.hwdb'], [UDEV_RULES, HWDB]),
      withFiles('shared-mime-info', ['/usr/share/mime/packages/freedesktop.org.xml'], [MIME]),
      withFiles('glib2', ['/usr/lib64/gio/modules/libgiofam.so', '/usr/share/glib-2.0/schemas/org.gtk.Settings.gschema.xml'], [GIO, SCHEMAS]),
      withFiles('fontconfig', ['/usr/share/fonts/dejavu/DejaVuSans.ttf'], [FONTS]),
      withFiles('hicolor-icon-theme', ['/usr/share/icons/hicolor/index.theme'], [ICONS]),
      withFiles('man-db', ['/usr/share/man/man1/man.1.gz'], [MANDB]),
      withFiles('info', ['/usr/share/info/dir'], [INFO]),
      withFiles('demo', ['/usr/lib/sysusers.d/demo.conf', '/usr/lib/tmpfiles.d/demo.conf', '/usr/share/info/sed.info', '/usr/lib64/libdemo.so.1.0']),
    ];
    const r = emulateScriptlets(providers, t, { sourceDateEpoch: SDE });
    const emulated = new Map(r.emulated.map((e) => [`${e.nevra.replace(/-1\.0-1\.x86_64$/, '')} ${e.scriptlet}`, e.actions]));
    expect([...emulated.keys()].filter((k) => k !== '(transaction) ldconfig')).toEqual([
      'glibc transfiletriggerin(/lib /usr/lib /lib64 /usr/lib64)',
      'systemd transfiletriggerin(/usr/lib/systemd/system /etc/systemd/system)',
      'systemd transfiletriggerin(/usr/lib/sysusers.d)',
      'systemd transfiletriggerin(/usr/lib/tmpfiles.d)',
      'systemd-udev transfiletriggerin(/usr/lib/udev/rules.d)',
      'systemd-udev transfiletriggerin(/usr/lib/udev/hwdb.d)',
      'glib2 transfiletriggerin(/usr/lib64/gio/modules)',
      'fontconfig transfiletriggerin(/usr/share/fonts /usr/share/X11/fonts/Type1 /usr/share/X11/fonts/TTF /usr/local/share/fonts)',
      'hicolor-icon-theme transfiletriggerin(/usr/share/icons/hicolor)',
      'man-db transfiletriggerin(/usr/share/man)',
      'info transfiletriggerin(/usr/share/info)',
    ]);
    // systemd: nothing runs in an image (the guards are false), but sysusers and tmpfiles apply
    expect(emulated.get('systemd transfiletriggerin(/usr/lib/systemd/system /etc/systemd/system)')).toEqual(['no effect on a fresh install']);
    expect(line(t, '/etc/passwd', 'demo')).toMatch(/^demo:x:\d+:\d+:Demo daemon:\/var\/lib\/demo:\/usr\/sbin\/nologin$/);
    expect(t.lstat('/var/lib/demo')).toMatchObject({ type: 'dir', mode: 0o750, user: 'demo', group: 'demo' });
    // info: the dir file gets the entry of the info file the trigger read from its stdin
    expect(text(t, '/usr/share/info/dir')).toContain('Text creation and manipulation\n* sed: (sed).                   Stream EDitor.\n');
    expect(emulated.get('(transaction) ldconfig')).toContain('wrote /etc/ld.so.cache (0 libraries)');
    expect(r.skipped.map((s) => [s.nevra.replace(/-1\.0-1\.x86_64$/, ''), s.scriptlet, s.reason])).toEqual([
      ['shared-mime-info', 'transfiletriggerin(/usr/share/mime)', "update-mime-database: the shared MIME database (mime.cache, globs, magic; GIO and xdg-mime read only these) not generated (needs the target's binaries)"],
      ['glib2', 'transfiletriggerin(/usr/share/glib-2.0/schemas)', "glib-compile-schemas: cache not generated (needs the target's binaries)"],
    ]);
  });
  it('a trigger reading its paths from stdin with while read', () => {
    const t = baseImage(9);
    t.writeFile('/usr/share/info/sed.info', INFO_FILE);
    t.writeFile('/usr/share/info/notes.txt', 'not an info file');
    const r = emulateScriptlets([withFiles('info', [], [INFO_LOOP]), withFiles('sed', ['/usr/share/info/sed.info', '/usr/share/info/notes.txt'])], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(r.emulated[0]?.actions).toEqual(['install-info /usr/share/info/sed.info -> /usr/share/info/dir (Text creation and manipulation)']);
  });
  it('a trigger whose prefixes match nothing installed does not run', () => {
    const t = baseImage(9);
    const r = emulateScriptlets([withFiles('shared-mime-info', ['/usr/bin/update-mime-database'], [MIME])], t, { sourceDateEpoch: SDE });
    expect([r.emulated, r.skipped]).toEqual([[], []]);
  });
  it('--strict-scriptlets fails on an unreproduced file trigger', () => {
    const t = baseImage(9);
    expect(() => emulateScriptlets([withFiles('glib2', ['/usr/share/glib-2.0/schemas/a.xml'], [SCHEMAS])], t, { sourceDateEpoch: SDE, strict: true }))
      .toThrow(/1 not reproduced/);
  });
});

describe('on an installed system (--from): the base\'s packages as rpm sees them', () => {
  it('an installed package\'s file trigger fires on new files only; transaction triggers see only what the transaction added', () => {
    const t = baseImage(9);
    t.mkdir('/var/log');
    const installed = withFiles('glibc', ['/usr/lib64/libc.so.6'], [
      { kind: 'filetriggerin', prefixes: ['/usr/share/app'], body: log('in') },
      { kind: 'transfiletriggerin', prefixes: ['/usr/lib64'], body: log('trans') },
    ]);
    const added = withFiles('app', ['/usr/share/app/common', '/usr/lib64/libapp.so.1'], [], 'echo "post-app $1" >> /var/log/ft');
    const r = emulateScriptlets([added], t, { sourceDateEpoch: SDE, installed: { packages: [installed], erased: [], upgradedBy: new Map() } });
    expect(r.skipped).toEqual([]);
    // no trigger of the installed package ran for its own, already installed files; a high
    // priority (the default) one runs before the new package's %post
    expect(text(t, '/var/log/ft')).toBe(['in 1:0', '/usr/share/app/common', 'post-app 1', 'trans 1:0', '/usr/lib64/libapp.so.1', ''].join('\n'));
  });
  it('an upgrade runs the new %post with $1 = 2, then the old package\'s %preun/%postun with $1 = 1; an erased one gets 0', () => {
    const t = baseImage(9);
    t.mkdir('/var/log');
    const say = (what: string) => `echo "${what} $1" >> /var/log/ft`;
    const oldApp = pkg({ name: 'app', scripts: [{ kind: 'preun', body: say('preun-old') }, { kind: 'postun', body: say('postun-old') }] });
    const gone = pkg({ name: 'old-tool', scripts: [{ kind: 'postun', body: say('postun-gone') }] });
    const newApp = pkg({ name: 'app', version: '2.0', scripts: [{ kind: 'pre', body: say('pre-new') }, { kind: 'post', body: say('post-new') }] });
    const r = emulateScriptlets([newApp], t, { sourceDateEpoch: SDE, installed: { packages: [], erased: [oldApp, gone], upgradedBy: new Map([[oldApp, 'app']]) } });
    expect(r.skipped).toEqual([]);
    expect(text(t, '/var/log/ft')).toBe('pre-new 2\npost-new 2\npreun-old 1\npostun-old 1\npostun-gone 0\n');
  });
});
