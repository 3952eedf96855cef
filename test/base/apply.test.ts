// A two-layer base read from an OCI layout and applied to the tree: whiteouts, opaque
// directories, hard links, symlinks, devices, capabilities and owners; then written back as a
// tar and read by Python's tarfile. The same image through skopeo's archive formats.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { treeEntries } from '../../src/assemble/entries.js';
import { OwnerResolver, readIdMaps } from '../../src/assemble/owners.js';
import { SpoolReader } from '../../src/assemble/spool.js';
import { openBase } from '../../src/assemble/base/open.js';
import { writeTar } from '../../src/tar/index.js';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { pyList } from '../tar/helpers.js';
import { dump, has, hasPython, layerTar, load, ociLayout } from './helpers.js';
import type { ImageTree } from '../../src/assemble/tree.js';

const CAP_NET_RAW = '0100000200200000000000000000000000000000';
const work = mkdtempSync(join(tmpdir(), 'rfs-base-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
if (!hasPython) console.warn('SKIP: python3 tarfile not available, base image tests skipped');
const skopeo = has('skopeo');
if (!skopeo) console.warn('SKIP: skopeo not installed, oci-archive/docker-archive/zstd base tests skipped');

const EXPECTED = [
  '/data dir 755 root:root',
  '/data/b file 644 bob:staff "A"',
  '/dev dir 755 root:root',
  '/dev/null char 666 root:root dev=1,3',
  '/etc dir 755 root:root',
  '/etc/group file 644 root:root "root:x:0:\nstaff:x:50:\n"',
  '/etc/passwd file 644 root:root "root:x:0:0::/root:/bin/sh\nbob:x:1000:50::/home/bob:/bin/sh\n"',
  '/keep dir 755 root:root',
  '/keep/lower file 644 root:root "l"',
  '/lib symlink 777 root:root -> usr/lib',
  '/opaque dir 700 #4242:#4243',
  '/opaque/new file 644 root:root "n"',
  '/opaque/sub dir 755 root:root',
  '/opaque/sub/mine file 644 root:root "m"',
  '/usr dir 755 root:root',
  '/usr/bin dir 755 root:root',
  '/usr/bin/ping file 4755 root:root caps=cap_net_raw=ep "P"',
  '/usr/bin/ping6 hardlink 4755 root:root -> /usr/bin/ping',
  '/usr/lib dir 755 root:root',
  '/usr/lib/libx.so file 644 root:root "X"',
];

describe.skipIf(!hasPython)('applyBase on an OCI layout', () => {
  const layout = join(work, 'layout');
  beforeAll(() => {
    const l1 = layerTar(join(work, 'l1.tar'), [
      { path: 'etc', type: 'dir' },
      { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\nbob:x:1000:50::/home/bob:/bin/sh\n' },
      { path: 'etc/group', data: 'root:x:0:\nstaff:x:50:\n' },
      { path: 'usr/bin/ping', mode: 0o4755, data: 'P', xattr: { 'security.capability': CAP_NET_RAW } },
      { path: 'usr/bin/ping6', type: 'hardlink', link: 'usr/bin/ping' },
      { path: 'usr/lib/libx.so', data: 'X' },
      { path: 'lib', type: 'symlink', link: 'usr/lib', mode: 0o777 },
      { path: 'dev/null', type: 'char', major: 1, minor: 3, mode: 0o666 },
      { path: 'data/a', data: 'A', uid: 1000, gid: 50 },
      { path: 'data/b', type: 'hardlink', link: 'data/a' },
      { path: 'opaque/old', data: 'o' },
      { path: 'opaque/sub/older', data: 'o' },
      { path: 'keep/lower', data: 'l' },
      { path: 'keep/gone', data: 'g' },
    ]);
    const l2 = layerTar(join(work, 'l2.tar'), [
      { path: 'keep/.wh.gone' },
      { path: 'data/.wh.a' },
      { path: 'opaque', type: 'dir', mode: 0o700, uid: 4242, gid: 4243 },
      { path: 'opaque/new', data: 'n' },
      { path: 'opaque/sub', type: 'dir' },
      { path: 'opaque/sub/mine', data: 'm' },
      { path: 'opaque/.wh..wh..opq' },
    ]);
    ociLayout(layout, [l1, l2], { gzip: [false, true] });
  });

  it('applies whiteouts, opaque dirs, hard links, caps and owners (numeric when unnamed)', async () => {
    const tree = await load(`oci:${layout}:base`, join(work, 'w1'));
    expect(dump(tree)).toEqual(EXPECTED);
  });

  it('writes the tree back with the base ids and leaves the layer blobs in place', async () => {
    const base = await openBase(layout, { workDir: work, arch: 'x86_64' });
    expect(base.kind).toBe('oci');
    expect(base.config?.config).toEqual({ Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'] });
    const tree = await load(layout, join(work, 'w2'));
    const owners = new OwnerResolver(readIdMaps(tree));
    expect(owners.user('#4242')).toEqual({ id: 4242, name: '' });
    const reader = new SpoolReader();
    const out = join(work, 'out.tar');
    const ws = createWriteStream(out);
    await writeTar(treeEntries(tree, owners, reader), ws);
    await finished(ws);
    reader.close();
    expect(existsSync(base.layers[0]!.file)).toBe(true);
    const byName = new Map(pyList(out).map((m) => [m.name, m]));
    expect(byName.get('data/b')).toMatchObject({ uid: 1000, gid: 50, uname: 'bob', gname: 'staff', size: 1 });
    expect(byName.get('opaque')).toMatchObject({ uid: 4242, gid: 4243, uname: '', gname: '' });
    expect(byName.get('usr/bin/ping6')).toMatchObject({ type: 'hardlink', linkname: 'usr/bin/ping' });
    expect(byName.get('usr/bin/ping')?.xattrs['security.capability']).toBe(CAP_NET_RAW);
  });

  describe.skipIf(!skopeo)('through skopeo', () => {
    const conv = (dest: string, ...flags: string[]): void => {
      execFileSync('skopeo', ['copy', '-q', ...flags, `oci:${layout}:base`, dest], { stdio: 'pipe' });
    };
    it('reads the same tree from an oci-archive, a docker-archive and zstd layers', async () => {
      conv(`oci-archive:${join(work, 'img.oci.tar')}:base`);
      conv(`docker-archive:${join(work, 'img.docker.tar')}:localhost/base:1`);
      conv(`oci:${join(work, 'zstd')}:base`, '--dest-compress-format', 'zstd', '--dest-compress');
      const trees: ImageTree[] = [
        await load(`oci-archive:${join(work, 'img.oci.tar')}`, join(work, 'w3')),
        await load(join(work, 'img.docker.tar'), join(work, 'w4')),
        await load(`docker-archive:${join(work, 'img.docker.tar')}:localhost/base:1`, join(work, 'w5')),
        await load(join(work, 'zstd'), join(work, 'w6')),
      ];
      for (const t of trees) expect(dump(t)).toEqual(EXPECTED);
      const zs = await openBase(join(work, 'zstd'), { workDir: work, arch: 'x86_64' });
      expect(zs.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd']);
      const dk = await openBase(join(work, 'img.docker.tar'), { workDir: work, arch: 'x86_64' });
      expect([dk.kind, dk.layers.length, dk.layers[0]!.offset > 0]).toEqual(['docker-archive', 2, true]);
    });
  });
});
