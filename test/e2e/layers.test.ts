// --layers N through the CLI on the el7 fixture repos: the layered image's merged view equals the
// one-layer image file by file, each layer stands alone, images sharing packages share layer
// digests, a one-package update changes only that package's layer and the final one, the output
// is byte-identical across runs and --jobs, and podman loads and runs the oci-archive and the
// docker-archive.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { have, isRoot, runCli, useFixtureMirror } from './helpers.js';
import { mergedView, readOciArchive } from './layers-read.js';
import type { ReadLayer } from './layers-read.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e layers] skipped: ${avail.reason}`);
const podmanOk = isRoot && have('podman') && have('skopeo');

const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
const LIMITS = ['--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000'];
const podman = (...args: string[]) => spawnSync('podman', [...P, ...args], { encoding: 'utf8', timeout: 180_000 });
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
// the bash update in el7-updates; excluding it gives the image as it was before the update
const OLD_BASH = ['--exclude', 'bash-4.2.46-35.el7_9*'];

describe.skipIf(!avail.ok)('--layers on centos:7 fixture images', () => {
  const env = useFixtureMirror('rfs-layers-');
  const out = (name: string): string => join(env.dir, name);
  const build = async (name: string, args: string[]): Promise<void> => {
    const r = await runCli(['centos:7', '--mirror', env.mirror.url, '--gpgkey', FIXTURE_KEY, '--cache-dir', out('cache'), '-q', '-o', out(name), ...args],
      { SOURCE_DATE_EPOCH: '1700000000' });
    if (r.code !== 0) throw new Error(`build ${name}: ${r.stderr}`);
  };
  const L: Record<string, ReadLayer[]> = {};

  beforeAll(async () => {
    await build('one.tar', ['--format', 'oci-archive', '--layers', '1']);
    await build('chunked.tar', ['--format', 'oci-archive', '--layers', '16']);
    await build('chunked-j1.tar', ['--format', 'oci-archive', '--layers', '16', '-j', '1']);
    await build('plus.tar', ['openssh', '--format', 'oci-archive', '--layers', '16']);
    await build('old-bash.tar', [...OLD_BASH, '--format', 'oci-archive', '--layers', '16']);
    await build('docker.tar', ['--format', 'docker-archive', '--layers', '16']);
    await build('layout', ['--format', 'oci', '--layers', '16']);
    for (const n of ['one', 'chunked', 'plus', 'old-bash']) L[n] = readOciArchive(out(`${n}.tar`));
  }, 600_000);

  it('splits into at most 16 layers, one history entry each naming its packages, rpmdb last', () => {
    const layers = L.chunked!;
    expect(L.one!).toHaveLength(1);
    expect(layers.length).toBeGreaterThan(8);
    expect(layers.length).toBeLessThanOrEqual(16);
    for (const l of layers.slice(0, -1)) expect(l.comment).toMatch(/^rpm packages: \S+\.(x86_64|noarch)/);
    const last = layers[layers.length - 1]!;
    expect(last.comment).toMatch(/rpmdb/);
    expect(last.members.map(([n]) => n)).toContain('var/lib/rpm/Packages');
    // the files scriptlets write are in the final layer only
    const where = (path: string) => layers.filter((l) => l.members.some(([n]) => n === path)).length;
    const inLast = (path: string) => last.members.some(([n]) => n === path);
    for (const path of ['etc/passwd', 'etc/group', 'etc/ld.so.cache']) expect([path, where(path), inLast(path)]).toEqual([path, 1, true]);
    // setup ships /etc/shells; bash's <lua> %post finds /bin/sh and /bin/bash listed and writes
    // nothing (as rpm's lua does), so the file stays in setup's layer, once, with the final content
    expect([where('etc/shells'), inLast('etc/shells')]).toEqual([1, false]);
    const shells = layers.flatMap((l) => l.members).find(([n]) => n === 'etc/shells')![1];
    expect(mergedView(L.one!).get('etc/shells')!.sha).toBe(shells.sha);
    // every package is in exactly one layer
    const pkgs = layers.flatMap((l) => (l.comment.startsWith('rpm packages: ') ? l.comment.slice(14).split(' ') : []));
    expect(new Set(pkgs).size).toBe(pkgs.length);
  });

  it('merged, equals the one-layer image file by file (owner, mode, content, links)', () => {
    const one = mergedView(L.one!);
    const merged = mergedView(L.chunked!);
    expect([...merged.keys()].sort()).toEqual([...one.keys()].sort());
    for (const [path, m] of one) expect([path, merged.get(path)]).toEqual([path, m]);
  });

  it('writes each non-directory path once, and every layer holds its own parent directories', () => {
    const seen = new Map<string, number>();
    for (const l of L.chunked!) {
      const dirs = new Set<string>();
      for (const [name, m] of l.members) {
        const parent = posix.dirname(name);
        if (parent !== '.') expect(dirs.has(parent), `${name}: parent in ${l.comment}`).toBe(true);
        if (m.type === 'dir') dirs.add(name);
        else seen.set(name, (seen.get(name) ?? 0) + 1);
        if (m.type === 'hardlink') expect(l.members.some(([n]) => n === m.link), `${name} -> ${m.link} within its layer`).toBe(true);
      }
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    // the fixture gzip hard-links gzip and zcat: the check above is not vacuous
    expect(L.chunked!.some((l) => l.members.some(([, m]) => m.type === 'hardlink'))).toBe(true);
  });

  it('is byte-identical across runs and --jobs', () => {
    expect(sha(out('chunked-j1.tar'))).toBe(sha(out('chunked.tar')));
  });

  it('an image with one more package shares every layer whose packages are the same', () => {
    const a = L.chunked!;
    const b = L.plus!;
    expect(b.some((l) => l.comment.includes('openssh-'))).toBe(true);
    const digests = new Set(b.map((l) => l.digest));
    const notShared = a.filter((l) => !digests.has(l.digest));
    // the same packages give the same bytes, even though openssh adds a group to /etc/group
    for (const l of a.slice(0, -1)) {
      const same = b.find((x) => x.comment === l.comment);
      if (same) expect(same.digest, l.comment).toBe(l.digest);
      else expect(notShared, l.comment).toContain(l);
    }
    // openssh is big enough for its own layer: it pushes the smallest own-layer package into a
    // bin, which changes that bin too; everything else is shared
    expect(notShared.length).toBeLessThanOrEqual(3);
    expect(notShared).toContain(a[a.length - 1]);
  });

  it('a one-package update changes only its layer and the final layer', () => {
    const before = L['old-bash']!;
    const after = L.chunked!;
    expect(before.some((l) => /bash-4\.2\.46-34\.el7/.test(l.comment))).toBe(true);
    const kept = new Set(before.map((l) => l.digest));
    const changed = after.filter((l) => !kept.has(l.digest));
    expect(changed.map((l) => l.comment)).toHaveLength(2);
    expect(changed[0]!.comment).toMatch(/bash-4\.2\.46-35\.el7_9/);
    expect(changed[1]).toBe(after[after.length - 1]);
  });

  it('writes the same layer blobs into an oci directory layout', () => {
    const blob = (d: string): Buffer => readFileSync(join(out('layout'), 'blobs', ...d.split(':')));
    const index = JSON.parse(readFileSync(join(out('layout'), 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { layers: { digest: string }[] };
    expect(manifest.layers.map((l) => l.digest)).toEqual(L.chunked!.map((l) => l.digest));
    for (const l of manifest.layers) expect(`sha256:${createHash('sha256').update(blob(l.digest)).digest('hex')}`).toBe(l.digest);
  });

  it('refuses --layers with tar and dir, and bad counts, before any network work (exit 2)', async () => {
    for (const args of [['--layers', '4'], ['--layers', '4', '--format', 'dir'], ['--layers', '0', '--format', 'oci'], ['--layers', '126', '--format', 'oci'], ['--layers', '2x', '--format', 'oci']]) {
      const r = await runCli(['centos:7', '--mirror', 'http://127.0.0.1:9/', '-o', out('refused'), ...args]);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(/--layers/);
    }
  });

  it.skipIf(!podmanOk)('podman loads and runs the oci-archive and the docker-archive', () => {
    for (const [kind, file] of [['oci-archive', 'chunked.tar'], ['docker-archive', 'docker.tar']] as const) {
      const image = `localhost/rfs-layers-${kind}:${process.pid}`;
      try {
        const copy = spawnSync('skopeo', ['copy', '-q', `${kind}:${out(file)}`, `containers-storage:${image}`], { encoding: 'utf8', timeout: 180_000 });
        expect(copy.status, copy.stderr).toBe(0);
        const history = podman('history', '--format', '{{.Comment}}', image);
        expect(history.stdout.trim().split('\n').length).toBe(L.chunked!.length);
        const run = podman('run', '--rm', ...LIMITS, image, '/bin/sh', '-c', 'cat /etc/centos-release && rpm -q bash && ls -ld /usr/bin');
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/CentOS/);
      } finally {
        podman('rmi', '-f', image);
      }
    }
  });
});
