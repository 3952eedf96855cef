// inspectPackage: every name a package carries checked with the unpacker's rules, the archive listed
// with content digests; real packages of every era give no finding, crafted ones each theirs.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectPackage, type PathFinding } from '../../src/rpm/index.js';
import { FileFlag } from '../../src/types/index.js';
import { concat } from '../../src/util/bytes.js';
import { fixtureManifest, fixtureRepo, fixturesAvailable, FIXTURE_REPOS } from '../helpers/fixtures.js';
import { craftRpm, type CraftOptions } from './craft.js';
import { HAVE_REALDATA, RPMS, packageFiles } from './helpers.js';

const reasons = (fs: PathFinding[]): string[] => fs.map((f) => `${f.severity} ${f.where} ${f.name}: ${f.reason}`);

const fx = fixturesAvailable();
if (!fx.ok) console.warn(`[test/rpm/inspect] skipping the fixture packages: ${fx.reason}`);

describe.skipIf(!fx.ok)('inspectPackage on the fixture packages (el4, el7, modern)', () => {
  it('finds nothing to warn about, and every archived file matches its header digest', async () => {
    let checked = 0;
    for (const repo of FIXTURE_REPOS) {
      for (const p of fixtureManifest()[repo] ?? []) {
        const ins = await inspectPackage(join(fixtureRepo(repo), p.href));
        const name = `${repo}/${p.name}`;
        expect(ins.findings, name).toEqual([]);
        const members = ins.members ?? [];
        expect(members.filter((m) => m.digestOk === false), name).toEqual([]);
        expect(members.length, name).toBe(ins.pkg.meta.files.filter((f) => !(f.flags & FileFlag.GHOST)).length);
        checked += members.filter((m) => m.digestOk).length;
      }
    }
    expect(checked).toBeGreaterThan(100);
  }, 120_000);
});

describe.skipIf(!HAVE_REALDATA)('inspectPackage on ../shared/realdata packages (CentOS 2.1 to rpm 6)', () => {
  it('no false alarm: what opens has no finding and no content digest mismatch', async () => {
    let opened = 0;
    for (const f of packageFiles()) {
      const headerOnly = f.includes('/header-only/');
      let ins;
      try {
        ins = await inspectPackage(f, { headerOnly });
      } catch {
        continue; // damaged on purpose (test/rpm/corrupt, realdata.test.ts check those)
      }
      opened++;
      const name = relative(RPMS, f);
      expect(reasons(ins.findings), name).toEqual([]);
      expect((ins.members ?? []).filter((m) => m.digestOk === false).map((m) => m.name), name).toEqual([]);
    }
    expect(opened).toBeGreaterThan(100);
  }, 120_000);
});

const inspect = async (o: CraftOptions, opts = {}): Promise<string[]> => reasons((await inspectPackage(craftRpm(o), opts)).findings);

describe('inspectPackage on crafted packages', () => {
  it('a clean package: no findings, digests checked', async () => {
    const ins = await inspectPackage(craftRpm({ files: [{ path: '/usr/bin/x', content: 'hello' }, { path: '/usr/bin/y', linkTo: 'x' }] }));
    expect(ins.findings).toEqual([]);
    expect(ins.pkg.checks.map((c) => c.name)).toEqual(['sha256header', 'size', 'payloadsha256']);
    expect(ins.members?.map((m) => [m.name, m.digestOk])).toEqual([['./usr/bin/x', true], ['./usr/bin/y', null]]);
  });

  it('what the issue saw: header path /../../etc/x and payload name ../x', async () => {
    expect(await inspect({ files: [{ path: '/../../etc/x', content: 'a' }, { path: '/usr/bin/z', content: 'zz', archiveName: '../x' }] })).toEqual([
      'unsafe header /../../etc/x: escapes / after normalisation',
      "unsafe payload ./../../etc/x: climbs above the root with '..'",
      "unsafe payload ../x: climbs above the root with '..'",
      'unsafe payload /usr/bin/z: in the header but missing from the archive',
    ]);
  });

  it('absolute, control-character, empty-segment and unlisted archive names', async () => {
    expect(await inspect({
      files: [{ path: '/usr/bin/a', content: 'a', archiveName: '/usr/bin/a' }, { path: '/usr/bin/b', content: 'b', archiveName: './usr/./bin/b' }],
      extra: [{ name: './etc/cron.d/evil', content: '* * * * * root sh' }, { name: './usr/bin/\x1b[2J' }],
    })).toEqual([
      'unsafe payload /usr/bin/a: absolute archive name',
      "odd payload ./usr/./bin/b: not normalised ('.', '//' or trailing '/')",
      "unsafe payload ./usr/./bin/b: not in the header's file list",
      "unsafe payload ./etc/cron.d/evil: not in the header's file list",
      'unsafe payload ./usr/bin/\x1b[2J: control character in name',
      'unsafe payload /usr/bin/a: in the header but missing from the archive',
      'unsafe payload /usr/bin/b: in the header but missing from the archive',
    ]);
  });

  it('header names: control characters, empty, over-long, listed twice', async () => {
    expect(await inspect({
      files: [{ path: '/usr/bin/a\nb', content: '' }, { path: `/usr/${'x'.repeat(256)}`, content: '' }, { path: '/usr/bin/c', content: 'c' }, { path: '/usr/bin/c', content: 'c' }],
    })).toEqual([
      'unsafe header /usr/bin/a\nb: control character in name',
      `unsafe header /usr/${'x'.repeat(256)}: path component longer than 255 characters`,
      'odd header /usr/bin/c: listed twice in the header (also file 2)',
      'unsafe payload ./usr/bin/a\nb: control character in name',
      `unsafe payload ./usr/${'x'.repeat(256)}: path component longer than 255 characters`,
      'unsafe payload ./usr/bin/c: appears twice in the archive',
    ]);
  });

  it('symlinks: escaping the root, and an archive target that differs from the header', async () => {
    expect(await inspect({
      files: [{ path: '/usr/lib/l', linkTo: '../../../etc/shadow' }, { path: '/usr/lib/m', linkTo: 'libm.so.6', archiveContent: '/etc/shad' }],
    })).toEqual([
      "odd symlink /usr/lib/l -> ../../../etc/shadow: relative symlink target climbs above / with '..'",
      "odd symlink /usr/lib/m -> /etc/shad: the archive's target differs from the header's (libm.so.6)",
    ]);
  });

  it('hard links and archive entries that disagree with the header', async () => {
    const ins = await inspectPackage(craftRpm({
      files: [
        { path: '/usr/lib/a', content: 'AAAA', inode: 50 }, { path: '/usr/lib/b', content: 'BB', inode: 50 },
        { path: '/usr/bin/t', content: 'x', archiveMode: 0o120777 },
        { path: '/usr/bin/s', content: 'short', archiveContent: 'longer!' },
        { path: '/usr/bin/d', content: 'same size', archiveContent: 'SAME SIZE' },
      ],
    }));
    expect(reasons(ins.findings)).toEqual([
      'odd hardlink /usr/lib/b = /usr/lib/a: hard-linked files disagree on size or digest in the header',
      'odd payload ./usr/bin/t: a symlink in the archive, a file in the header',
      'unsafe payload ./usr/bin/s: 7 bytes in the archive, 5 in the header',
    ]);
    // content that does not match its header digest: listed, not a path finding
    expect(ins.members?.find((m) => m.name === './usr/bin/d')?.digestOk).toBe(false);
  });

  it('findings are bounded: a thousand listed, the rest counted', async () => {
    const extra = Array.from({ length: 1500 }, (_, i) => ({ name: `./junk/${i}` }));
    const ins = await inspectPackage(craftRpm({ files: [{ path: '/a', content: 'a' }], extra }));
    expect(ins.findings.length).toBe(1000);
    expect(ins.findingsDropped).toBe(500);
  });

  it('headerOnly: header findings without reading the archive', async () => {
    const ins = await inspectPackage(craftRpm({ files: [{ path: '/../x', content: 'a' }] }), { headerOnly: true });
    expect(ins.members).toBeNull();
    expect(reasons(ins.findings)).toEqual(['unsafe header /../x: escapes / after normalisation']);
  });
});

describe('inspectPackage reads the payload once, digests included', () => {
  const pkg = (): Uint8Array => craftRpm({ files: [{ path: '/usr/bin/x', content: 'hello' }] });
  it('the payload checks run in the listing pass and are reported', async () => {
    const ins = await inspectPackage(pkg());
    expect(ins.pkg.checks.map((c) => c.name)).toEqual(['sha256header', 'size', 'payloadsha256']);
    expect(ins.members?.map((m) => m.digestOk)).toEqual([true]);
    expect((await inspectPackage(pkg(), { verify: false })).pkg.checks).toEqual([]);
  });
  it('bytes after the compressed archive still count: a longer file fails the size check', async () => {
    const longer = concat([pkg(), new Uint8Array(7)]);
    await expect(inspectPackage(longer)).rejects.toMatchObject({ code: 'RFS_RPM_DIGEST_MISMATCH', details: { check: 'size' } });
    expect((await inspectPackage(longer, { verify: false })).findings).toEqual([]);
  });
});

describe.skipIf(!HAVE_REALDATA)('inspectPackage on a damaged payload', () => {
  it('a flipped payload byte is reported by its digest, not by where the listing broke', async () => {
    const bytes = new Uint8Array(readFileSync(join(RPMS, 'rpm-testsuite', 'hello-2.0-1.x86_64.rpm')));
    const { payloadOffset } = await inspectPackage(bytes, { headerOnly: true }).then((i) => i.pkg);
    const bad = bytes.slice();
    const at = payloadOffset + Math.floor((bytes.length - payloadOffset) / 2);
    bad[at] = bad[at]! ^ 0xff;
    await expect(inspectPackage(bad)).rejects.toMatchObject({ code: 'RFS_RPM_DIGEST_MISMATCH' });
    await expect(inspectPackage(bad, { verify: false })).rejects.not.toMatchObject({ code: 'RFS_RPM_DIGEST_MISMATCH' });
  });
});

