// The other kinds of --from source (rootfs tars in each codec, a host directory, a multi-arch
// layout, a podman-saved image) and hostile bases: digests, diff_ids, escaping paths, bombs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGetcap } from '../../src/assemble/base/dir-caps.js';
import { openBase } from '../../src/assemble/base/open.js';
import { encodeCapability } from '../../src/tar/index.js';
import { dump, failure, has, hasPython, layerTar, load, ociLayout } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-basesrc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const tools = hasPython && has('xz') && has('zstd');
if (!tools) console.warn('SKIP: needs python3, xz and zstd: rootfs tar and hostile base tests skipped');
const podman = has('podman') && process.getuid?.() === 0;
if (!podman) console.warn('SKIP: podman (as root) not available: podman-saved base test skipped');

const ROOTFS = [
  { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' },
  { path: 'bin/sh', data: 'sh', mode: 0o755, uid: 7, gid: 8 },
  { path: 'bin/ash', type: 'hardlink', link: 'bin/sh' },
];
// the first of a hard-link set in tree order holds the data, whichever the tar wrote first
const WANT = ['/bin dir 755 root:root', '/bin/ash file 755 #7:#8 "sh"', '/bin/sh hardlink 755 #7:#8 -> /bin/ash', '/etc dir 755 root:root', '/etc/passwd file 644 root:root "root:x:0:0::/root:/bin/sh\n"'];

describe.skipIf(!tools)('rootfs tars and directories as bases', () => {
  let tar = '';
  beforeAll(() => {
    tar = join(work, 'rootfs.tar');
    layerTar(tar, ROOTFS);
    for (const tool of ['gzip', 'xz', 'zstd']) execFileSync(tool, ['-k', '-q', tar]);
  });

  it('reads a plain, gzip, zstd and xz rootfs tar to the same tree, keeping all but xz as the blob', async () => {
    for (const f of ['rootfs.tar', 'rootfs.tar.gz', 'rootfs.tar.zst', 'rootfs.tar.xz']) {
      const w = join(work, `w-${f}`);
      const base = await openBase(join(work, f), { workDir: w, arch: 'x86_64' });
      expect(base.kind).toBe('tar');
      const layer = base.layers[0]!;
      expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(readFileSync(tar)).digest('hex')}`);
      expect(layer.digest).toBe(`sha256:${createHash('sha256').update(readFileSync(layer.file)).digest('hex')}`);
      expect(layer.file.startsWith(w)).toBe(f.endsWith('.xz'));
      expect(dump(await load(join(work, f), w))).toEqual(WANT);
    }
  });

  it('writes a host directory as one sorted tar with the host ids, the same bytes each time', async () => {
    const root = join(work, 'hostdir');
    mkdirSync(join(root, 'b/c'), { recursive: true });
    writeFileSync(join(root, 'b/c/f'), 'F');
    writeFileSync(join(root, 'a'), 'A');
    chownSync(join(root, 'a'), 1234, 5678);
    symlinkSync('b/c/f', join(root, 'l'));
    const one = await openBase(root, { workDir: join(work, 'd1'), arch: 'x86_64' });
    const two = await openBase(root, { workDir: join(work, 'd2'), arch: 'x86_64' });
    expect(one.kind).toBe('dir');
    expect(one.layers[0]!.digest).toBe(two.layers[0]!.digest);
    const names = execFileSync('tar', ['-tf', one.layers[0]!.file], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['a', 'b/', 'b/c/', 'b/c/f', 'l']);
    const lines = dump(await load(root, join(work, 'd3')));
    expect(lines).toContain('/a file 644 #1234:#5678 "A"');
    expect(lines).toContain('/l symlink 777 root:root -> b/c/f');
  });

  it.skipIf(!has('setcap') || process.getuid?.() !== 0)('keeps the file capabilities of a host directory, also under names with spaces', async () => {
    const root = join(work, 'capdir');
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    for (const f of ['newuidmap', 'a b', 'plain']) writeFileSync(join(root, 'usr/bin', f), f);
    execFileSync('setcap', ['cap_setuid=ep', join(root, 'usr/bin/newuidmap')]);
    execFileSync('setcap', ['cap_net_raw,cap_net_admin=p', join(root, 'usr/bin/a b')]);
    const lines = dump(await load(root, join(work, 'cap1')));
    expect(lines).toContain('/usr/bin/newuidmap file 644 root:root caps=cap_setuid=ep "newuidmap"');
    expect(lines).toContain('/usr/bin/a b file 644 root:root caps=cap_net_admin,cap_net_raw=p "a b"');
    expect(lines).toContain('/usr/bin/plain file 644 root:root "plain"');
  });

  it('reads getcap\'s output in both of libcap\'s formats, a path with spaces resolved by the walk', () => {
    const caps = parseGetcap('/r/usr/bin/ping cap_net_raw=ep\n/r/a b = cap_setuid+ep\n/r/c d cap_chown=ep\n/other/x cap_chown=ep\n', '/r');
    expect(caps.get('/usr/bin/ping')).toEqual(encodeCapability('cap_net_raw=ep'));
    expect(caps.get('/a b')).toEqual(encodeCapability('cap_setuid+ep'));
    expect(caps.get('/c d')).toEqual(encodeCapability('cap_chown=ep'));
    // splits whose right side is not capability text are dropped; other roots' lines too
    expect(caps.has('/a')).toBe(false);
    expect(caps.has('/c')).toBe(false);
    expect([...caps.keys()].some((k) => k.includes('other'))).toBe(false);
  });

  it('refuses a compressed image archive where a rootfs was expected', async () => {
    const dir = join(work, 'lay-for-gz');
    ociLayout(dir, [readFileSync(tar)]);
    execFileSync('tar', ['-C', dir, '-czf', join(work, 'lay.tar.gz'), '.']);
    const e = await failure(openBase(join(work, 'lay.tar.gz'), { workDir: work, arch: 'x86_64' }));
    expect([e.code, e.message]).toEqual(['RFS_USAGE', 'reading base image: a gzip-compressed image archive where a rootfs tar was expected']);
  });
});

describe.skipIf(!tools)('a multi-architecture layout', () => {
  it('picks the manifest of the build\'s architecture through a nested index, and refuses a foreign base', async () => {
    const dir = join(work, 'multi');
    const amd = join(work, 'amd');
    const arm = join(work, 'arm');
    ociLayout(amd, [layerTar(join(work, 'amd.tar'), [{ path: 'which', data: 'amd64' }])]);
    ociLayout(arm, [layerTar(join(work, 'arm.tar'), [{ path: 'which', data: 'arm64' }])], { arch: 'arm64' });
    mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const manifests = [];
    for (const [d, arch] of [[arm, 'arm64'], [amd, 'amd64']] as const) {
      execFileSync('sh', ['-c', `cp ${d}/blobs/sha256/* ${dir}/blobs/sha256/`]);
      const m = (JSON.parse(readFileSync(join(d, 'index.json'), 'utf8')) as { manifests: Record<string, unknown>[] }).manifests[0]!;
      manifests.push({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { architecture: arch, os: 'linux' } });
    }
    const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
    const nd = `sha256:${createHash('sha256').update(nested).digest('hex')}`;
    writeFileSync(join(dir, 'blobs/sha256', nd.slice(7)), nested);
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: nd, size: nested.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }] }));
    expect(dump(await load(`oci:${dir}:multi`, join(work, 'm1')))).toEqual(['/which file 644 root:root "amd64"']);
    const arm64 = await openBase(dir, { workDir: work, arch: 'aarch64' });
    expect(arm64.config?.architecture).toBe('arm64');
    const e = await failure(openBase(arm, { workDir: work, arch: 'x86_64' }));
    expect([e.code, e.message]).toEqual(['RFS_USAGE', 'reading base image: the image is for linux/arm64, the build is for linux/amd64 (x86_64)']);
  });
});

describe.skipIf(!tools)('hostile bases', () => {
  const one = (name: string, members: Parameters<typeof layerTar>[1], o: Parameters<typeof ociLayout>[2] = {}): string => {
    const dir = join(work, name);
    ociLayout(dir, [layerTar(join(work, `${name}.tar`), members)], o);
    return dir;
  };

  it('refuses a blob whose bytes do not match its digest, and a layer that does not match its diff_id', async () => {
    const dir = one('tampered', [{ path: 'f', data: 'x' }]);
    const blobs = execFileSync('sh', ['-c', `ls -S ${dir}/blobs/sha256 | head -1`], { encoding: 'utf8' }).trim();
    const p = join(dir, 'blobs/sha256', blobs);
    const b = Buffer.from(readFileSync(p));
    b[600] = b[600]! ^ 1;
    writeFileSync(p, b);
    expect((await failure(openBase(dir, { workDir: work, arch: 'x86_64' }))).code).toBe('RFS_CHECKSUM_MISMATCH');
    const wrong = one('diffid', [{ path: 'f', data: 'x' }], { diffIds: [`sha256:${'0'.repeat(64)}`] });
    const e = await failure(load(wrong, join(work, 'w-diffid')));
    expect(e.code).toBe('RFS_CHECKSUM_MISMATCH');
    expect(e.message).toMatch(/layer 1 decodes to sha256:[0-9a-f]{64}, its config says sha256:0{64}/);
  });

  it('refuses members with ".." or absolute paths, and confines a write through a symlink to the root', async () => {
    for (const [name, path] of [['dotdot', '../x'], ['abs', '/etc/x'], ['mid', 'a/../../x']] as const) {
      const e = await failure(load(one(name, [{ path, data: 'x' }]), join(work, `w-${name}`)));
      expect(e.code).toBe('RFS_UNSAFE_PATH');
    }
    const dir = join(work, 'escape');
    const l1 = layerTar(join(work, 'esc1.tar'), [{ path: 'up', type: 'symlink', link: '../../../..' }]);
    const l2 = layerTar(join(work, 'esc2.tar'), [{ path: 'up/etc/evil', data: 'e' }]);
    ociLayout(dir, [l1, l2]);
    expect(dump(await load(dir, join(work, 'w-esc')))).toEqual(['/etc dir 755 root:root', '/etc/evil file 644 root:root "e"', '/up symlink 644 root:root -> ../../../..']);
  });

  it('refuses a digest that is not a digest before it becomes a path, and archive members outside the archive', async () => {
    const dir = one('badref', [{ path: 'f', data: 'x' }]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    index.manifests[0]!.digest = 'sha256:../../../../etc/passwd';
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const e = await failure(openBase(dir, { workDir: work, arch: 'x86_64' }));
    expect([e.code, e.message]).toEqual(['RFS_BAD_ARCHIVE', 'reading base image: manifests[0] has the digest sha256:../../../../etc/passwd, not sha256:HEX']);
    const arc = join(work, 'docker-escape.tar');
    const d2 = join(work, 'docker-escape');
    mkdirSync(d2);
    writeFileSync(join(d2, 'manifest.json'), JSON.stringify([{ Config: 'c.json', Layers: ['../../etc/passwd'] }]));
    writeFileSync(join(d2, 'c.json'), JSON.stringify({ rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] } }));
    execFileSync('tar', ['-C', d2, '-cf', arc, 'manifest.json', 'c.json']);
    expect((await failure(openBase(`docker-archive:${arc}`, { workDir: work, arch: 'x86_64' }))).code).toBe('RFS_UNSAFE_PATH');
  });

  it('stops a gzip bomb layer at the byte limit, and a layer of too many members at the entry limit', async () => {
    const dir = join(work, 'bomb');
    const big = layerTar(join(work, 'bomb.tar'), [{ path: 'zeros', zeros: 4 << 20 }]);
    ociLayout(dir, [big], { gzip: [true] });
    expect(gzipSync(big).length).toBeLessThan(64 << 10);
    const e = await failure(load(dir, join(work, 'w-bomb'), { maxBytes: 1 << 20 }));
    expect(e.code).toBe('RFS_SIZE_LIMIT');
    const many = one('many', Array.from({ length: 30 }, (_, i) => ({ path: `f${i}`, data: '' })));
    expect((await failure(load(many, join(work, 'w-many'), { maxEntries: 10 }))).code).toBe('RFS_SIZE_LIMIT');
  });
});

describe.skipIf(!podman || !tools)('a podman-saved base', () => {
  it('reads what podman import + save wrote, as docker-archive and oci-archive', async () => {
    // podman refuses a runroot path over 50 characters
    const run = mkdtempSync('/tmp/rfsp-');
    try {
      const root = ['--root', join(work, 'pr'), '--runroot', run, '--storage-driver', 'vfs'];
      const tar = join(work, 'podman-rootfs.tar');
      layerTar(tar, ROOTFS);
      execFileSync('podman', [...root, 'import', '-q', tar, 'localhost/rfsbase:1'], { stdio: 'pipe' });
      for (const [fmt, file] of [['docker-archive', 'p.docker.tar'], ['oci-archive', 'p.oci.tar']]) {
        execFileSync('podman', [...root, 'save', '-q', '--format', fmt!, '-o', join(work, file!), 'localhost/rfsbase:1'], { stdio: 'pipe' });
        expect(dump(await load(join(work, file!), join(work, `w-${file}`)))).toEqual(WANT);
      }
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  }, 120_000);
});
