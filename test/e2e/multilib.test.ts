// Multilib twins through the merge: rpm's file colours decide shared ELF paths (64-bit wins on
// x86_64, the loser recorded WRONGCOLOR in the rpmdb), real conflicts stop the build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesAvailable } from '../helpers/fixtures.js';
import { have, rpmQuery, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e multilib] skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)('multilib twins', () => {
  const env = useFixtureMirror('rfs-ml-');
  const args = (out: string, ...pkgs: string[]): string[] => [
    '--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, '--rpmdb', 'sqlite', ...pkgs, '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q',
  ];

  it('glibc.i686 + glibc.x86_64: the 64-bit ldconfig wins, the 32-bit one is WRONGCOLOR', async () => {
    const out = join(env.dir, 'ml.tar');
    const r = await runCli(args(out, 'glibc.x86_64', 'glibc.i686'), { SOURCE_DATE_EPOCH: '1600000000' });
    expect(r.code, r.stderr).toBe(0);
    const root = join(env.dir, 'ml');
    mkdirSync(root);
    execFileSync('tar', ['-xf', out, '-C', root]);
    // the elf64 stand-in is larger than the elf32 one; check the ELF class byte directly
    const ldconfig = execFileSync('od', ['-An', '-tx1', '-j4', '-N1', join(root, 'usr/sbin/ldconfig')]).toString().trim();
    expect(ldconfig).toBe('02'); // ELFCLASS64
    if (!have('rpm')) return;
    const states = rpmQuery(root, '/var/lib/rpm', 'sqlite', ['-q', '--qf', '[%{FILESTATES:fstate} %{FILENAMES}\\n]', 'glibc.i686']);
    expect(states).toMatch(/wrong color \/usr\/sbin\/ldconfig/);
    const v = rpmQuery(root, '/var/lib/rpm', 'sqlite', ['-q', '--qf', '[%{FILESTATES:fstate} %{FILENAMES}\\n]', 'glibc.x86_64']);
    expect(v).toMatch(/normal +\/usr\/sbin\/ldconfig/);
  });

  it('a real conflict between twins fails the build as rpm reports it, leaving no output', async () => {
    const out = join(env.dir, 'conflict.tar');
    const r = await runCli(args(out, 'ml-conflict.x86_64', 'ml-conflict.i686'));
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/RFS_FILE_CONFLICT: installing ml-conflict-.*: file \S+ conflicts with file from package ml-conflict-/);
    expect(existsSync(out)).toBe(false);
  });
});
