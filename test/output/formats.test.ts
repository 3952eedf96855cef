import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/assemble/output/index.js';
import type { OutputFormat } from '../../src/assemble/output/index.js';
import { Collector, hasPython, pyList } from '../tar/helpers.js';
import { BUSYBOX, CONFIG, busyboxStream } from './rootfs.js';

if (BUSYBOX === null) console.warn('SKIP: busybox-static not installed; output format tests skipped');
if (!hasPython) console.warn('SKIP: python3 not available; archive read-back tests skipped');
const work = mkdtempSync(join(tmpdir(), 'rfs-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

async function write(format: OutputFormat, name: string, extra: { compression?: 'gzip' | 'xz' | 'zstd' | 'none'; digest?: boolean } = {}): Promise<{ path: string; bytes: number; digest?: string }> {
  const path = join(work, name);
  const r = await writeOutput(busyboxStream, { format, path, config: CONFIG, tmpDir: work, ...extra });
  return { path, ...r };
}

describe.skipIf(BUSYBOX === null || !hasPython)('tar outputs', () => {
  it('plain tar: every member as written, caps bytes included; digest and size describe the file', async () => {
    const r = await write('tar', 'plain.tar', { digest: true });
    const bytes = readFileSync(r.path);
    expect(r.bytes).toBe(bytes.length);
    expect(r.digest).toBe(sha(bytes));
    // the file digest costs ~0.6 s of CPU per GB: computed only when asked for
    expect((await write('tar', 'plain-nodigest.tar')).digest).toBeUndefined();
    const m = new Map(pyList(r.path).map((x) => [x.name, x]));
    expect(m.get('bin/busybox')?.sha256).toBe(createHash('sha256').update(readFileSync(BUSYBOX!)).digest('hex'));
    expect(m.get('bin/ping')).toMatchObject({ type: 'hardlink', linkname: 'bin/busybox' });
    expect(m.get('bin/su')).toMatchObject({ mode: 0o4755, xattrs: { 'security.capability': '0100000280200000000000000000000000000000' } }); // = setcap 'cap_setuid,cap_net_raw=ep'
    expect(m.get('dev/null')).toMatchObject({ type: 'char', devmajor: 1, devminor: 3 });
    expect(m.get('var/log')).toMatchObject({ uid: 65534, uname: 'nobody' });
    expect(readdirSync(work).filter((n) => n.includes('.partial'))).toEqual([]);
  });

  it.each([
    ['gzip', 'img.tar.gz'], ['xz', 'img.tar.xz'], ['zstd', 'img.tar.zst'], ['gzip', 'img.tgz'],
  ] as const)('%s chosen from the extension of %s, readable by the reference tool, identical on rewrite', async (kind, name) => {
    const a = await write('tar', name);
    const first = readFileSync(a.path);
    const b = await write('tar', name);
    expect(readFileSync(b.path).equals(first)).toBe(true);
    const plain = readFileSync((await write('tar', `ref-${kind}.tar`)).path);
    const tool = { gzip: ['gzip', '-dc'], xz: ['xz', '-dc'], zstd: ['zstd', '-dc'] }[kind];
    if (!has(tool[0]!)) return console.warn(`SKIP: ${tool[0]} not installed; ${kind} content not cross-checked`);
    const out = execFileSync(tool[0]!, [...tool.slice(1), a.path], { maxBuffer: 64 << 20 });
    expect(out.equals(plain)).toBe(true);
  }, 180_000); // xz -6 of 2 MB, twice, on a loaded machine

  it('gzip header is pinned: mtime 0, no file name, OS unix', async () => {
    const gz = readFileSync((await write('tar', 'hdr.tar.gz')).path);
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // FLG 0: no FNAME
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[9]).toBe(3);
  });

  it('path "-" streams to the given stdout and leaves it open', async () => {
    const out = new Collector();
    const r = await writeOutput(busyboxStream, { format: 'tar', path: '-', config: CONFIG, tmpDir: work, stdout: out });
    expect(out.writableEnded).toBe(false);
    expect(out.bytes.equals(readFileSync((await write('tar', 'cmp.tar')).path))).toBe(true);
    expect(r.bytes).toBe(out.bytes.length);
    await expect(writeOutput(busyboxStream, { format: 'oci-archive', path: '-', config: CONFIG, tmpDir: work, stdout: out }))
      .rejects.toMatchObject({ code: 'RFS_USAGE' });
  });
});

function pyTarFiles(path: string): Record<string, string> {
  // name -> base64 content of every regular member (image layout archives are small)
  const py = 'import sys,tarfile,json,base64\nt=tarfile.open(sys.argv[1])\nprint(json.dumps({m.name: base64.b64encode(t.extractfile(m).read()).decode() for m in t if m.isreg()}))';
  const o = JSON.parse(execFileSync('python3', ['-c', py, path], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, string>;
  return o;
}

describe.skipIf(BUSYBOX === null || !hasPython)('image layouts', () => {
  it('oci-archive: index -> manifest -> config + gzip layer, digests and diff_id consistent, config complete', async () => {
    const r = await write('oci-archive', 'img.oci.tar');
    const files = new Map(Object.entries(pyTarFiles(r.path)).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    expect(JSON.parse(files.get('oci-layout')!.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(files.get('index.json')!.toString());
    const desc = index.manifests[0];
    expect(desc.annotations['org.opencontainers.image.ref.name']).toBe('rfs-busybox:1.0');
    expect(desc.digest).toBe(r.digest);
    const blob = (d: string): Buffer => files.get(`blobs/${d.replace(':', '/')}`)!;
    for (const [name, b] of files) if (name.startsWith('blobs/sha256/')) expect(sha(b)).toBe(`sha256:${name.slice(13)}`);
    const manifest = JSON.parse(blob(desc.digest).toString());
    expect(blob(desc.digest).length).toBe(desc.size);
    const layer = manifest.layers[0];
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(blob(layer.digest).length).toBe(layer.size);
    const config = JSON.parse(blob(manifest.config.digest).toString());
    expect(config.rootfs.diff_ids).toEqual([sha(gunzipSync(blob(layer.digest)))]);
    expect(config).toMatchObject({
      architecture: 'amd64', os: 'linux', created: '2020-09-13T12:26:40Z',
      config: { Env: CONFIG.env, Cmd: ['/bin/sh'], StopSignal: 'SIGRTMIN+3', Volumes: { '/var/log': {} }, WorkingDir: '/',
        Labels: { name: 'rfs-busybox', version: '1.0', release: '7', summary: 'busybox test image' } },
      history: [{ created: '2020-09-13T12:26:40Z', created_by: 'rootfs-assemble' }],
    });
    expect(Object.keys(config.config.Labels)).toEqual([...Object.keys(config.config.Labels)].sort());
    // the layer is the same tar as format "tar" writes
    expect(gunzipSync(blob(layer.digest)).equals(readFileSync((await write('tar', 'cmp-layer.tar')).path))).toBe(true);
  });

  it('oci directory holds the same files as the archive', async () => {
    const r = await write('oci', 'img-oci-dir');
    const arch = pyTarFiles((await write('oci-archive', 'img2.oci.tar')).path);
    for (const [name, b64] of Object.entries(arch)) expect(readFileSync(join(r.path, name)).toString('base64'), name).toBe(b64);
    expect(r.digest).toBe(JSON.parse(readFileSync(join(r.path, 'index.json'), 'utf8')).manifests[0].digest);
    await expect(write('oci', 'img-oci-dir')).rejects.toMatchObject({ code: 'RFS_OUTPUT' }); // never merged into
  });

  it('docker-archive: manifest.json, repositories, config and an uncompressed layer.tar', async () => {
    const r = await write('docker-archive', 'img.docker.tar');
    const files = new Map(Object.entries(pyTarFiles(r.path)).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    const [m] = JSON.parse(files.get('manifest.json')!.toString());
    expect(m.RepoTags).toEqual(['rfs-busybox:1.0']);
    const config = files.get(m.Config)!;
    expect(`sha256:${m.Config.replace('.json', '')}`).toBe(sha(config));
    expect(r.digest).toBe(sha(config));
    const layer = files.get(m.Layers[0])!;
    expect(JSON.parse(config.toString()).rootfs.diff_ids).toEqual([sha(layer)]);
    expect(JSON.parse(files.get('repositories')!.toString())).toEqual({ 'rfs-busybox': { '1.0': sha(layer).slice(7) } });
  });

  it.each(['tar', 'oci-archive', 'docker-archive'] as const)('%s is byte-identical when written twice', async (format) => {
    const a = readFileSync((await write(format, `twice-a.${format}`)).path);
    const b = readFileSync((await write(format, `twice-b.${format}`)).path);
    expect(a.equals(b)).toBe(true);
    expect(readdirSync(work).filter((n) => n.includes('.partial') || n.startsWith('layer-'))).toEqual([]);
  });
});
