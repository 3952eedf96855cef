// A derived image over a 2-layer base (--from) as container tools read it: the base's layers as
// stored, one layer of ours with whiteouts, the base's config carried on. podman loads and runs
// it (own vfs store), skopeo and python's tarfile read manifest, config and the layer. The base is
// read and applied by the build's own openBase/applyBase.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffLayer, snapshotBase } from '../../src/assemble/base/snapshot.js';
import { applyBase } from '../../src/assemble/base/apply.js';
import { openBase } from '../../src/assemble/base/open.js';
import type { BaseImage } from '../../src/assemble/base/types.js';
import { diffEntries } from '../../src/assemble/entries.js';
import { buildImageConfig } from '../../src/assemble/image-config.js';
import { writeOutput } from '../../src/assemble/output/index.js';
import type { ImageConfig, OutputFormat, OutputLayer } from '../../src/assemble/output/index.js';
import { OwnerResolver, readIdMaps } from '../../src/assemble/owners.js';
import { SpoolReader } from '../../src/assemble/spool.js';
import { ImageTree } from '../../src/assemble/tree.js';
import type { TarEntry } from '../../src/tar/index.js';
import { hasPython } from '../tar/helpers.js';
import { BUSYBOX, CONFIG, busyboxEntries } from '../output/rootfs.js';

const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
const hasSkopeo = spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status === 0;
const hasZstd = spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
if (BUSYBOX === null) console.warn('SKIP: busybox-static not installed; base output tests skipped');
if (!hasZstd) console.warn('SKIP: zstd not installed; a zstd base layer in a docker-archive skipped');
if (!hasPodman) console.warn('SKIP: podman not installed; loading and running a derived image skipped');
if (!hasSkopeo) console.warn('SKIP: skopeo not installed; skopeo inspect of a derived image skipped');
if (!hasPython) console.warn('SKIP: python3 not available; reading a derived layer back skipped');

const work = mkdtempSync(join(tmpdir(), 'rfs-baseout-'));
const tag = randomBytes(4).toString('hex');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MTIME = 1_600_000_000;
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const root = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: MTIME };
const file = (path: string, body: string): TarEntry => ({ ...root, path, type: 'file', mode: 0o644, size: text(body).length, body: () => text(body) });
const dir = (path: string): TarEntry => ({ ...root, path, type: 'dir', mode: 0o755, size: 0 });
const SECOND = [dir('/etc'), file('/etc/gone', 'to remove\n'), file('/etc/motd', 'base\n'), dir('/opt'), dir('/opt/old'), file('/opt/old/x', 'x\n')];
const BASE_CONFIG: ImageConfig = { ...CONFIG, env: ['PATH=/bin', 'FOO=base', 'LANG=C'], labels: { ...CONFIG.labels, name: 'rfs-base' } };

async function* from(list: TarEntry[]): AsyncGenerator<TarEntry> {
  yield* list;
}

/** the base applied to a tree as a build does (openBase, applyBase), then our changes */
async function derivedLayer(): Promise<OutputLayer> {
  const tree = new ImageTree(MTIME);
  await applyBase(base, tree, { workDir: mkdtempSync(join(work, 'apply-')) });
  const snap = snapshotBase(tree);
  tree.remove('/etc/gone');
  tree.remove('/opt/old');
  tree.writeFile('/etc/motd', 'derived\n');
  tree.writeFile('/etc/new', 'new\n');
  const entries = diffEntries(tree, diffLayer(tree, snap), new OwnerResolver(readIdMaps(tree)), new SpoolReader());
  return { entries: () => from([...entries()]), comment: 'rpm packages and files over rfs-base' };
}

let base: BaseImage;
let derivedConfig: ImageConfig;
beforeAll(async () => {
  if (BUSYBOX === null) return;
  const layout = join(work, 'base-layout');
  await writeOutput([{ entries: () => from(busyboxEntries()), comment: 'busybox' }, { entries: () => from(SECOND), comment: 'etc and opt' }],
    { format: 'oci', path: layout, config: BASE_CONFIG, tmpDir: work });
  base = await openBase(layout, { workDir: work, arch: 'x86_64' });
  derivedConfig = buildImageConfig(null, 'x86_64', [], null, { env: ['FOO=derived'] }, MTIME, base.config);
});

async function derive(format: OutputFormat, name: string, over = base): Promise<string> {
  const path = join(work, name);
  await writeOutput([await derivedLayer()], { format, path, config: derivedConfig, tmpDir: work, base: over, ref: `rfs-derived:${tag}` });
  return path;
}

function sh(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PY_LAYER = `
import json, sys, tarfile, io
t = tarfile.open(sys.argv[1])
get = lambda n: t.extractfile(n).read()
m = json.loads(get('blobs/sha256/' + json.loads(get('index.json'))['manifests'][0]['digest'][7:]))
top = tarfile.open(fileobj=io.BytesIO(get('blobs/sha256/' + m['layers'][-1]['digest'][7:])))
print(json.dumps([[x.name, x.mode, x.uid, x.size, x.type.decode()] for x in top.getmembers()]))
`;

const PY_DOCKER = `
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.loads(t.extractfile('manifest.json').read())
print(json.dumps([[n, hashlib.sha256(t.extractfile(n).read()).hexdigest()] for n in m[0]['Layers']]))
`;

describe.skipIf(BUSYBOX === null)('output over a base', () => {
  it('oci-archive: the base layers as stored, ours on top with whiteouts; the same bytes twice', async () => {
    const a = await derive('oci-archive', 'a.oci.tar');
    const b = await derive('oci-archive', 'b.oci.tar');
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    if (!hasPython) return;
    const r = sh('python3', ['-c', PY_LAYER, a]);
    expect(r.status, r.stderr).toBe(0);
    const members = JSON.parse(r.stdout) as [string, number, number, number, string][];
    expect(members.map((m) => m[0])).toEqual(['etc', 'etc/.wh.gone', 'etc/motd', 'etc/new', 'opt', 'opt/.wh.old']);
    expect(members[1]).toEqual(['etc/.wh.gone', 0, 0, 0, '0']);
  });

  it('oci folder: the base blobs copied, the base layout left as it was', async () => {
    const out = await derive('oci', 'derived-oci');
    for (const l of base.layers) {
      const copy = readFileSync(join(out, 'blobs', ...l.digest.split(':')));
      expect(sha(copy)).toBe(l.digest);
      expect(sha(readFileSync(l.file))).toBe(l.digest);
    }
  });

  it.skipIf(!hasSkopeo)('skopeo reads the base layers, diff_ids and history first', async () => {
    const a = await derive('oci-archive', 'sk.oci.tar');
    const info = JSON.parse(sh('skopeo', ['inspect', `oci-archive:${a}`]).stdout) as { Layers: string[]; Env: string[] };
    expect(info.Layers.slice(0, 2)).toEqual(base.layers.map((l) => l.digest));
    expect(info.Layers).toHaveLength(3);
    expect(info.Env).toEqual(['PATH=/bin', 'FOO=derived', 'LANG=C']);
    const cfg = JSON.parse(sh('skopeo', ['inspect', '--config', `oci-archive:${a}`]).stdout) as { rootfs: { diff_ids: string[] }; history: { comment: string }[]; config: { Cmd: string[] } };
    expect(cfg.rootfs.diff_ids.slice(0, 2)).toEqual(base.layers.map((l) => l.diffId));
    expect(cfg.history.map((h) => h.comment)).toEqual(['busybox', 'etc and opt', 'rpm packages and files over rfs-base']);
    expect(cfg.config.Cmd).toEqual(['/bin/sh']);
    // the docker-archive holds the same diff_ids, the base's as uncompressed tars
    const d = await derive('docker-archive', 'sk.docker.tar');
    const dcfg = JSON.parse(sh('skopeo', ['inspect', '--config', `docker-archive:${d}`]).stdout) as { rootfs: { diff_ids: string[] } };
    expect(dcfg.rootfs.diff_ids).toEqual(cfg.rootfs.diff_ids);
  });

  it.skipIf(!hasZstd || !hasPython)('docker-archive: zstd and uncompressed base layers go in as tars named by their diffId', async () => {
    // layer 0 recompressed with zstd (the zstd tool), layer 1 stored as a plain tar
    const tars = base.layers.map((l) => gunzipSync(readFileSync(l.file)));
    const zst = join(work, 'layer0.tar.zst');
    execFileSync('zstd', ['-q', '-f', '-o', zst], { input: tars[0]! });
    const plain = join(work, 'layer1.tar');
    writeFileSync(plain, tars[1]!);
    const over = { ...base, layers: [
      { ...base.layers[0]!, file: zst, size: readFileSync(zst).length, digest: sha(readFileSync(zst)), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
      { ...base.layers[1]!, file: plain, size: tars[1]!.length, digest: sha(tars[1]!), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    ] };
    const d = await derive('docker-archive', 'zst.docker.tar', over);
    const r = sh('python3', ['-c', PY_DOCKER, d]);
    expect(r.status, r.stderr).toBe(0);
    const layers = JSON.parse(r.stdout) as [string, string][];
    expect(layers.slice(0, 2).map(([, hash]) => `sha256:${hash}`)).toEqual(base.layers.map((l) => l.diffId));
    for (const [name, hash] of layers) expect(name).toBe(`${hash}/layer.tar`);
  });

  it('refuses a base blob that no longer has its digest, leaving nothing at the output path', async () => {
    const bad = join(work, 'bad-blob');
    cpSync(base.layers[1]!.file, bad);
    const bytes = readFileSync(bad);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    writeFileSync(bad, bytes);
    const over = { ...base, layers: [base.layers[0]!, { ...base.layers[1]!, file: bad }] };
    for (const [format, name] of [['oci-archive', 'bad.oci.tar'], ['oci', 'bad-oci'], ['docker-archive', 'bad.docker.tar']] as const) {
      await expect(derive(format, name, over), format).rejects.toMatchObject({ code: 'RFS_CHECKSUM_MISMATCH', subject: bad });
      expect(existsSync(join(work, name)), format).toBe(false);
    }
    // the base layout's own blob is copied, never moved
    expect(existsSync(base.layers[1]!.file)).toBe(true);
  });
});

describe.skipIf(BUSYBOX === null || !hasPodman)('podman over a base', () => {
  // podman wants a runroot under 50 characters: not inside the (long) test temp folder
  const store = mkdtempSync('/tmp/rfs-bo-');
  const P = ['--root', join(store, 'root'), '--runroot', join(store, 'run'), '--storage-driver', 'vfs'];
  const RUN = ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000'];
  afterAll(() => {
    sh('podman', [...P, 'rmi', '-a', '-f']);
    rmSync(store, { recursive: true, force: true });
  });

  it.each([['oci-archive', 'run.oci.tar'], ['docker-archive', 'run.docker.tar']] as const)('loads the %s and runs it: removed files gone, new ones there', async (format, name) => {
    const path = await derive(format, name);
    const image = `localhost/rfs-derived:${tag}`;
    const load = sh('podman', [...P, 'load', '-i', path]);
    expect(load.status, load.stderr).toBe(0);
    const r = sh('podman', [...P, ...RUN, image, '/bin/sh', '-c', 'cat /etc/motd /etc/new; ls -a /etc /opt; echo "FOO=$FOO"']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^derived\nnew\n/);
    expect(r.stdout).not.toMatch(/gone|old|\.wh\./);
    expect(r.stdout).toMatch(/^passwd$/m);
    expect(r.stdout).toMatch(/^FOO=derived$/m);
    sh('podman', [...P, 'rmi', '-f', image]);
  });
});
