// updateinfo.xml (advisories): the parser on real-shaped documents and hostile ones, the fixture
// repo's through the real loader over HTTP, and the host dnf's `updateinfo list` on the same repo.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRfsError, type RfsError } from '../../src/errors/index.js';
import { Fetcher } from '../../src/fetch/index.js';
import { advisoriesFor, loadRepo, readUpdateinfo } from '../../src/metadata/index.js';
import type { Advisory } from '../../src/types/index.js';
import { ensureFixtures, fixtureRepo, fixturesAvailable, startMirror, type Mirror } from '../helpers/fixtures.js';
import { compress } from './repo-builder.js';

// As RHEL/CentOS and Fedora (Bodhi) write it, plus SUSE's numeric dates and own types.
const REAL = `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="release-engineering@redhat.com" status="final" type="security" version="2">
    <id>RHSA-2024:0001</id>
    <title>Important: openssl security update</title>
    <issued date="2024-01-02 03:04:05"/>
    <updated date="2024-01-02 03:04:05"/>
    <rights>Copyright 2024 Red Hat Inc</rights>
    <release>Red Hat Enterprise Linux 9</release>
    <pushcount>1</pushcount>
    <severity>Important</severity>
    <summary>An update for openssl is now available.</summary>
    <description>OpenSSL is a toolkit &amp; library.

Security Fix(es):
* openssl: a flaw &lt;CVE-2023-5678&gt;</description>
    <solution>Before applying this update, make sure all previously released errata relevant to your system have been applied.</solution>
    <references>
      <reference href="https://access.redhat.com/errata/RHSA-2024:0001" id="RHSA-2024:0001" title="RHSA-2024:0001" type="self"/>
      <reference href="https://access.redhat.com/security/cve/CVE-2023-5678" id="CVE-2023-5678" title="CVE-2023-5678" type="cve"/>
      <reference href="https://bugzilla.redhat.com/2248616" id="2248616" title="openssl: flaw" type="bugzilla"/>
    </references>
    <pkglist>
      <collection short="">
        <name>rhel-9-for-x86_64-baseos-rpms</name>
        <package name="openssl" version="3.0.7" release="25.el9_3" epoch="1" arch="x86_64" src="openssl-3.0.7-25.el9_3.src.rpm">
          <filename>openssl-3.0.7-25.el9_3.x86_64.rpm</filename>
          <sum type="sha256">${'a'.repeat(64)}</sum>
        </package>
        <package name="openssl-libs" version="3.0.7" release="25.el9_3" epoch="1" arch="i686" src="openssl-3.0.7-25.el9_3.src.rpm">
          <filename>openssl-libs-3.0.7-25.el9_3.i686.rpm</filename>
        </package>
      </collection>
      <collection short="AppStream">
        <name>AppStream</name>
        <module name="nodejs" stream="18" version="9030020231120082734" context="rhel9" arch="x86_64"/>
        <package name="nodejs" version="18.18.2" release="2.module+el9.3.0+20625" arch="x86_64">
          <filename>nodejs-18.18.2-2.module+el9.3.0+20625.x86_64.rpm</filename>
          <reboot_suggested>True</reboot_suggested>
        </package>
      </collection>
    </pkglist>
  </update>
  <update from="updates@fedoraproject.org" status="stable" type="enhancement" version="2.0">
    <id>FEDORA-2023-8f2e1c</id>
    <title><![CDATA[vim-9.0.2120-1.fc39]]></title>
    <issued date="2023-11-27 01:23:45"/>
    <severity>None</severity>
    <references/>
    <pkglist><collection short="F39"><name>Fedora 39</name>
      <package name="vim-minimal" version="9.0.2120" release="1.fc39" epoch="2" arch="x86_64"><filename>vim-minimal-9.0.2120-1.fc39.x86_64.rpm</filename></package>
    </collection></pkglist>
  </update>
  <update from="maint-coord@suse.de" status="stable" type="recommended" version="1">
    <id>openSUSE-2023-123</id>
    <title>Recommended update for zypper</title>
    <issued date="1700000000"/>
    <pkglist><collection><package name="zypper" epoch="0" version="1.14.64" release="150400.3.32.1" arch="noarch"/></collection></pkglist>
  </update>
  <update type="newpackage"><id>FEDORA-2023-new</id><title>hello</title></update>
</updates>
`;

const caught = async (p: Promise<unknown>): Promise<RfsError> => {
  try { await p; } catch (e) { if (isRfsError(e)) return e; throw e; }
  throw new Error('expected a rejection');
};

describe('readUpdateinfo', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'rfs-updinfo-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** write `xml` gzipped and read it as a mirror's updateinfo.xml.gz */
  const read = (xml: string): Promise<Advisory[]> => {
    const path = join(dir, `u${n++}.xml.gz`);
    writeFileSync(path, compress(Buffer.from(xml), 'gz'));
    return readUpdateinfo({ path, url: `https://mirror.test/${n}/updateinfo.xml.gz`, repo: 'updates' });
  };
  const refused = (xml: string): Promise<RfsError> => caught(read(xml));

  it('reads RHEL, Fedora and SUSE advisories: ids, types, severity, dates, references, every collection', async () => {
    const got = await read(REAL);
    expect(got).toEqual([
      {
        id: 'RHSA-2024:0001', type: 'security', severity: 'Important', title: 'Important: openssl security update', issued: '2024-01-02 03:04:05',
        references: [
          { type: 'self', id: 'RHSA-2024:0001', href: 'https://access.redhat.com/errata/RHSA-2024:0001' },
          { type: 'cve', id: 'CVE-2023-5678', href: 'https://access.redhat.com/security/cve/CVE-2023-5678' },
          { type: 'bugzilla', id: '2248616', href: 'https://bugzilla.redhat.com/2248616' },
        ],
        packages: [
          { name: 'openssl', epoch: 1, version: '3.0.7', release: '25.el9_3', arch: 'x86_64' },
          { name: 'openssl-libs', epoch: 1, version: '3.0.7', release: '25.el9_3', arch: 'i686' },
          { name: 'nodejs', epoch: 0, version: '18.18.2', release: '2.module+el9.3.0+20625', arch: 'x86_64' },
        ],
      },
      {
        id: 'FEDORA-2023-8f2e1c', type: 'enhancement', severity: 'None', title: 'vim-9.0.2120-1.fc39', issued: '2023-11-27 01:23:45', references: [],
        packages: [{ name: 'vim-minimal', epoch: 2, version: '9.0.2120', release: '1.fc39', arch: 'x86_64' }],
      },
      {
        id: 'openSUSE-2023-123', type: 'recommended', title: 'Recommended update for zypper', issued: '1700000000', references: [],
        packages: [{ name: 'zypper', epoch: 0, version: '1.14.64', release: '150400.3.32.1', arch: 'noarch' }],
      },
      { id: 'FEDORA-2023-new', type: 'newpackage', title: 'hello', references: [], packages: [] },
    ]);
  });

  it('advisoriesFor matches the exact NEVRA only', async () => {
    const all = await read(REAL);
    const ssl = { name: 'openssl-libs', epoch: 1, version: '3.0.7', release: '25.el9_3', arch: 'i686' };
    expect(advisoriesFor(all, ssl).map((a) => a.id)).toEqual(['RHSA-2024:0001']);
    expect(advisoriesFor(all, { ...ssl, arch: 'x86_64' })).toEqual([]);
    expect(advisoriesFor(all, { ...ssl, epoch: 0 })).toEqual([]);
    expect(advisoriesFor(all, { ...ssl, release: '24.el9_3' })).toEqual([]);
    expect(advisoriesFor(all, { ...ssl, version: '3.0.8' })).toEqual([]);
    expect(advisoriesFor(all, { name: 'nodejs', epoch: 0, version: '18.18.2', release: '2.module+el9.3.0+20625', arch: 'x86_64' }).map((a) => a.id)).toEqual(['RHSA-2024:0001']);
  });

  it('an empty <updates/> is no advisories', async () => {
    expect(await read('<?xml version="1.0"?>\n<updates/>\n')).toEqual([]);
  });

  it('a huge attribute is refused at the attribute bound, naming the URL', async () => {
    const e = await refused(`<updates><update type="security"><id>X</id><references><reference type="cve" id="c" href="https://x/${'a'.repeat(20_000)}"/></references></update></updates>`);
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toMatch(/parsing updateinfo\.xml of repo updates: attribute href longer than 16384 characters \(limit maxAttrValue\)/);
    expect(e.subject).toMatch(/^https:\/\/mirror\.test\/\d+\/updateinfo\.xml\.gz$/);
    expect(e.hint).toBeTruthy();
  });

  it('an overlong kept text (an id of 20k characters) is refused', async () => {
    const e = await refused(`<updates><update type="bugfix"><id>${'I'.repeat(20_000)}</id></update></updates>`);
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toMatch(/id longer than 16384 characters \(limit\)/);
  });

  it('more packages in one advisory than the bound: refused', async () => {
    const pkg = '<package name="p" version="1" release="1" arch="noarch"/>';
    const e = await refused(`<updates><update type="bugfix"><id>BIG</id><pkglist><collection>${pkg.repeat(100_001)}</collection></pkglist></update></updates>`);
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toContain('advisory BIG: more than 100000 packages (limit)');
  });

  it('truncated XML and an empty file: RFS_METADATA_TRUNCATED', async () => {
    const cut = await refused(REAL.slice(0, REAL.indexOf('</pkglist>')));
    expect(cut.code).toBe('RFS_METADATA_TRUNCATED');
    expect(cut.hint).toMatch(/ends early/);
    expect((await refused('')).code).toBe('RFS_METADATA_TRUNCATED');
  });

  it('another document (primary.xml) under the updateinfo name is refused by its root element', async () => {
    const e = await refused('<?xml version="1.0"?>\n<metadata packages="0"><update><id>X</id></update></metadata>');
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toContain('root element is <metadata>, not <updates>');
  });

  it('a package without a version, a non-numeric epoch, an advisory without id: refused, hostile text escaped', async () => {
    const noVer = await refused('<updates><update><id>A</id><pkglist><collection><package name="p" release="1" arch="noarch"/></collection></pkglist></update></updates>');
    expect(noVer.message).toContain('advisory A: a <package> without name, version, release or arch (p)');
    const epoch = await refused('<updates><update><id>A</id><pkglist><collection><package name="p" epoch="1\u202e" version="1" release="1" arch="noarch"/></collection></pkglist></update></updates>');
    expect(epoch.message).toContain('package p has epoch 1\\u{202e}, not a number');
    expect((await refused('<updates><update type="security"><title>t</title></update></updates>')).message).toContain('advisory #1: no <id>');
  });
});

const fx = fixturesAvailable();
if (!fx.ok) console.warn(`[updateinfo] fixture tests skipped: ${fx.reason}`);
const dnfOk = spawnSync('dnf', ['--version'], { stdio: 'ignore' }).status === 0;
const root = process.getuid?.() === 0;
if (fx.ok && !(dnfOk && root)) console.warn(`[updateinfo] comparison with the host dnf skipped: ${dnfOk ? 'dnf --installroot install needs root' : 'dnf is not installed'}`);

describe.skipIf(!fx.ok)('the layers fixture repo', () => {
  let mirror: Mirror;
  let cache: string;
  let f: Fetcher;
  beforeAll(async () => {
    await ensureFixtures();
    mirror = await startMirror();
    cache = mkdtempSync(join(tmpdir(), 'rfs-updinfo-fx-'));
    f = new Fetcher({ cacheDir: cache, retries: 0 });
  });
  afterAll(async () => { await f.close(); await mirror.close(); rmSync(cache, { recursive: true, force: true }); });
  const load = (name: 'layers' | 'modern') => loadRepo({ id: name, baseurl: [mirror.repoUrl(name)], enabled: true }, f, { arch: 'x86_64', cacheDir: cache });
  const fetched = (): string[] => mirror.requests.filter((r) => r.includes('updateinfo'));

  it('loads advisories only when asked, once, and matches them to the repo\'s own packages', async () => {
    const repo = await load('layers');
    expect(repo.hasUpdateinfo).toBe(true);
    expect(fetched()).toEqual([]);
    const all = await repo.loadUpdateinfo();
    expect(fetched()).toHaveLength(1);
    expect(fetched()[0]).toMatch(/^\/layers\/x86_64\/repodata\/[0-9a-f]{64}-updateinfo\.xml\.zst$/);
    expect(all).toEqual([
      {
        id: 'FEDORA-2023-0001', type: 'security', severity: 'Important', title: 'app-2.0-1', issued: '2023-11-14 00:00:00',
        references: [
          { type: 'bugzilla', id: '2000001', href: 'https://bugzilla.redhat.com/show_bug.cgi?id=2000001' },
          { type: 'cve', id: 'CVE-2023-0001', href: 'https://www.cve.org/CVERecord?id=CVE-2023-0001' },
        ],
        packages: [{ name: 'app', epoch: 0, version: '2.0', release: '1', arch: 'noarch' }],
      },
      {
        id: 'FEDORA-2023-0002', type: 'bugfix', title: 'new-tool-2.0-1', issued: '2023-11-14 00:00:00',
        references: [{ type: 'bugzilla', id: '2000002', href: 'https://bugzilla.redhat.com/show_bug.cgi?id=2000002' }],
        packages: [{ name: 'new-tool', epoch: 0, version: '2.0', release: '1', arch: 'noarch' }],
      },
    ]);
    const byNevr = (v: string) => repo.packages.find((p) => `${p.name}-${p.version}-${p.release}` === v)!;
    expect(advisoriesFor(all, byNevr('app-2.0-1')).map((a) => a.id)).toEqual(['FEDORA-2023-0001']);
    expect(advisoriesFor(all, byNevr('new-tool-2.0-1')).map((a) => a.id)).toEqual(['FEDORA-2023-0002']);
    expect(advisoriesFor(all, byNevr('app-1.0-1'))).toEqual([]);
    expect(await repo.loadUpdateinfo()).toBe(all);
    // a later load reads the parsed advisories from the cache, not the mirror
    expect(await (await load('layers')).loadUpdateinfo()).toEqual(all);
    expect(fetched()).toHaveLength(1);
  });

  it('a repo without updateinfo has no advisories and fetches nothing for them', async () => {
    const repo = await load('modern');
    expect(repo.hasUpdateinfo).toBe(false);
    expect(await repo.loadUpdateinfo()).toEqual([]);
    expect(fetched().filter((r) => r.startsWith('/modern/'))).toEqual([]);
  });

  it('a damaged updateinfo fails loadUpdateinfo, not loadRepo', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'rfs-updinfo-bad-'));
    const f2 = new Fetcher({ cacheDir: fresh, retries: 0 });
    try {
      mirror.fault(/updateinfo/, 'corrupt', 1);
      const repo = await loadRepo({ id: 'layers', baseurl: [mirror.repoUrl('layers')], enabled: true }, f2, { arch: 'x86_64', cacheDir: fresh });
      const e = await caught(repo.loadUpdateinfo());
      expect(e.code).toBe('RFS_CHECKSUM_MISMATCH');
      expect(e.message).toContain('updateinfo of repo layers');
    } finally {
      mirror.clearFaults();
      await f2.close();
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it.skipIf(!dnfOk || !root)('the host dnf lists the same advisories for the same packages', async () => {
    const all = await (await load('layers')).loadUpdateinfo();
    const dir = mkdtempSync(join(tmpdir(), 'rfs-updinfo-dnf-'));
    try {
      const dnf = (args: string[]): string => execFileSync('dnf', [
        '-q', '-y', `--installroot=${join(dir, 'root')}`, '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(dir, 'cache')}`,
        '--releasever=39', '--nogpgcheck', `--repofrompath=layers,file://${fixtureRepo('layers')}`, '--repo=layers', ...args,
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      // dnf lists advisories against what is installed: app 1.0 (2.0 is an update), new-tool 2.0 (installed)
      dnf(['install', 'app-1.0-1', 'new-tool-2.0-1']);
      const rows = dnf(['updateinfo', 'list', '--all']).trim().split('\n').map((l) => l.replace(/^i /, '').trim().split(/\s+/));
      const ours = all.flatMap((a) => a.packages.map((p) => [a.id, a.type === 'security' ? `${a.severity ?? ''}/Sec.` : a.type, `${p.name}-${p.version}-${p.release}.${p.arch}`]));
      expect(rows.sort()).toEqual(ours.sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
