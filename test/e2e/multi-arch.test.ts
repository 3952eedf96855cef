// Multi-arch builds (--platform, --arch repeated) from the arches fixture repo: one OCI image index
// read back by skopeo (each platform named, in a stable order whatever the flag order), each
// platform's image the same manifest as a single-arch build, byte-identical archives across runs,
// per-arch lockfiles and SBOMs, a push to a real registry, and the usage errors.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesAvailable } from '../helpers/fixtures.js';
import { registryAvailable, startRegistry } from '../helpers/registry.js';
import { have, isRoot, run, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
const skip = !avail.ok ? avail.reason : !have('skopeo') ? 'skopeo is not installed' : '';
if (skip) console.warn(`[e2e multi-arch] skipped: ${skip}`);
const reg = registryAvailable();

const sha = (b: string | Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const SDE = { SOURCE_DATE_EPOCH: '1700000000' };

interface Index { mediaType: string; manifests: { digest: string; mediaType: string; platform: { architecture: string; os: string; variant?: string } }[] }

describe.skipIf(skip !== '')('multi-arch images (arches fixture repo)', () => {
  const env = useFixtureMirror('rfs-multi-');
  const skopeo = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => run('skopeo', args, { ...process.env, TMPDIR: env.dir });
  const repo = (): string[] => ['--repofrompath', `arches,${env.mirror.repoUrl('arches')}`, 'xtools', '--cache-dir', join(env.dir, 'cache'), '-q'];
  const platforms = (ix: Index): string[] => ix.manifests.map((m) => [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/'));

  it('--platform: one oci-archive index of each platform, reproducible, with per-arch lockfiles and SBOMs', async () => {
    const a = join(env.dir, 'a.tar');
    const r = await runCli([...repo(), '--platform', 'linux/s390x,linux/arm64', '--platform', 'linux/amd64', '--format', 'oci-archive', '-o', a,
      '--lockfile', join(env.dir, 'lock.json'), '--sbom', join(env.dir, 'sbom.spdx.json'), '--digest-file', join(env.dir, 'digest')], SDE);
    expect(r.code, r.stderr).toBe(0);
    const raw = await skopeo(['inspect', '--raw', `oci-archive:${a}`]);
    expect(raw.code, raw.stderr).toBe(0);
    const index = JSON.parse(raw.stdout) as Index;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(platforms(index)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/s390x']);
    expect(readFileSync(join(env.dir, 'digest'), 'utf8')).toBe(`${sha(raw.stdout)}\n`);
    // each platform's config says its arch; the lockfile and SBOM of each arch hold its xlibc
    for (const [arch, goArch] of [['x86_64', 'amd64'], ['aarch64', 'arm64'], ['s390x', 's390x']] as const) {
      const cfg = await skopeo(['inspect', '--config', '--override-arch', goArch, `oci-archive:${a}`]);
      expect(JSON.parse(cfg.stdout)).toMatchObject({ architecture: goArch, os: 'linux' });
      const lock = JSON.parse(readFileSync(join(env.dir, `lock.${arch}.json`), 'utf8')) as { packages: { name: string; arch: string }[] };
      expect(lock.packages.map((p) => `${p.name}.${p.arch}`).sort()).toEqual([`xlibc.${arch}`, 'xtools.noarch']);
      expect(readFileSync(join(env.dir, `sbom.spdx.${arch}.json`), 'utf8')).toContain(`pkg:rpm/`);
      expect(readFileSync(join(env.dir, `sbom.spdx.${arch}.json`), 'utf8')).toContain(`arch=${arch}`);
    }
    expect(existsSync(join(env.dir, 'lock.json'))).toBe(false);

    // the same arches as repeated --arch, in another order: the same bytes
    const b = join(env.dir, 'b.tar');
    const r2 = await runCli([...repo(), '--arch', 'aarch64', '--arch', 's390x', '--arch', 'x86_64', '--format', 'oci-archive', '-o', b], SDE);
    expect(r2.code, r2.stderr).toBe(0);
    expect(sha(readFileSync(b))).toBe(sha(readFileSync(a)));

    // the arm64 image is the single-arch --arch aarch64 build's: same manifest digest, so same config and layers
    const single = join(env.dir, 'arm.oci');
    const r3 = await runCli([...repo(), '--arch', 'aarch64', '--format', 'oci', '-o', single], SDE);
    expect(r3.code, r3.stderr).toBe(0);
    const singleDigest = (JSON.parse(readFileSync(join(single, 'index.json'), 'utf8')) as Index).manifests[0]!.digest;
    const copied = join(env.dir, 'copied');
    const cp = await skopeo(['copy', '--override-arch', 'arm64', `oci-archive:${a}`, `oci:${copied}:arm`]);
    expect(cp.code, cp.stderr).toBe(0);
    const copiedIndex = JSON.parse(readFileSync(join(copied, 'index.json'), 'utf8')) as Index;
    expect(copiedIndex.manifests[0]!.digest).toBe(singleDigest);
    expect(index.manifests.find((m) => m.platform.architecture === 'arm64')!.digest).toBe(singleDigest);
  }, 600_000);

  it('--format oci writes the layout with the index blob named by index.json', async () => {
    const out = join(env.dir, 'multi.oci');
    // a fresh cache: the noarch package is downloaded for the first arch only, and one 'done' ends the build
    const r = await runCli(['--repofrompath', `arches,${env.mirror.repoUrl('arches')}`, 'xtools', '--cache-dir', join(env.dir, 'cache2'), '--json-progress',
      '--platform', 'linux/arm64,linux/amd64', '--format', 'oci', '-o', out], SDE);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; nevra?: string; fromCache?: boolean });
    // the arches run in index order (amd64 first); within one, downloads finish in any order
    const got = events.filter((e) => e.kind === 'package:downloaded').map((e) => `${e.nevra} ${e.fromCache}`);
    expect(got.slice(0, 2).sort()).toEqual(['xlibc-2.36-1.x86_64 false', 'xtools-1.0-1.noarch false']);
    expect(got.slice(2).sort()).toEqual(['xlibc-2.36-1.aarch64 false', 'xtools-1.0-1.noarch true']);
    expect(events.filter((e) => e.kind === 'done')).toHaveLength(1);
    const top = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Index;
    expect(top.manifests).toHaveLength(1);
    const blob = readFileSync(join(out, 'blobs', 'sha256', top.manifests[0]!.digest.slice(7)));
    expect(sha(blob)).toBe(top.manifests[0]!.digest);
    expect(platforms(JSON.parse(blob.toString()) as Index)).toEqual(['linux/amd64', 'linux/arm64/v8']);
  }, 600_000);

  it.skipIf(!reg.ok)('--push sends the index; skopeo reads each platform back from the registry', async () => {
    const registry = await startRegistry(join(env.dir, 'reg'));
    try {
      writeFileSync(join(env.dir, 'none.json'), '{"auths":{}}');
      const r = await runCli([...repo(), '--platform', 'linux/amd64,linux/arm64,linux/s390x', '--push', `${registry.host}/rfs/multi:1`, '--tls-verify=false'],
        { ...SDE, REGISTRY_AUTH_FILE: join(env.dir, 'none.json') });
      expect(r.code, r.stderr).toBe(0);
      const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/rfs/multi:1`]);
      expect(raw.code, raw.stderr).toBe(0);
      expect(r.stdout).toBe(`${registry.host}/rfs/multi@${sha(raw.stdout)}\n`);
      expect(platforms(JSON.parse(raw.stdout) as Index)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/s390x']);
      // the index pushed is the one the oci-archive build wrote (same inputs)
      const archive = join(env.dir, 'for-push.tar');
      expect((await runCli([...repo(), '--platform', 'linux/s390x,linux/amd64,linux/arm64', '--format', 'oci-archive', '-o', archive], SDE)).code).toBe(0);
      const local = await skopeo(['inspect', '--raw', `oci-archive:${archive}`]);
      expect(raw.stdout).toBe(local.stdout);
      if (!isRoot || !have('podman')) return console.warn('podman part skipped: podman (as root) not available');
      // the amd64 image runs: the fixture has no shell, but its (host-built) loader runs its libc, which prints its banner
      const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
      const ref = `${registry.host}/rfs/multi:1`;
      const penv = { ...process.env, TMPDIR: env.dir };
      const pull = await run('podman', [...P, 'pull', '-q', '--tls-verify=false', '--platform', 'linux/amd64', ref], penv);
      expect(pull.code, pull.stderr).toBe(0);
      try {
        const arch = await run('podman', [...P, 'image', 'inspect', '--format', '{{.Architecture}}', ref], penv);
        expect(arch.stdout.trim()).toBe('amd64');
        const out = await run('podman', [...P, 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000', ref,
          '/usr/lib64/ld-linux-x86-64.so.2', '/usr/lib64/libc.so.6'], penv);
        expect(out.stdout, out.stderr).toMatch(/^GNU C Library .*release version 2\.36/);
      } finally {
        await run('podman', [...P, 'rmi', '-f', ref], penv);
      }
    } finally {
      await registry.close();
    }
  }, 600_000);

  it.each([
    [['--platform', 'linux/mips64'], /--platform linux\/mips64: unknown platform/, /known: linux\/386, linux\/amd64/],
    [['--platform', 'linux/amd64,linux/arm64', '--format', 'tar', '-o', 'x.tar'], /cannot hold/, /oci-archive/],
    [['--platform', 'linux/amd64', '--arch', 'aarch64', '--format', 'oci-archive', '-o', 'x.tar'], /--arch with --platform/, /./],
  ])('usage error: %j', async (args, msg, hint) => {
    const r = await runCli([...repo(), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toMatch(hint);
  });

  it('a platform the definition does not list is a usage error naming the ones it does', async () => {
    const r = await runCli(['centos:4.9', '--platform', 'linux/amd64,linux/s390x', '--format', 'oci-archive', '-o', join(env.dir, 'c.tar'), '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/linux\/s390x: not an architecture this definition lists/);
    expect(r.stderr).toMatch(/known: linux\/386, linux\/amd64/);
  });
});
