// `resolve` is a preview of the build: for the same selection options it names exactly the set
// the build installs (read back from the build's --lockfile), and an unmet request says where it
// came from (the default set, a profile, an argument).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e resolve-preview] skipped: ${avail.reason}`);

type Row = { name: string; epoch: number; version: string; release: string; arch: string; repo: string };
const nevra = (p: Row): string => `${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}@${p.repo}`;

describe.skipIf(!avail.ok)('resolve previews the build', () => {
  const env = useFixtureMirror('rfs-resolve-preview-');
  const cache = (): string[] => ['--cache-dir', join(env.dir, 'cache')];
  let n = 0;

  /** resolve --json and a build with the same selection; both sets, sorted */
  async function both(selection: string[]): Promise<{ resolved: string[]; built: string[]; names: string[] }> {
    const r = await runCli(['resolve', ...selection, '--json', ...cache()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Row[];
    const resolved = rows.map(nevra).sort();
    const id = n++;
    const lock = join(env.dir, `${id}.lock.json`);
    const b = await runCli([...selection, '--gpgkey', FIXTURE_KEY, '--format', 'dir', '-o', join(env.dir, `img${id}`), '--lockfile', lock, '-q', ...cache()]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const doc = JSON.parse(readFileSync(lock, 'utf8')) as { packages: Row[] };
    return { resolved, built: doc.packages.map(nevra).sort(), names: rows.map((p) => p.name) };
  }

  const el4 = (): string[] => ['centos:4.9', '--mirror', env.mirror.url];
  const el7 = (): string[] => ['centos:7.9.2009', '--mirror', env.mirror.url];
  const modern = (): string[] => ['--repofrompath', `modern,${env.mirror.repoUrl('modern')}`];

  it('el4: the default set plus an argument, and --no-default-packages', async () => {
    const full = await both([...el4(), 'nscd']);
    expect(full.resolved).toEqual(full.built);
    // the default set is in the preview: resolve used to solve only the arguments
    expect(full.names).toEqual(expect.arrayContaining(['passwd', 'nscd', 'vim-minimal']));
    const bare = await both([...el4(), '--no-default-packages', 'bash']);
    expect(bare.resolved).toEqual(bare.built);
    expect(bare.names).not.toContain('passwd');
    expect(bare.resolved.length).toBeLessThan(full.resolved.length);
  }, 600_000);

  it('el7: the default set, a profile, and --no-default-packages with --exclude', async () => {
    const plain = await both(el7());
    expect(plain.resolved).toEqual(plain.built);
    const sd = await both([...el7(), '--profile', 'systemd']);
    expect(sd.resolved).toEqual(sd.built);
    expect(sd.names).toContain('systemd');
    expect(plain.names).not.toContain('systemd');
    const ex = await both([...el7(), '--no-default-packages', 'bash', 'tar', '--exclude', 'vim*']);
    expect(ex.resolved).toEqual(ex.built);
    expect(ex.names.some((n) => n.startsWith('vim'))).toBe(false);
  }, 600_000);

  it('modern: arguments only, with weak deps and an --exclude that changes the choice', async () => {
    const weak = await both([...modern(), 'bash', 'coreutils', 'glibc', '--weak-deps']);
    expect(weak.resolved).toEqual(weak.built);
    const ex = await both([...modern(), 'bash', 'coreutils', 'glibc', '--weak-deps', '--exclude', 'glibc-langpack-*']);
    expect(ex.resolved).toEqual(ex.built);
    expect(ex.names.some((n) => n.startsWith('glibc-langpack-'))).toBe(false);
    expect(ex.resolved).not.toEqual(weak.resolved);
  }, 600_000);
});

describe.skipIf(!avail.ok)('an unmet request names where it came from', () => {
  const env = useFixtureMirror('rfs-resolve-origin-');
  const el4 = (): string[] => ['centos:4.9', '--mirror', env.mirror.url, '--cache-dir', join(env.dir, 'cache')];

  /** resolve and the build fail alike, exit 6, with this text */
  async function failsWith(args: string[], text: string): Promise<void> {
    for (const argv of [['resolve', ...args], [...args, '--format', 'dir', '-o', join(env.dir, 'never')]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(6);
      expect(r.stderr).toContain(text);
    }
  }

  it('the default set, with --no-default-packages as the way out', async () => {
    await failsWith([...el4(), '--exclude', 'passwd'],
      "all packages matching 'passwd' are excluded: passwd-0.68-10.1.x86_64 (from the centos:4.9 default package set; --no-default-packages leaves it out)");
  }, 120_000);

  it('a profile the release cannot serve', async () => {
    await failsWith([...el4(), '--profile', 'systemd'],
      "no package matches 'systemd' (from --profile systemd: the profile needs systemd, which this release does not have)");
  }, 120_000);

  it('an argument', async () => {
    await failsWith([...el4(), 'no-such-package'], "no package matches 'no-such-package' (your argument)");
  }, 120_000);
});
