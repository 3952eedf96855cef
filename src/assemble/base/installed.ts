// The base image's rpmdb as the solver's installed system, as dnf sees an installed root: read in
// whatever flavour the base wrote, its files annotated with their owners so the merge checks
// conflicts against installed packages as rpm does, and erased/upgraded packages' files removed.
import { posix } from 'node:path';
import { RfsError } from '../../errors/index.js';
import { fileList, Header, packageMeta, TAG } from '../../rpm/index.js';
import type { RpmFile } from '../../rpm/index.js';
import { readRpmdbFiles } from '../../rpmdb/index.js';
import { nevraOf, type InstalledChange } from '../../solver/index.js';
import type { RepoPackage, RpmdbTarget } from '../../types/index.js';
import type { ImageTree } from '../tree.js';
import { decideConfigFates, type ConfigFate, type ShippedFiles } from './config-files.js';

/** the installed repo's id, as dnf names it */
export const SYSTEM_REPO = '@System';

export interface InstalledPackage {
  pkg: RepoPackage;
  /** the header blob as the base's rpmdb holds it, written back unchanged */
  blob: Uint8Array;
}

export interface InstalledSystem {
  /** the base's rpmdb: flavour, path and rpm version as found, so the new one is written alike */
  target: RpmdbTarget;
  /** in rpmdb instance order */
  packages: InstalledPackage[];
  /** gpg-pubkey headers, kept as they are */
  pubkeys: Uint8Array[];
}

const DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
// rpm's defaults when the base has no rpm package to tell its version
const DEFAULT_VERSION: Record<RpmdbTarget['flavour'], string> = { 'bdb-hash-v8': '4.4.2', 'bdb-hash-v9': '4.11.3', sqlite: '4.16.1', ndb: '4.16.1' };

/** The base's installed packages, or null when it has no rpmdb (then everything it holds is unowned). */
export async function readInstalled(tree: ImageTree, source: string): Promise<InstalledSystem | null> {
  for (const dir of DB_DIRS) {
    const found = await readRpmdbFiles((name) => tree.readFile(`${dir}/${name}`), dir);
    if (!found) continue;
    const packages: InstalledPackage[] = [];
    const pubkeys: Uint8Array[] = [];
    for (const { hnum, blob } of found.entries) {
      const subject = `${source}:${dir} header #${hnum}`;
      let h: Header;
      try {
        h = Header.parse(blob, { magic: false, subject });
      } catch (err) {
        throw new RfsError('RFS_RPMDB', `reading the base's rpmdb: header #${hnum} is damaged`, { subject, cause: err, hint: 'rebuild the base image\'s rpmdb (rpm --rebuilddb) or build on another base' });
      }
      if (h.string(TAG.NAME) === 'gpg-pubkey') pubkeys.push(blob);
      else packages.push({ pkg: installedPackage(h, subject), blob });
    }
    const rpm = packages.find((p) => p.pkg.name === 'rpm');
    // /var/lib/rpm -> ../../usr/lib/sysimage/rpm: the real directory is the one written to
    const path = tree.resolveParent(`${dir}/Packages`).slice(0, -'/Packages'.length);
    return {
      target: {
        flavour: found.flavour, path,
        rpmVersion: rpm?.pkg.version ?? DEFAULT_VERSION[found.flavour],
        ...(found.endian ? { endian: found.endian } : {}),
      },
      packages, pubkeys,
    };
  }
  return null;
}

function installedPackage(h: Header, subject: string): RepoPackage {
  const m = packageMeta(h, { subject });
  return {
    name: m.name, epoch: m.epoch ?? 0, version: m.version, release: m.release, arch: m.arch, repo: SYSTEM_REPO,
    location: '', checksum: { type: 'sha256', value: '' }, packageSize: 0, installedSize: m.size,
    summary: m.summary, sourcerpm: m.sourcerpm, buildtime: m.buildtime, license: m.license, vendor: m.vendor, group: m.group,
    files: m.files.map((f) => f.path),
    provides: m.provides, requires: m.requires, conflicts: m.conflicts, obsoletes: m.obsoletes,
    recommends: m.recommends, suggests: m.suggests, supplements: m.supplements, enhances: m.enhances,
  };
}

const filesOf = (p: InstalledPackage): RpmFile[] => fileList(Header.parse(p.blob, { magic: false }));

/**
 * Mark the base's files with the installed package that owns them and the digest its header
 * states, so merging new packages over them reports a real conflict and shares identical files.
 */
export function annotateOwners(tree: ImageTree, sys: InstalledSystem): void {
  for (const p of sys.packages) {
    const nevra = nevraOf(p.pkg);
    for (const f of filesOf(p)) {
      const node = tree.get(f.path);
      if (!node || node.type === 'dir' || node.owner !== undefined) continue;
      node.owner = nevra;
      if (node.type === 'file' && f.digest) node.digest = f.digest;
      if (f.color) node.color = f.color;
    }
  }
}

/**
 * rpm's erase half of the transaction, before the new packages go in: the files of installed
 * packages the transaction replaces or removes, unless a package that stays owns them too;
 * their directories when left empty and owned by no remaining package. %config files the image
 * changed follow rpm's rules (config-files.ts): the merge then skips or redirects the new ones.
 * `shipped`: the new packages' files by resolved path, with their header's digest algorithm.
 */
export function eraseReplaced(
  tree: ImageTree, sys: InstalledSystem, changes: readonly InstalledChange[], shipped: ShippedFiles,
): { kept: InstalledPackage[] } & ConfigFate {
  const gone = new Set(changes.map((c) => c.from));
  const kept = sys.packages.filter((p) => !gone.has(p.pkg));
  const fate: ConfigFate = { handled: new Set(), redirects: new Map(), notes: [] };
  if (gone.size === 0) return { kept, ...fate };
  const stays = new Set<string>();
  for (const p of kept) for (const f of p.pkg.files) stays.add(f);
  const dirs: string[] = [];
  for (const p of sys.packages) {
    if (!gone.has(p.pkg)) continue;
    const h = Header.parse(p.blob, { magic: false });
    const files = fileList(h).filter((f) => !stays.has(f.path));
    decideConfigFates(tree, { files, digestAlgo: h.number(TAG.FILEDIGESTALGO) ?? 1 }, shipped, fate);
    for (const f of files) {
      const node = tree.get(f.path);
      if (!node || fate.handled.has(tree.resolveParent(f.path))) continue;
      if (node.type === 'dir') dirs.push(f.path);
      else tree.remove(f.path);
    }
  }
  // deepest first, so a parent emptied by its children goes too
  dirs.sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
  for (const d of dirs) if (tree.get(d)?.type === 'dir' && tree.list(d).length === 0 && d !== posix.dirname(d)) tree.remove(d);
  return { kept, ...fate };
}
