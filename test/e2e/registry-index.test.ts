// The push module on its own (the library's pushLayout): an OCI layout of two manifests goes up
// as an image index (the shape the multi-arch build will write), and transient registry failures
// are retried as package fetches are — through a proxy that answers 503 — while a registry that
// keeps failing ends in a clear error with no tag left behind.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageReference, pushLayout } from '../../src/assemble/output/registry/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { ensureFixtures, FIXTURE_KEY, fixturesAvailable, startMirror, type Mirror } from '../helpers/fixtures.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { tempDir } from '../helpers/temp-dir.js';
import { run, runCli } from './helpers.js';

const fixtures = fixturesAvailable();
const registry = registryAvailable();
const skip = !fixtures.ok ? fixtures.reason : !registry.ok ? registry.reason : '';
if (skip) console.warn(`[e2e registry-index] skipped: ${skip}`);

const sha = (b: string | Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Forwards to the registry; `fail(method, path)` true answers 503 instead. */
function startProxy(target: string, fail: (method: string, path: string) => boolean): Promise<{ host: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push(`${req.method} ${path.replace(/\?.*/, '')}`);
    if (fail(req.method ?? '', path)) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
      return;
    }
    const [h, p] = target.split(':');
    const up = http.request({ host: h, port: Number(p), method: req.method, path, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}

describe.skipIf(skip !== '')('pushLayout', () => {
  const tmp = tempDir('rfs-registry-index-');
  let mirror: Mirror;
  let reg: TestRegistry;
  let layout: string;
  const env = (): NodeJS.ProcessEnv => ({ REGISTRY_AUTH_FILE: join(tmp.dir, 'none.json') });
  const skopeo = async (args: string[]): Promise<{ code: number; stdout: string }> => run('skopeo', args, { ...process.env, TMPDIR: tmp.dir });

  beforeAll(async () => {
    await ensureFixtures();
    mirror = await startMirror();
    writeFileSync(join(tmp.dir, 'none.json'), '{"auths":{}}');
    layout = join(tmp.dir, 'oci');
    const r = await runCli(['centos:4.9', '--gpgkey', FIXTURE_KEY, '--mirror', mirror.url, '--cache-dir', join(tmp.dir, 'cache'), '-q', '--format', 'oci', '-o', layout], { SOURCE_DATE_EPOCH: '1234567890' });
    if (r.code !== 0) throw new Error(r.stderr);
    reg = await startRegistry(join(tmp.dir, 'reg'));
  }, 600_000);
  afterAll(async () => {
    await reg?.close();
    await mirror?.close();
    tmp.cleanup();
  });

  it('a layout of two manifests goes up as an index naming both platforms', async () => {
    const multi = join(tmp.dir, 'multi');
    cpSync(layout, multi, { recursive: true });
    const blob = (d: string): string => join(multi, 'blobs', 'sha256', d.slice(7));
    const index = JSON.parse(readFileSync(join(multi, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; mediaType: string }[] };
    const amd = index.manifests[0]!;
    const manifest = JSON.parse(readFileSync(blob(amd.digest), 'utf8')) as { config: { digest: string; size: number } };
    // a second image: the same layer under an arm64 config
    const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as Record<string, unknown>;
    const armConfig = JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' });
    writeFileSync(blob(sha(armConfig)), armConfig);
    const armManifest = JSON.stringify({ ...manifest, config: { ...manifest.config, digest: sha(armConfig), size: Buffer.byteLength(armConfig) } });
    writeFileSync(blob(sha(armManifest)), armManifest);
    writeFileSync(join(multi, 'index.json'), JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: amd.mediaType, digest: amd.digest, size: amd.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: amd.mediaType, digest: sha(armManifest), size: Buffer.byteLength(armManifest), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    }));
    const res = await pushLayout(multi, parseImageReference(`${reg.host}/rfs/multi:1`), { tlsVerify: false, env: env() });
    expect(res.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    // the layer is shared: uploaded once; two configs; the second HEAD of the layer is skipped entirely
    expect(res.blobs).toMatchObject({ uploaded: 3, existing: 0, mounted: 0 });
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/rfs/multi:1`]);
    expect(sha(raw.stdout)).toBe(res.digest);
    const got = JSON.parse(raw.stdout) as { manifests: { digest: string; platform: { architecture: string } }[] };
    expect(got.manifests.map((m) => [m.digest, m.platform.architecture])).toEqual([[amd.digest, 'amd64'], [sha(armManifest), 'arm64']]);
    const arm = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/rfs/multi@${sha(armManifest)}`]);
    expect(arm.stdout).toBe(armManifest);
    const cfg = await skopeo(['inspect', '--config', '--tls-verify=false', '--override-arch', 'arm64', `docker://${reg.host}/rfs/multi:1`]);
    expect(JSON.parse(cfg.stdout)).toMatchObject({ architecture: 'arm64' });
  }, 600_000);

  it('a 503 on an upload is retried (and said); one that stays is an error with no tag pushed', async () => {
    let failed = 0;
    const flaky = await startProxy(reg.host, (m, p) => m === 'PUT' && p.includes('/blobs/uploads/') && failed++ === 0);
    const events: AssembleEvent[] = [];
    try {
      const res = await pushLayout(layout, parseImageReference(`${flaky.host}/rfs/flaky:1`), { tlsVerify: false, env: env(), backoffMs: 10, onEvent: (e) => events.push(e) });
      expect(res.blobs.uploaded).toBe(2);
      expect(flaky.seen.filter((s) => s.startsWith('PUT /v2/rfs/flaky/blobs/uploads/')).length).toBe(3);
      expect(events.filter((e) => e.kind === 'fetch:retry')).toMatchObject([{ kind: 'fetch:retry', attempt: 2, reason: expect.stringContaining('HTTP 503 UNAVAILABLE: try later') }]);
    } finally {
      await flaky.close();
    }
    const down = await startProxy(reg.host, (m, p) => m === 'PUT' && p.includes('/manifests/'));
    try {
      const err = await pushLayout(layout, parseImageReference(`${down.host}/rfs/down:1`), { tlsVerify: false, env: env(), backoffMs: 10 }).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'RFS_REGISTRY', details: { attempts: 4, status: 503 } });
      expect(String((err as Error).message)).toContain('HTTP 503 UNAVAILABLE: try later');
      expect(down.seen.filter((s) => s.startsWith('PUT /v2/rfs/down/manifests/')).length).toBe(4);
    } finally {
      await down.close();
    }
    const tag = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/rfs/down:1`]);
    expect(tag.code).not.toBe(0);
  }, 600_000);
});
