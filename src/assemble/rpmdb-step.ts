// The rpmdb goes into the tree like any other file, in the target's own format and path.
import { posix } from 'node:path';
import { pubkeyHeaderBlob, writeRpmdb } from '../rpmdb/index.js';
import type { RpmdbTarget } from '../types/index.js';
import type { ImageTree } from './tree.js';
import type { UnpackedPackage } from './unpack.js';

export async function writeDatabase(
  tree: ImageTree,
  target: RpmdbTarget,
  ordered: UnpackedPackage[],
  fileStates: Uint8Array[],
  pubkeys: string[],
  installTime: number,
): Promise<void> {
  const opts = { installTime, installTid: installTime };
  const pkgs = [
    ...ordered.map((u, i) => ({ headerBytes: u.headerBytes, signatureBytes: u.signatureBytes, fileStates: fileStates[i]! })),
    ...pubkeys.map((k) => ({ blob: pubkeyHeaderBlob(k, opts) })),
  ];
  const files = await writeRpmdb(target, pkgs, opts);
  tree.mkdir(target.path, { mode: 0o755 });
  for (const f of files) tree.writeFile(posix.join(target.path, f.path), f.data, { mode: f.mode, user: 'root', group: 'root' });
  if (target.compatSymlink && target.path === '/usr/lib/sysimage/rpm' && !tree.exists('/var/lib/rpm')) {
    tree.symlink('../../usr/lib/sysimage/rpm', '/var/lib/rpm');
  }
}
