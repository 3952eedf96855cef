// Small real packages built with rpmbuild once per machine (cached by spec content) for rpmdb tests.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Header } from '../../src/rpm/header.js';
import { hasTool, run } from './tools.js';

const SPECS: Record<string, string> = {
  tpkg: `Name: tpkg
Version: 1.2.3
Release: 4
Epoch: 2
Summary: test package
License: MIT
Group: Applications/Testing
BuildArch: x86_64
Prefix: /opt
Requires: bash >= 4.0
Requires(post): /bin/sh
Requires(pre): prereq-only
Requires(preun): erase-prereq
Provides: tpkg-virtual = 9
Recommends: foo
Suggests: bar
Supplements: baz
Enhances: qux
Conflicts: oldthing < 1.0
Obsoletes: tpkg-old
%description
Test.
%install
mkdir -p %{buildroot}/opt/tpkg/sub %{buildroot}/opt/tpkg/empty
echo hello > %{buildroot}/opt/tpkg/file.txt
echo cfg > %{buildroot}/opt/tpkg/conf.cfg
echo doc > %{buildroot}/opt/tpkg/README
echo link1 > %{buildroot}/opt/tpkg/hl1
ln %{buildroot}/opt/tpkg/hl1 %{buildroot}/opt/tpkg/hl2
ln %{buildroot}/opt/tpkg/hl1 %{buildroot}/opt/tpkg/sub/hl3
ln -s file.txt %{buildroot}/opt/tpkg/sym
: > %{buildroot}/opt/tpkg/emptyfile
touch %{buildroot}/opt/tpkg/ghost.log
%post
echo post
%files
%dir /opt/tpkg
%dir /opt/tpkg/empty
/opt/tpkg/file.txt
%config(noreplace) /opt/tpkg/conf.cfg
%doc /opt/tpkg/README
/opt/tpkg/hl1
/opt/tpkg/hl2
/opt/tpkg/sub
/opt/tpkg/sym
/opt/tpkg/emptyfile
%ghost /opt/tpkg/ghost.log
`,
  tpkg2: `Name: tpkg2
Version: 1
Release: 1
Summary: t2
License: MIT
BuildArch: noarch
Requires: tpkg-virtual
%description
t2
%install
mkdir -p %{buildroot}/opt/t2
echo x > %{buildroot}/opt/t2/x
%files
/opt/t2
`,
  trich: `Name: trich
Version: 1
Release: 1
Summary: rich
License: MIT
BuildArch: noarch
Requires: (foo if bar)
Requires: (tpkg2 or tpkg)
Conflicts: (baz unless qux else quux)
Recommends: (aa or bb)
Supplements: (tpkg and (x with y))
%description
r
%files
`,
  ttrig: `Name: ttrig
Version: 3.0
Release: 7.el7
Summary: triggers
License: GPL
Group: System Environment/Base
BuildArch: noarch
Requires(pre): /bin/sh
Requires(postun): /bin/sh
%description
trig
%install
mkdir -p %{buildroot}/usr/share/doc/ttrig %{buildroot}/usr/share/locale/de/LC_MESSAGES %{buildroot}/etc
echo d > %{buildroot}/usr/share/doc/ttrig/NEWS
echo m > %{buildroot}/usr/share/locale/de/LC_MESSAGES/ttrig.mo
echo c > %{buildroot}/etc/ttrig.conf
%triggerin -- tpkg
echo in
%triggerun -- tpkg
echo un
%triggerpostun -- tpkg, tpkg2
echo postun
%filetriggerin -- /opt
echo ft
%transfiletriggerin -- /usr/share
echo tft
%files
%doc /usr/share/doc/ttrig/NEWS
%lang(de) /usr/share/locale/de/LC_MESSAGES/ttrig.mo
%config /etc/ttrig.conf
`,
};

export const PKG_NAMES = Object.keys(SPECS);
export const HAVE_RPMBUILD = hasTool('rpmbuild');

/** builds (or reuses) the test packages; returns name -> .rpm path */
export function buildTestPackages(): Record<string, string> {
  const key = createHash('sha256').update(JSON.stringify(SPECS)).digest('hex').slice(0, 16);
  // kept between runs, with the other tool caches (not in /tmp)
  const dir = resolve(__dirname, `../../node_modules/.cache/rfs-rpmdb-pkgs-${key}`);
  if (!existsSync(join(dir, '.complete'))) {
    const work = `${dir}.tmp${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'SPECS'), { recursive: true });
    for (const [name, spec] of Object.entries(SPECS)) {
      writeFileSync(join(work, 'SPECS', `${name}.spec`), spec);
      const r = run('rpmbuild', ['--define', `_topdir ${work}`, '--define', '_build_id_links none', '-bb', join(work, 'SPECS', `${name}.spec`)], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
      if (r.status !== 0) throw new Error(`rpmbuild ${name} failed: ${r.stderr}`);
    }
    writeFileSync(join(work, '.complete'), '');
    // another test worker may have finished the same build meanwhile: keep whichever landed first
    if (existsSync(join(dir, '.complete'))) rmSync(work, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      try {
        renameSync(work, dir);
      } catch {
        rmSync(work, { recursive: true, force: true });
      }
    }
  }
  const out: Record<string, string> = {};
  for (const arch of readdirSync(join(dir, 'RPMS'))) {
    for (const f of readdirSync(join(dir, 'RPMS', arch))) {
      const name = f.replace(/-[^-]+-[^-]+\.[^.]+\.rpm$/, '');
      out[name] = join(dir, 'RPMS', arch, f);
    }
  }
  return out;
}

/** the signature and main header of an .rpm file (both with magic), as the rpm reader returns them */
export function rpmHeaders(path: string): { signatureBytes: Uint8Array; headerBytes: Uint8Array } {
  const buf = new Uint8Array(readFileSync(path));
  const sigLen = Header.sizeAt(buf.subarray(96))!;
  const signatureBytes = buf.slice(96, 96 + sigLen);
  const hstart = 96 + sigLen + ((8 - (sigLen % 8)) % 8);
  const hLen = Header.sizeAt(buf.subarray(hstart))!;
  return { signatureBytes, headerBytes: buf.slice(hstart, hstart + hLen) };
}
