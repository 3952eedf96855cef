// The rpmdb goes into the tree like any other file, in the target's own format and path.
import { posix } from 'node:path';
import { archEndian, pubkeyHeaderBlob, transactionColor, writeRpmdb } from '../rpmdb/index.js';
import type { RpmdbTarget } from '../types/index.js';
import type { ImageTree } from './tree.js';
import type { UnpackedPackage } from './unpack.js';

export async function writeDatabase(
  tree: ImageTree,
  given: RpmdbTarget,
  ordered: UnpackedPackage[],
  fileStates: Uint8Array[],
  pubkeys: string[],
  installTime: number,
  arch: string,
): Promise<void> {
  // BDB files are in the target's byte order (s390x and ppc64 rpm write big-endian ones)
  const target: RpmdbTarget = { ...given, endian: given.endian ?? archEndian(arch) };
  // INSTALLCOLOR is the target's transaction colour (3 on x86_64), as rpm records it
  const opts = { installTime, installTid: installTime, installColor: transactionColor(arch) };
  const pkgs = [
    ...ordered.map((u, i) => ({ headerBytes: u.headerBytes, signatureBytes: u.signatureBytes, fileStates: fileStates[i]! })),
    ...pubkeys.map((k) => ({ blob: pubkeyHeaderBlob(k, opts, target) })),
  ];
  const files = await writeRpmdb(target, pkgs, opts);
  tree.mkdir(target.path, { mode: 0o755 });
  for (const f of files) tree.writeFile(posix.join(target.path, f.path), f.data, { mode: f.mode, user: 'root', group: 'root' });
  if (target.compatSymlink && target.path === '/usr/lib/sysimage/rpm' && !tree.exists('/var/lib/rpm')) {
    tree.symlink('../../usr/lib/sysimage/rpm', '/var/lib/rpm');
  }
}
