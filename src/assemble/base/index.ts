// --from IMAGE: the base read into the tree, its rpmdb as the installed system, and what the
// build needs to write one new layer on top of it.
import { Header, packageMeta } from '../../rpm/index.js';
import type { ScriptletPackage } from '../../scriptlets/index.js';
import { nevraOf } from '../../solver/index.js';
import type { ImageTree } from '../tree.js';
import { applyBase } from './apply.js';
import { readInstalled, type InstalledPackage, type InstalledSystem } from './installed.js';
import { openBase, type OpenBaseOptions } from './open.js';
import { snapshotBase, type BaseSnapshot } from './snapshot.js';
import type { BaseImage } from './types.js';

export { annotateOwners, eraseReplaced, SYSTEM_REPO } from './installed.js';
export type { InstalledPackage, InstalledSystem } from './installed.js';
export type { BaseImage } from './types.js';
export { diffLayer } from './snapshot.js';

export interface PreparedBase {
  image: BaseImage;
  /** null when the base has no rpmdb: its files are then owned by no package */
  installed: InstalledSystem | null;
  /** the tree as the base left it, before anything of this build */
  snapshot: BaseSnapshot;
}

/** where the base's copies and pulled blobs go, the build's arch, and registry access for docker:// */
export type BaseOptions = OpenBaseOptions;

export async function prepareBase(from: string, tree: ImageTree, opts: BaseOptions): Promise<PreparedBase> {
  const image = await openBase(from, opts);
  await applyBase(image, tree, { workDir: opts.workDir, ...(opts.signal ? { signal: opts.signal } : {}) });
  const snapshot = snapshotBase(tree);
  const installed = await readInstalled(tree, from);
  return { image, installed, snapshot };
}

/** An installed package as the scriptlet emulator sees packages: its header's scriptlets, triggers and files. */
export function scriptletPackage(p: InstalledPackage): ScriptletPackage {
  const meta = packageMeta(Header.parse(p.blob, { magic: false }));
  return { nevra: nevraOf(p.pkg), name: p.pkg.name, meta: { ...meta, files: meta.files.map((f) => ({ path: f.path })) } };
}
