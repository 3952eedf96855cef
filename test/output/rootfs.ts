// A tiny runnable rootfs from Debian's busybox-static: /bin/busybox, /bin/sh -> busybox, plus a
// setuid file, a hardlink, a device, a fifo and a capability so every entry type passes through.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { encodeCapability } from '../../src/tar/index.js';
import type { TarEntry } from '../../src/tar/index.js';
import type { ImageConfig } from '../../src/assemble/output/index.js';

export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p)) ?? null;

const base = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: 1_600_000_000 };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export function busyboxEntries(): TarEntry[] {
  if (BUSYBOX === null) throw new Error('busybox-static is not installed');
  const bb = BUSYBOX;
  const size = statSync(bb).size;
  const passwd = text('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  const group = text('root:x:0:\ntty:x:5:\nnobody:x:65534:\n');
  return [
    { ...base, path: '/bin', type: 'dir', mode: 0o755, size: 0 },
    { ...base, path: '/bin/busybox', type: 'file', mode: 0o755, size, body: () => createReadStream(bb) },
    { ...base, path: '/bin/sh', type: 'symlink', mode: 0o777, size: 0, linkTarget: 'busybox' },
    { ...base, path: '/bin/ping', type: 'hardlink', mode: 0o755, size: 0, linkTarget: '/bin/busybox' },
    { ...base, path: '/bin/su', type: 'file', mode: 0o4755, size: 3, body: () => text('su\n'),
      xattrs: { 'security.capability': encodeCapability('cap_setuid,cap_net_raw=ep') } },
    { ...base, path: '/dev', type: 'dir', mode: 0o755, size: 0 },
    { ...base, path: '/dev/null', type: 'char', mode: 0o666, size: 0, devMajor: 1, devMinor: 3 },
    { ...base, path: '/dev/initctl', type: 'fifo', mode: 0o600, size: 0 },
    { ...base, path: '/etc', type: 'dir', mode: 0o755, size: 0 },
    { ...base, path: '/etc/group', type: 'file', mode: 0o644, size: group.length, body: () => group },
    { ...base, path: '/etc/passwd', type: 'file', mode: 0o644, size: passwd.length, body: () => passwd },
    { ...base, path: '/tmp', type: 'dir', mode: 0o1777, size: 0 },
    { ...base, path: '/var', type: 'dir', mode: 0o755, size: 0 },
    { ...base, path: '/var/log', type: 'dir', mode: 0o755, uid: 65534, gid: 65534, uname: 'nobody', gname: 'nobody', size: 0 },
  ];
}

export async function* busyboxStream(): AsyncGenerator<TarEntry> {
  yield* busyboxEntries();
}

export const CONFIG: ImageConfig = {
  architecture: 'x86_64',
  os: 'linux',
  env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'container=oci'],
  cmd: ['/bin/sh'],
  labels: { name: 'rfs-busybox', version: '1.0', release: '7', architecture: 'x86_64', summary: 'busybox test image', vendor: 'rootfs-assemble tests' },
  stopSignal: 'SIGRTMIN+3',
  volumes: ['/var/log'],
  workingDir: '/',
  created: '2020-09-13T12:26:40Z',
};
