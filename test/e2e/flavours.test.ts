// Each rpmdb era through the whole pipeline, read back by independent readers:
// centos:7.9.2009 -> BDB hash v9; a Fedora-style repo with --rpmdb sqlite -> rpmdb.sqlite.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getPackages, getPackagesSqlite } from '@snyk/rpm-parser';
import { describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { have, listTar, rpmQuery, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e flavours] skipped: ${avail.reason}`);
const SDE = '1600000000';

function extract(tar: string, into: string, member: string): void {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xf', tar, '-C', into, member]);
}

describe.skipIf(!avail.ok)('rpmdb flavours end to end', () => {
  const env = useFixtureMirror('rfs-flav-');
  it('centos:7.9.2009 gets a hash v9 rpmdb that rpm, db5.3_verify and @snyk/rpm-parser read alike', async () => {
    const tar = join(env.dir, 'c7.tar');
    const r = await runCli(['centos:7.9.2009', '--gpgkey', FIXTURE_KEY, '--mirror', env.mirror.url, '-o', tar, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code, r.stderr).toBe(0);
    const root = join(env.dir, 'c7');
    extract(tar, root, 'var/lib/rpm');
    const pk = readFileSync(join(root, 'var/lib/rpm/Packages'));
    expect(pk.readUInt32LE(16)).toBe(9);
    if (have('db5.3_verify')) {
      for (const f of readdirSync(join(root, 'var/lib/rpm'))) {
        const v = spawnSync('db5.3_verify', [join(root, 'var/lib/rpm', f)]);
        expect(v.status, `${f}: ${v.stderr}`).toBe(0);
      }
    }
    const snyk = await getPackages(pk);
    expect(snyk.error).toBeUndefined();
    // gpg-pubkey (the fixture key, imported as it verified the packages) has no arch: rpm says (none)
    const fromSnyk = snyk.response.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch ?? '(none)'}`).sort();
    expect(fromSnyk).toContain('gpg-pubkey-8afd667f-41d5e800.(none)');
    if (have('rpm')) {
      const fromRpm = rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']).trim().split('\n').sort();
      expect(fromSnyk).toEqual(fromRpm);
      // (a scriptlet-only prereq like /bin/sh is not indexed, as rpm 4.11 does not)
      expect(rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-q', '--whatrequires', 'python-iniparse', '--qf', '%{NAME}\n'])).toMatch(/^yum$/m);
    }
    for (const n of ['bash', 'centos-release', 'coreutils', 'yum', 'rpm', 'vim-minimal']) expect(fromSnyk.some((p) => p.startsWith(`${n}-`))).toBe(true);
  }, 300_000);

  it('a modern repo with --rpmdb sqlite gets an rpmdb.sqlite that sqlite3, rpm and @snyk/rpm-parser read', async () => {
    const tar = join(env.dir, 'modern.tar');
    const r = await runCli([
      '--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, '--rpmdb', 'sqlite', '--rpmdb-path', '/usr/lib/sysimage/rpm',
      'bash', 'coreutils-single', 'setup', 'filesystem', 'rpm', 'shadow-utils', 'systemd',
      '-o', tar, '--cache-dir', join(env.dir, 'cache'), '-q',
    ], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code, r.stderr).toBe(0);
    const m = listTar(tar);
    expect(m.get('/var/lib/rpm')).toMatchObject({ type: 'symlink', linkname: '../../usr/lib/sysimage/rpm' });
    const root = join(env.dir, 'modern');
    extract(tar, root, 'usr/lib/sysimage/rpm');
    const names = readdirSync(join(root, 'usr/lib/sysimage/rpm'));
    expect(names).toEqual(['rpmdb.sqlite']); // no -wal, -shm or journal left behind
    const db = join(root, 'usr/lib/sysimage/rpm/rpmdb.sqlite');
    if (have('sqlite3')) {
      expect(execFileSync('sqlite3', [db, 'pragma integrity_check']).toString().trim()).toBe('ok');
      expect(execFileSync('sqlite3', [db, 'pragma journal_mode']).toString().trim()).toBe('delete');
    }
    const snyk = await getPackagesSqlite(readFileSync(db));
    expect(snyk.error).toBeUndefined();
    const fromSnyk = snyk.response.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}`).sort();
    if (have('rpm')) {
      // rpm opens sqlite read-write and leaves -wal/-shm: query a copy
      const copy = join(env.dir, 'modern-copy');
      cpSync(root, copy, { recursive: true });
      const fromRpm = rpmQuery(copy, '/usr/lib/sysimage/rpm', 'sqlite', ['-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']).trim().split('\n').sort();
      expect(fromSnyk).toEqual(fromRpm);
      expect(rpmQuery(copy, '/usr/lib/sysimage/rpm', 'sqlite', ['-qf', '/usr/bin/bash', '--qf', '%{NAME}\n']).trim()).toBe('bash');
    }
    expect(fromSnyk.some((p) => p.startsWith('systemd-'))).toBe(true);
  }, 300_000);
});
