// --push to a real registry (Debian's docker-registry on 127.0.0.1): plain http with
// --tls-verify=false, TLS with our CA via --cert-dir plus htpasswd (basic) or token (bearer)
// auth. Read back with skopeo (the manifest is the local oci build's, byte for byte; the layers
// copied back have the local digests) and podman (pull + run); the registry's access log counts
// uploads (a second push uploads no blob, another repo mounts instead, small chunks PATCH).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtures, FIXTURE_KEY, fixturesAvailable, startMirror, type Mirror } from '../helpers/fixtures.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { tempDir } from '../helpers/temp-dir.js';
import { have, isRoot, run, runCli } from './helpers.js';

const fixtures = fixturesAvailable();
const registry = registryAvailable();
const skip = !fixtures.ok ? fixtures.reason : !registry.ok ? registry.reason : '';
if (skip) console.warn(`[e2e registry-push] skipped: ${skip}`);
const SDE = '1234567890';
const USER = 'rfs';
const PASS = 'correct horse';

interface Manifest { config: { digest: string }; layers: { digest: string }[] }

describe.skipIf(skip !== '')('--push to a registry', () => {
  const tmp = tempDir('rfs-registry-');
  let mirror: Mirror;
  let local: { manifest: string; digest: string; layers: string[] };
  const env = (): NodeJS.ProcessEnv => ({ SOURCE_DATE_EPOCH: SDE, TMPDIR: tmp.dir, REGISTRY_AUTH_FILE: join(tmp.dir, 'none.json') });
  const build = (args: string[], extra: NodeJS.ProcessEnv = {}, cache = 'cache'): ReturnType<typeof runCli> =>
    runCli(['centos:4.9', '--gpgkey', FIXTURE_KEY, '--mirror', mirror.url, '--cache-dir', join(tmp.dir, cache), '-q', ...args], { ...env(), ...extra });
  // async: the token server lives in this process, so a blocking child would wait on it forever
  const skopeo = async (args: string[]): Promise<string> => {
    const r = await run('skopeo', args, { ...process.env, TMPDIR: tmp.dir });
    if (r.code !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const blobUploads = (r: TestRegistry, from = 0): string[] =>
    r.requests().slice(from).filter((q) => /\/blobs\/uploads\//.test(q.uri) && q.method !== 'GET').map((q) => `${q.method} ${q.uri.replace(/\?.*/, '')} ${q.status}`);

  beforeAll(async () => {
    await ensureFixtures();
    mirror = await startMirror();
    writeFileSync(join(tmp.dir, 'none.json'), '{"auths":{}}');
    // the same build as a local oci layout: what the registry must end up holding
    const r = await build(['--format', 'oci', '-o', join(tmp.dir, 'local-oci')]);
    if (r.code !== 0) throw new Error(`local build failed: ${r.stderr}`);
    const index = JSON.parse(readFileSync(join(tmp.dir, 'local-oci', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const digest = index.manifests[0]!.digest;
    const manifest = readFileSync(join(tmp.dir, 'local-oci', 'blobs', 'sha256', digest.slice(7)), 'utf8');
    local = { manifest, digest, layers: (JSON.parse(manifest) as Manifest).layers.map((l) => l.digest) };
  }, 600_000);
  afterAll(async () => {
    await mirror?.close();
    tmp.cleanup();
  });

  describe('plain http, --tls-verify=false', () => {
    let reg: TestRegistry;
    beforeAll(async () => { reg = await startRegistry(join(tmp.dir, 'reg-plain')); }, 60_000);
    afterAll(async () => { await reg?.close(); });

    it('pushes the local oci build byte for byte, prints and writes its digest', async () => {
      const digestFile = join(tmp.dir, 'plain.digest');
      const r = await build(['--push', `${reg.host}/rfs/c49:1`, '--tls-verify=false', '--digest-file', digestFile]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${reg.host}/rfs/c49@${local.digest}\n`);
      expect(readFileSync(digestFile, 'utf8')).toBe(`${local.digest}\n`);
      expect(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/rfs/c49:1`])).toBe(local.manifest);
      // skopeo copies it back as an OCI layout: the same layers
      const back = join(tmp.dir, 'copied-oci');
      await skopeo(['copy', '-q', '--src-tls-verify=false', `docker://${reg.host}/rfs/c49:1`, `oci:${back}`]);
      const idx = JSON.parse(readFileSync(join(back, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      const m = JSON.parse(readFileSync(join(back, 'blobs', 'sha256', idx.manifests[0]!.digest.slice(7)), 'utf8')) as Manifest;
      expect(m.layers.map((l) => l.digest)).toEqual(local.layers);
      expect(blobUploads(reg).some((u) => u.startsWith('PUT'))).toBe(true);
    }, 600_000);

    it('a second push uploads no blob; -o docker:// is the same as --push', async () => {
      const before = reg.requests().length;
      const r = await build(['-o', `docker://${reg.host}/rfs/c49:1`, '--tls-verify=false']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${reg.host}/rfs/c49@${local.digest}\n`);
      expect(blobUploads(reg, before)).toEqual([]);
      const heads = reg.requests().slice(before).filter((q) => q.method === 'HEAD' && q.uri.includes('/blobs/'));
      expect(heads.map((q) => q.status)).toEqual([200, 200]);
    }, 600_000);

    it('another repo of the same registry gets the blobs by cross-repository mount', async () => {
      const before = reg.requests().length;
      const r = await build(['--push', `${reg.host}/other/c49:2`, '--tls-verify=false']);
      expect(r.code, r.stderr).toBe(0);
      expect(blobUploads(reg, before)).toEqual(['POST /v2/other/c49/blobs/uploads/ 201', 'POST /v2/other/c49/blobs/uploads/ 201']);
      expect(reg.requests().slice(before).filter((q) => q.uri.includes('mount=')).every((q) => q.uri.includes('from=rfs%2Fc49'))).toBe(true);
      expect(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/other/c49:2`])).toBe(local.manifest);
    }, 600_000);

    it('a blob larger than RFS_PUSH_CHUNK_SIZE goes up in PATCH chunks', async () => {
      const before = reg.requests().length;
      // its own cache: no record of the blobs elsewhere, so nothing is mounted
      const r = await build(['--push', `${reg.host}/chunked/c49:1`, '--tls-verify=false'], { RFS_PUSH_CHUNK_SIZE: '65536' }, 'cache-chunked');
      expect(r.code, r.stderr).toBe(0);
      const patches = blobUploads(reg, before).filter((u) => u.startsWith('PATCH'));
      expect(patches.length).toBeGreaterThan(3);
      expect(patches.every((p) => p.endsWith(' 202'))).toBe(true);
      expect(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/chunked/c49:1`])).toBe(local.manifest);
    }, 600_000);

    it('without --tls-verify=false a plain-http registry is a clear network error', async () => {
      const r = await build(['--push', `${reg.host}/rfs/c49:3`]);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/RFS_FETCH_FAILED/);
      expect(r.stderr).toContain(`https://${reg.host}/v2/`);
    }, 600_000);
  });

  describe('TLS with our CA, htpasswd auth', () => {
    let reg: TestRegistry;
    beforeAll(async () => { reg = await startRegistry(join(tmp.dir, 'reg-basic'), { tls: true, auth: { kind: 'htpasswd', user: USER, password: PASS } }); }, 60_000);
    afterAll(async () => { await reg?.close(); });
    const authFile = (user: string, pass: string): string => {
      const f = join(tmp.dir, `auth-${user}-${pass.length}.json`);
      writeFileSync(f, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } }));
      return f;
    };

    it('pushes with credentials from $REGISTRY_AUTH_FILE and the CA from --cert-dir; podman pulls and runs it', async () => {
      const r = await build(['--push', `${reg.host}/rfs/c49:tls`, '--cert-dir', reg.certDir!], { REGISTRY_AUTH_FILE: authFile(USER, PASS) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${reg.host}/rfs/c49@${local.digest}\n`);
      expect(await skopeo(['inspect', '--raw', '--cert-dir', reg.certDir!, '--creds', `${USER}:${PASS}`, `docker://${reg.host}/rfs/c49:tls`])).toBe(local.manifest);
      if (!isRoot || !have('podman')) return console.warn('podman part skipped: podman (as root) not available');
      const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
      const ref = `${reg.host}/rfs/c49:tls`;
      const penv = { ...process.env, TMPDIR: tmp.dir };
      const pull = await run('podman', [...P, 'pull', '-q', '--cert-dir', reg.certDir!, '--creds', `${USER}:${PASS}`, ref], penv);
      expect(pull.code, pull.stderr).toBe(0);
      try {
        const out = await run('podman', [...P, 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000', ref, '/bin/sh', '-c', 'echo ok; rpm -q bash >/dev/null && echo rpm-ok'], penv);
        expect(out.stdout, out.stderr).toBe('ok\nrpm-ok\n');
      } finally {
        await run('podman', [...P, 'rmi', '-f', ref], penv);
      }
    }, 600_000);

    it('wrong credentials: the registry\'s refusal, exit 3, nothing printed as pushed, no digest file', async () => {
      const digestFile = join(tmp.dir, 'wrong.digest');
      const before = reg.requests().length;
      const r = await build(['--push', `${reg.host}/rfs/c49:wrong`, '--cert-dir', reg.certDir!, '--digest-file', digestFile], { REGISTRY_AUTH_FILE: authFile(USER, 'wrong') });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/RFS_REGISTRY/);
      expect(r.stderr).toMatch(/HTTP 401 UNAUTHORIZED/);
      expect(r.stderr).toContain('were refused');
      expect(existsSync(digestFile)).toBe(false);
      expect(blobUploads(reg, before)).toEqual([]);
    }, 600_000);

    it('no credentials, and no CA: each says what is missing', async () => {
      const none = await build(['--push', `${reg.host}/rfs/c49:none`, '--cert-dir', reg.certDir!]);
      expect(none.code).toBe(3);
      expect(none.stderr).toContain(`no credentials for ${reg.host}`);
      const noCa = await build(['--push', `${reg.host}/rfs/c49:noca`], { REGISTRY_AUTH_FILE: authFile(USER, PASS) });
      expect(noCa.code).toBe(3);
      expect(noCa.stdout).toBe('');
      expect(noCa.stderr).toMatch(/certificate/i);
      expect(noCa.stderr).toContain('--cert-dir');
    }, 600_000);
  });

  describe('TLS that requires a client certificate', () => {
    let reg: TestRegistry;
    beforeAll(async () => { reg = await startRegistry(join(tmp.dir, 'reg-mtls'), { clientCerts: true }); }, 60_000);
    afterAll(async () => { await reg?.close(); });

    it('--cert-dir with client.cert + client.key pushes; the CA alone is refused in the handshake', async () => {
      const r = await build(['--push', `${reg.host}/rfs/c49:mtls`, '--cert-dir', reg.clientCertDir!]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${reg.host}/rfs/c49@${local.digest}\n`);
      expect(await skopeo(['inspect', '--raw', '--cert-dir', reg.clientCertDir!, `docker://${reg.host}/rfs/c49:mtls`])).toBe(local.manifest);
      const without = await build(['--push', `${reg.host}/rfs/c49:nocert`, '--cert-dir', reg.certDir!]);
      expect(without.code).toBe(3);
      expect(without.stdout).toBe('');
      expect(without.stderr).toMatch(/RFS_FETCH_FAILED: pushing to .*: fetching https:\/\/127\.0\.0\.1:\d+\/v2\//);
    }, 600_000);
  });

  describe('TLS, token (bearer) auth', () => {
    let reg: TestRegistry;
    beforeAll(async () => { reg = await startRegistry(join(tmp.dir, 'reg-token'), { tls: true, auth: { kind: 'token', user: USER, password: PASS } }); }, 60_000);
    afterAll(async () => { await reg?.close(); });

    it('gets a token for the repository from the realm and pushes; wrong credentials are refused by the token server', async () => {
      const f = join(tmp.dir, 'token-auth.json');
      // a docker config.json shape, keyed as docker login writes it
      writeFileSync(f, JSON.stringify({ auths: { [`https://${reg.host}`]: { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') } } }));
      const r = await build(['--push', `${reg.host}/rfs/c49:bearer`, '--cert-dir', reg.certDir!, '--authfile', f]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${reg.host}/rfs/c49@${local.digest}\n`);
      expect(reg.tokenScopes).toContainEqual(['repository:rfs/c49:pull,push']);
      expect(await skopeo(['inspect', '--raw', '--cert-dir', reg.certDir!, '--creds', `${USER}:${PASS}`, `docker://${reg.host}/rfs/c49:bearer`])).toBe(local.manifest);
      writeFileSync(f, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:nope`).toString('base64') } } }));
      const bad = await build(['--push', `${reg.host}/rfs/c49:bearer2`, '--cert-dir', reg.certDir!, '--authfile', f]);
      expect(bad.code).toBe(3);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toContain('the token server refused the credentials (HTTP 401: UNAUTHORIZED: bad credentials)');
    }, 600_000);
  });
});
