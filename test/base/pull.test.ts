// pullBase against a real registry (Debian's docker-registry): images pushed with the project's
// own pushLayout (and one converted to Docker schema 2 by skopeo), pulled back; the layer files
// are checked with sha256sum and gzip, the platform of an index chosen by the build's arch, and
// token auth asked for a pull scope only.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullBase } from '../../src/assemble/base/pull.js';
import { parseImageReference, pushLayout } from '../../src/assemble/output/registry/index.js';
import { RfsError } from '../../src/errors/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { run } from '../e2e/helpers.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { tempDir } from '../helpers/temp-dir.js';
import { gunzipSha, sha256sum, writeLayout, type Built } from './layout.js';

const registry = registryAvailable();
if (!registry.ok) console.warn(`[base pull] skipped: ${registry.reason}`);

async function rejection(p: Promise<unknown>): Promise<RfsError> {
  try { await p; } catch (e) { if (e instanceof RfsError) return e; throw e; }
  throw new Error('expected a rejection');
}

describe.skipIf(!registry.ok)('pullBase from a registry', () => {
  const tmp = tempDir('rfs-pull-');
  let reg: TestRegistry;
  let single: Built;
  let multi: Built[];
  let n = 0;
  const env = (): NodeJS.ProcessEnv => ({ REGISTRY_AUTH_FILE: join(tmp.dir, 'none.json') });
  const workDir = (): string => join(tmp.dir, `work-${n++}`);

  /** the pulled image is the one pushed: layer files by sha256sum, their tars by gzip, the config's fields */
  const expectImage = (img: Awaited<ReturnType<typeof pullBase>>, want: Built): void => {
    expect(img.kind).toBe('registry');
    expect(img.layers.map((l) => l.digest)).toEqual(want.layers.map((l) => l.digest));
    for (const [i, l] of img.layers.entries()) {
      expect(sha256sum(l.file)).toBe(l.digest);
      expect(gunzipSha(l.file)).toBe(l.diffId);
      expect(l.diffId).toBe(want.layers[i]!.diffId);
      expect(l.size).toBe(want.layers[i]!.size);
      expect(l.offset).toBe(0);
      expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    }
    const config = JSON.parse(want.config.bytes.toString()) as { config: unknown; history: unknown };
    expect(img.config?.config).toEqual(config.config);
    expect(img.config?.history).toEqual(config.history);
    expect(img.config?.architecture).toBe(want.platform.architecture);
    expect(img.config?.os).toBe('linux');
  };

  beforeAll(async () => {
    writeFileSync(join(tmp.dir, 'none.json'), '{"auths":{}}');
    reg = await startRegistry(join(tmp.dir, 'reg'));
    [single] = writeLayout(join(tmp.dir, 'single'), [{ architecture: 'amd64', layers: [{ a: 'one\n' }, { b: 'two\n', c: 'three\n' }], env: ['PATH=/bin', 'X=1'] }]) as [Built];
    multi = writeLayout(join(tmp.dir, 'multi'), [
      { architecture: 'amd64', layers: [{ arch: 'amd64\n' }] },
      { architecture: 'arm64', variant: 'v8', layers: [{ arch: 'arm64\n' }] },
      { architecture: 'arm', variant: 'v7', layers: [{ arch: 'armv7\n' }] },
    ]);
    const push = async (dir: string, ref: string): Promise<void> => { await pushLayout(join(tmp.dir, dir), parseImageReference(ref), { tlsVerify: false, env: env() }); };
    await push('single', `${reg.host}/rfs/base:1`);
    await push('multi', `${reg.host}/rfs/multi:1`);
  }, 120_000);
  afterAll(async () => {
    await reg?.close();
    tmp.cleanup();
  });

  it('pulls an image by tag: its layers as files, its config, fetch events per blob', async () => {
    const events: AssembleEvent[] = [];
    const img = await pullBase(`${reg.host}/rfs/base:1`, { workDir: workDir(), arch: 'x86_64', tlsVerify: false, env: env(), onEvent: (e) => events.push(e) });
    expectImage(img, single);
    expect(img.source).toBe(`docker://${reg.host}/rfs/base:1`);
    expect(img.config?.config).toEqual({ Env: ['PATH=/bin', 'X=1'], Cmd: ['/bin/sh'] });
    const done = events.filter((e) => e.kind === 'fetch:done').map((e) => (e.kind === 'fetch:done' ? e.bytes : 0));
    expect(done.sort()).toEqual([single.config.bytes.length, ...single.layers.map((l) => l.size)].sort());
  });

  it('pulls by digest; a digest the registry does not hold is a clear error', async () => {
    const img = await pullBase(`${reg.host}/rfs/base@${single.manifest.digest}`, { workDir: workDir(), arch: 'x86_64', tlsVerify: false, env: env() });
    expectImage(img, single);
    const other = `sha256:${'0'.repeat(64)}`;
    const e = await rejection(pullBase(`${reg.host}/rfs/base@${other}`, { workDir: workDir(), arch: 'x86_64', tlsVerify: false, env: env() }));
    expect(e.code).toBe('RFS_REGISTRY');
    expect(e.message).toContain(`no manifest ${other}`);
    expect(e.message).toContain('MANIFEST_UNKNOWN');
  });

  it.each([['x86_64', 0], ['aarch64', 1], ['armv7hl', 2]])('an index: a %s build pulls its platform', async (arch, i) => {
    const img = await pullBase(`${reg.host}/rfs/multi:1`, { workDir: workDir(), arch, tlsVerify: false, env: env() });
    expectImage(img, multi[i]!);
    expect(img.config?.variant).toBe(multi[i]!.platform.variant);
  });

  it('an index without the build\'s platform lists the ones it has, and nothing is downloaded', async () => {
    const dir = workDir();
    const e = await rejection(pullBase(`${reg.host}/rfs/multi:1`, { workDir: dir, arch: 's390x', tlsVerify: false, env: env() }));
    expect(e.code).toBe('RFS_REGISTRY');
    expect(e.message).toContain('no image for linux/s390x');
    expect(e.message).toContain('linux/amd64, linux/arm64/v8, linux/arm/v7');
    expect(existsSync(dir)).toBe(false);
  });

  it('a single image for another arch is refused', async () => {
    const e = await rejection(pullBase(`${reg.host}/rfs/base:1`, { workDir: workDir(), arch: 'aarch64', tlsVerify: false, env: env() }));
    expect(e.message).toMatch(/the image is for linux\/amd64, the build is for linux\/arm64/);
  });

  it('Docker schema 2 (skopeo --format v2s2): docker media types come back as OCI ones', async () => {
    const r = await run('skopeo', ['copy', '-q', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${join(tmp.dir, 'single')}`, `docker://${reg.host}/rfs/docker:1`], { ...process.env, TMPDIR: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/rfs/docker:1`], { ...process.env, TMPDIR: tmp.dir });
    expect(raw.stdout).toContain('application/vnd.docker.image.rootfs.diff.tar.gzip');
    const img = await pullBase(`${reg.host}/rfs/docker:1`, { workDir: workDir(), arch: 'x86_64', tlsVerify: false, env: env() });
    expect(img.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    for (const l of img.layers) expect(gunzipSha(l.file)).toBe(l.diffId);
    expect(img.layers.map((l) => l.diffId)).toEqual(single.layers.map((l) => l.diffId));
  });

  it('a missing repository is a clear error naming it', async () => {
    const e = await rejection(pullBase(`${reg.host}/rfs/nothing:1`, { workDir: workDir(), arch: 'x86_64', tlsVerify: false, env: env() }));
    expect(e.message).toMatch(/^pulling 127\.0\.0\.1:\d+\/rfs\/nothing:1: no manifest 1 in rfs\/nothing/);
  });

  describe('token auth', () => {
    let treg: TestRegistry;
    const USER = 'rfs';
    const PASS = 'pull me';
    beforeAll(async () => {
      treg = await startRegistry(join(tmp.dir, 'reg-token'), { tls: true, auth: { kind: 'token', user: USER, password: PASS } });
      writeFileSync(join(tmp.dir, 'auth.json'), JSON.stringify({ auths: { [treg.host]: { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') } } }));
      await pushLayout(join(tmp.dir, 'single'), parseImageReference(`${treg.host}/team/base:1`), { certDir: treg.certDir!, authFile: join(tmp.dir, 'auth.json'), env: {} });
    }, 60_000);
    afterAll(async () => { await treg?.close(); });

    it('asks the token server for a pull scope only', async () => {
      const before = treg.tokenScopes.length;
      const img = await pullBase(`${treg.host}/team/base:1`, { workDir: workDir(), arch: 'x86_64', certDir: treg.certDir!, authFile: join(tmp.dir, 'auth.json'), env: {} });
      expectImage(img, single);
      expect(treg.tokenScopes.slice(before)).toEqual([['repository:team/base:pull']]);
      const blobGets = treg.requests().filter((q) => q.method === 'GET' && q.uri.startsWith('/v2/team/base/blobs/'));
      expect(blobGets.length).toBeGreaterThanOrEqual(3);
    });

    it('without credentials the token server refuses, with the login hint', async () => {
      const dir = workDir();
      const e = await rejection(pullBase(`${treg.host}/team/base:1`, { workDir: dir, arch: 'x86_64', certDir: treg.certDir!, authFile: join(tmp.dir, 'none.json'), env: {} }));
      expect(e.code).toBe('RFS_REGISTRY');
      expect(e.message).toContain('the token server refused');
      expect(e.hint).toMatch(/podman login|--authfile/);
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    });
  });
});
