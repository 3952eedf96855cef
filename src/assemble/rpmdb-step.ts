// The rpmdb goes into the tree like any other file, in the target's own format and path.
import { posix } from 'node:path';
import { Header, TAG } from '../rpm/index.js';
import { archEndian, pubkeyHeaderBlob, transactionColor, writeRpmdb } from '../rpmdb/index.js';
import type { RpmdbTarget } from '../types/index.js';
import type { ImageTree } from './tree.js';
import type { UnpackedPackage } from './unpack.js';

/** The base image's rpmdb content kept in the new one (--from). */
export interface BaseRpmdb {
  /** header blobs of the installed packages that stay, in their rpmdb order */
  packages: Uint8Array[];
  /** its gpg-pubkey headers */
  pubkeys: Uint8Array[];
  /** their VERSION (the short key id): a key already imported is not imported again */
  keyIds: Set<string>;
}

export const pubkeyVersion = (blob: Uint8Array): string => Header.parse(blob, { magic: false }).string(TAG.VERSION) ?? '';

// what rpm's backends write in the db directory: BDB data/index files and environment, sqlite, ndb
const DB_FILE = /^(Packages|Name|Basenames|Group|Requirename|Providename|Conflictname|Obsoletename|Triggername|Dirnames|Requireversion|Provideversion|Installtid|Sigmd5|Sha1header|Filemd5s|Filedigests|Pubkeys|Filetriggername|Transfiletriggername|Recommendname|Suggestname|Supplementname|Enhancename|__db\.\d+|rpmdb\.sqlite(-shm|-wal)?|Packages\.db|Index\.db)$/;

export async function writeDatabase(
  tree: ImageTree,
  given: RpmdbTarget,
  ordered: UnpackedPackage[],
  fileStates: Uint8Array[],
  pubkeys: string[],
  installTime: number,
  arch: string,
  base?: BaseRpmdb,
): Promise<void> {
  // BDB files are in the target's byte order (s390x and ppc64 rpm write big-endian ones)
  const target: RpmdbTarget = { ...given, endian: given.endian ?? archEndian(arch) };
  // INSTALLCOLOR is the target's transaction colour (3 on x86_64), as rpm records it
  const opts = { installTime, installTid: installTime, installColor: transactionColor(arch) };
  const pkgs = [
    // the base's packages keep their headers (and instance order) as its rpmdb held them
    ...(base?.packages ?? []).map((blob) => ({ blob })),
    ...ordered.map((u, i) => ({ headerBytes: u.headerBytes, signatureBytes: u.signatureBytes, fileStates: fileStates[i]! })),
    ...(base?.pubkeys ?? []).map((blob) => ({ blob })),
    ...pubkeys.map((k) => pubkeyHeaderBlob(k, opts, target)).filter((b) => !base || !base.keyIds.has(pubkeyVersion(b))).map((blob) => ({ blob })),
  ];
  const files = await writeRpmdb(target, pkgs, opts);
  // the base's database files go (environment and journal files too): the new set replaces them
  if (base) for (const name of tree.list(target.path)) if (DB_FILE.test(name)) tree.remove(posix.join(target.path, name));
  tree.mkdir(target.path, { mode: 0o755 });
  for (const f of files) tree.writeFile(posix.join(target.path, f.path), f.data, { mode: f.mode, user: 'root', group: 'root' });
  if (target.compatSymlink && target.path === '/usr/lib/sysimage/rpm' && !tree.exists('/var/lib/rpm')) {
    tree.symlink('../../usr/lib/sysimage/rpm', '/var/lib/rpm');
  }
}
