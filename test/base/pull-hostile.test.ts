// pullBase against a scripted registry (node:http) that lies: tampered or overlong blobs and
// manifests, oversized documents, hostile digests and platforms, redirects to storage on another
// host. Each lie ends in an RfsError saying what was wrong, and the work dir holds no blob under
// its final name (nor a temp file) afterwards.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pullBase } from '../../src/assemble/base/pull.js';
import { RfsError } from '../../src/errors/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sha, writeLayout, type Built } from './layout.js';

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
interface Seen { url: string; authorization: string | undefined }

function server(): { srv: http.Server; seen: Seen[]; answer: { fn: Answer }; host: () => string } {
  const seen: Seen[] = [];
  const answer = { fn: ((_q, _r) => false) as Answer };
  const srv = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (!answer.fn(req, res)) res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
  });
  return { srv, seen, answer, host: () => `127.0.0.1:${(srv.address() as AddressInfo).port}` };
}

async function rejection(p: Promise<unknown>): Promise<RfsError> {
  try { await p; } catch (e) { if (e instanceof RfsError) return e; throw e; }
  throw new Error('expected a rejection');
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('pullBase against a lying registry', () => {
  const tmp = tempDir('rfs-pull-hostile-');
  const reg = server();
  const storage = server();
  let img: Built;
  let blobs: Map<string, Buffer>;
  let n = 0;
  const workDir = (): string => join(tmp.dir, `work-${n++}`);
  const pull = (dir: string, extra: { onEvent?: (e: AssembleEvent) => void; authFile?: string; ref?: string } = {}): ReturnType<typeof pullBase> =>
    pullBase(extra.ref ?? `${reg.host()}/team/app:1`, { workDir: dir, arch: 'x86_64', tlsVerify: false, env: { RFS_FETCH_DEADLINES: 'idle=5' }, ...extra });
  /** nothing under blobs/sha256, temp files included */
  const leftOver = (dir: string): string[] => (existsSync(join(dir, 'blobs', 'sha256')) ? readdirSync(join(dir, 'blobs', 'sha256')) : []);

  const pullsAll = async (): Promise<void> => {
    const got = await pull(workDir());
    expect(got.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.digest));
  };

  /** a registry serving `manifests` by reference and blobs from `blobs`, each overridable */
  const serve = (o: { manifests?: Record<string, { body: Buffer; type?: string; digestHeader?: string }>; blob?: (digest: string, res: http.ServerResponse) => boolean } = {}): void => {
    const manifests = o.manifests ?? { '1': { body: img.manifest.bytes } };
    reg.answer.fn = (req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/') { res.writeHead(200).end('{}'); return true; }
      const m = /^\/v2\/team\/app\/(manifests|blobs)\/([^/?]+)$/.exec(url);
      if (!m) return false;
      if (m[1] === 'manifests') {
        const doc = manifests[m[2]!];
        if (!doc) return false;
        res.writeHead(200, { 'content-type': doc.type ?? OCI_MANIFEST, ...(doc.digestHeader ? { 'docker-content-digest': doc.digestHeader } : {}) }).end(doc.body);
        return true;
      }
      if (o.blob?.(m[2]!, res)) return true;
      const b = blobs.get(m[2]!);
      if (!b) return false;
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(b);
      return true;
    };
  };

  beforeAll(async () => {
    const layout = join(tmp.dir, 'layout');
    [img] = writeLayout(layout, [{ architecture: 'amd64', layers: [{ a: 'one\n'.repeat(1000) }, { b: 'two\n' }] }]) as [Built];
    blobs = new Map(readdirSync(join(layout, 'blobs', 'sha256')).map((h) => [`sha256:${h}`, readFileSync(join(layout, 'blobs', 'sha256', h))]));
    await Promise.all([reg.srv, storage.srv].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
  });
  afterAll(async () => {
    await Promise.all([reg.srv, storage.srv].map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
    tmp.cleanup();
  });
  beforeEach(() => {
    reg.seen.length = 0;
    storage.seen.length = 0;
  });

  it('an honest answer pulls (the scripted registry itself is right)', async () => {
    serve();
    await pullsAll();
  });

  it('a tampered layer (same length) is refused once, and no blob stays under its final name', async () => {
    const bad = img.layers[0]!;
    serve({ blob: (d, res) => {
      if (d !== bad.digest) return false;
      const b = Buffer.from(bad.bytes);
      const mid = b.length >> 1;
      b[mid] = (b[mid] ?? 0) ^ 0xff;
      res.writeHead(200).end(b);
      return true;
    } });
    const dir = workDir();
    const e = await rejection(pull(dir));
    expect(e.code).toBe('RFS_REGISTRY');
    expect(e.message).toContain(`the blob ${bad.digest} hashes to sha256:`);
    expect(reg.seen.filter((s) => s.url.endsWith(bad.digest))).toHaveLength(1);
    expect(leftOver(dir)).toEqual([]);
  });

  it('a blob that stalls half-way fails within the idle deadline, and no blob stays under its final name', async () => {
    const bad = img.layers[0]!;
    serve({ blob: (d, res) => {
      if (d !== bad.digest) return false;
      res.writeHead(200, { 'content-length': String(bad.bytes.length) });
      res.write(Buffer.from(bad.bytes).subarray(0, bad.bytes.length >> 1)); // then nothing more
      return true;
    } });
    const dir = workDir();
    const t0 = Date.now();
    const e = await rejection(pullBase(`${reg.host()}/team/app:1`, { workDir: dir, arch: 'x86_64', tlsVerify: false, env: { RFS_FETCH_DEADLINES: 'idle=1' } }));
    expect(e.code).toBe('RFS_FETCH_FAILED');
    expect(e.message).toContain(`blobs/${bad.digest}: no data for 1 s`);
    // the shared fetch deadlines: a few attempts of 1 s idle each, with backoff, never the test's minute
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(leftOver(dir)).toEqual([]);
  }, 60_000);

  it('a blob longer than its descriptor is cut off and refused', async () => {
    const bad = img.layers[1]!;
    serve({ blob: (d, res) => {
      if (d !== bad.digest) return false;
      res.writeHead(200); // no Content-Length: chunked, more than the descriptor says
      res.write(bad.bytes);
      res.end(Buffer.alloc(1 << 20));
      return true;
    } });
    const dir = workDir();
    const e = await rejection(pull(dir));
    expect(e.message).toContain(`is longer than the ${bad.size} bytes its descriptor says`);
    expect(leftOver(dir)).toEqual([]);
  });

  it('a blob cut short is tried again, and the second answer is used', async () => {
    const cut = img.layers[0]!;
    let first = true;
    serve({ blob: (d, res) => {
      if (d !== cut.digest || !first) return false;
      first = false;
      res.writeHead(200, { 'content-length': String(cut.size >> 1) }).end(cut.bytes.subarray(0, cut.size >> 1));
      return true;
    } });
    const events: AssembleEvent[] = [];
    const got = await pull(workDir(), { onEvent: (e) => events.push(e) });
    expect(got.layers[0]!.digest).toBe(cut.digest);
    expect(readFileSync(got.layers[0]!.file)).toEqual(cut.bytes);
    expect(events.filter((e) => e.kind === 'fetch:retry')).toHaveLength(1);
  });

  it('a manifest asked by digest that hashes otherwise is refused before any blob is fetched', async () => {
    const want = `sha256:${'a'.repeat(64)}`;
    serve({ manifests: { [want]: { body: img.manifest.bytes } } });
    const dir = workDir();
    const e = await rejection(pull(dir, { ref: `${reg.host()}/team/app@${want}` }));
    expect(e.message).toContain(`the manifest sent for ${want} hashes to ${img.manifest.digest}`);
    expect(reg.seen.some((s) => s.url.includes('/blobs/'))).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('an index entry whose manifest hashes otherwise is refused', async () => {
    const other = Buffer.from(img.manifest.bytes.toString().replace('"schemaVersion":2', '"schemaVersion":2 '));
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
      { mediaType: OCI_MANIFEST, digest: img.manifest.digest, size: img.manifest.bytes.length, platform: { architecture: 'amd64', os: 'linux' } },
    ] }));
    serve({ manifests: { '1': { body: index, type: 'application/vnd.oci.image.index.v1+json' }, [img.manifest.digest]: { body: other } } });
    const e = await rejection(pull(workDir()));
    expect(e.message).toContain(`the manifest sent for ${img.manifest.digest} hashes to ${sha(other)}`);
  });

  it('a Docker-Content-Digest that is not the manifest\'s hash is refused', async () => {
    serve({ manifests: { '1': { body: img.manifest.bytes, digestHeader: `sha256:${'b'.repeat(64)}` } } });
    const e = await rejection(pull(workDir()));
    expect(e.message).toContain(`the manifest hashes to ${img.manifest.digest}, the registry says sha256:bbbb`);
  });

  it('a manifest over 4 MiB is refused without being parsed', async () => {
    const huge = Buffer.concat([img.manifest.bytes.subarray(0, -1), Buffer.from(`,"pad":"${'x'.repeat(5 << 20)}"}`)]);
    serve({ manifests: { '1': { body: huge } } });
    const e = await rejection(pull(workDir()));
    expect(e.message).toContain('the manifest is larger than 4194304 bytes');
  });

  it.each([
    ['a digest that would be a path', (m: Record<string, unknown>) => { (m.layers as { digest: string }[])[0]!.digest = 'sha256:../../../etc/passwd'; }, /layers\[0\] has the digest sha256:\.\.\/\.\.\/\.\.\/etc\/passwd, not sha256:HEX/],
    ['a layer of another type', (m: Record<string, unknown>) => { (m.layers as { mediaType: string }[])[0]!.mediaType = 'application/vnd.example.thing'; }, /layers\[0\] is of type application\/vnd\.example\.thing/],
    ['a foreign layer', (m: Record<string, unknown>) => { (m.layers as { mediaType: string }[])[0]!.mediaType = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'; }, /Windows/],
    ['a negative size', (m: Record<string, unknown>) => { (m.layers as { size: number }[])[0]!.size = -1; }, /layers\[0\] has no valid size/],
    ['an artifact config', (m: Record<string, unknown>) => { (m.config as { mediaType: string }).mediaType = 'application/vnd.cncf.helm.config.v1+json'; }, /not a container image/],
  ])('a manifest with %s is refused', async (_what, change, message) => {
    const m = JSON.parse(img.manifest.bytes.toString()) as Record<string, unknown>;
    change(m);
    serve({ manifests: { '1': { body: Buffer.from(JSON.stringify(m)) } } });
    const dir = workDir();
    const e = await rejection(pull(dir));
    expect(`${e.message}\n${e.hint ?? ''}`).toMatch(message);
    expect(leftOver(dir)).toEqual([]);
  });

  it('a config with fewer diff_ids than layers is refused before any layer is fetched', async () => {
    const config = JSON.parse(img.config.bytes.toString()) as { rootfs: { diff_ids: string[] } };
    config.rootfs.diff_ids.pop();
    const bytes = Buffer.from(JSON.stringify(config));
    const m = JSON.parse(img.manifest.bytes.toString()) as { config: { digest: string; size: number } };
    m.config = { ...m.config, digest: sha(bytes), size: bytes.length };
    serve({ manifests: { '1': { body: Buffer.from(JSON.stringify(m)) } }, blob: (d, res) => { if (d !== sha(bytes)) return false; res.writeHead(200).end(bytes); return true; } });
    const e = await rejection(pull(workDir()));
    expect(e.message).toContain('the image config lists 1 diff_ids for 2 layers');
    expect(reg.seen.filter((s) => s.url.includes('/blobs/')).map((s) => s.url)).toEqual([`/v2/team/app/blobs/${sha(bytes)}`]);
  });

  it('a schema 1 manifest is refused with a hint', async () => {
    serve({ manifests: { '1': { body: Buffer.from('{"schemaVersion":1,"name":"team/app","fsLayers":[]}'), type: 'application/vnd.docker.distribution.manifest.v1+prettyjws' } } });
    const e = await rejection(pull(workDir()));
    expect(e.message).toContain('the manifest is of type application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(e.hint).toMatch(/schema 1/);
  });

  it('an index\'s platforms are listed escaped', async () => {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
      { mediaType: OCI_MANIFEST, digest: img.manifest.digest, size: 1, platform: { architecture: 'arm64\u001b[2J', os: 'linux' } },
    ] }));
    serve({ manifests: { '1': { body: index, type: 'application/vnd.oci.image.index.v1+json' } } });
    const e = await rejection(pull(workDir()));
    expect(e.message).toContain('no image for linux/amd64');
    expect(e.message).not.toContain('\u001b');
  });

  it('a manifest without mediaType sent as application/json is read as OCI by its shape', async () => {
    const m = JSON.parse(img.manifest.bytes.toString()) as Record<string, unknown>;
    delete m.mediaType;
    serve({ manifests: { '1': { body: Buffer.from(JSON.stringify(m)), type: 'application/json' } } });
    await pullsAll();
  });

  it('an abort while a blob streams ends in RFS_ABORTED with nothing left behind', async () => {
    const slow = img.layers[0]!;
    serve({ blob: (d, res) => {
      if (d !== slow.digest) return false;
      res.writeHead(200, { 'content-length': String(slow.size) });
      res.write(slow.bytes.subarray(0, 10)); // and never the rest
      return true;
    } });
    const ac = new AbortController();
    const dir = workDir();
    const p = pullBase(`${reg.host()}/team/app:1`, { workDir: dir, arch: 'x86_64', tlsVerify: false, env: {}, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    const e = await rejection(p);
    expect(e.code).toBe('RFS_ABORTED');
    expect(leftOver(dir)).toEqual([]);
  });

  it('a work dir that cannot be written is an RFS_OUTPUT error, not a network one', async () => {
    serve();
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, '');
    const e = await rejection(pull(join(file, 'work')));
    expect(e.code).toBe('RFS_OUTPUT');
    expect(e.message).toContain(`writing the pulled base image to ${join(file, 'work', 'blobs', 'sha256')}`);
  });

  it('a blob redirected to storage on another host gets there without the credentials', async () => {
    const user = Buffer.from('alice:s3cret').toString('base64');
    const authFile = join(tmp.dir, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [reg.host()]: { auth: user } } }));
    serve({ blob: (d, res) => { res.writeHead(307, { location: `http://localhost:${storage.host().split(':')[1]!}/store/${d}` }).end(); return true; } });
    const honest = reg.answer.fn;
    reg.answer.fn = (req, res) => {
      if (req.headers.authorization !== `Basic ${user}`) { res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end(); return true; }
      return honest(req, res);
    };
    storage.answer.fn = (req, res) => {
      const b = blobs.get((req.url ?? '').replace('/store/', ''));
      if (!b) return false;
      res.writeHead(200).end(b);
      return true;
    };
    const got = await pull(workDir(), { authFile });
    expect(got.layers.map((l) => readFileSync(l.file))).toEqual(img.layers.map((l) => l.bytes));
    expect(storage.seen).toHaveLength(3);
    expect(storage.seen.every((s) => s.authorization === undefined)).toBe(true);
    expect(reg.seen.filter((s) => s.url.includes('/blobs/')).every((s) => s.authorization === `Basic ${user}`)).toBe(true);
  });
});
