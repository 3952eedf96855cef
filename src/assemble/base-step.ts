// The parts of a build on a base image (--from, update) that assemble() calls around the base
// module (loaded only for such builds): argument checks, the solver's upgrade targets, the
// advisories named in the result, the emulator's view of the installed packages, the new layer.
import { RfsError } from '../errors/index.js';
import type { Advisory, BaseChange } from '../types/index.js';
import { advisoriesFor } from '../metadata/advisories.js';
import type { LoadedRepo } from '../metadata/load.js';
import { nevraOf, type InstalledChange } from '../solver/index.js';
import type { ScriptletPackage } from '../scriptlets/index.js';
import type { TarEntry } from '../tar/index.js';
import type { InstalledPackage, InstalledSystem } from './base/index.js';
import type { ShippedFile, ShippedFiles } from './base/config-files.js';
import type { InstalledScriptlets } from './finish-step.js';
import type { AssembleOptions } from './options.js';
import type { OutputLayer } from './output/index.js';
import type { UnpackedPackage } from './unpack.js';
import type { ImageTree } from './tree.js';
import { toAsync } from './entries.js';

export function baseTopLayer(entries: () => Generator<TarEntry>, comment: string): OutputLayer[] {
  return [{ entries: () => toAsync(entries()), comment }];
}

/** --from takes what was asked only, keeps the base's rpmdb format, and adds one layer. */
export function checkFromArgs(o: AssembleOptions): void {
  const bad = (what: string, hint: string): RfsError => new RfsError('RFS_USAGE', `--from: ${what}`, { subject: o.from, hint });
  if (o.from === '') throw bad('expected an image (OCI layout, archive, tar, directory or docker://REF)', 'see rootfs-assemble help build');
  if (o.rpmdb !== undefined || o.rpmdbPath !== undefined) throw bad('the base\'s rpmdb keeps its own format and path', 'leave --rpmdb/--rpmdb-path out');
  if ((o.layers ?? 1) > 1) throw bad('the build adds exactly one layer to the base\'s', 'leave --layers out');
  if (o.platforms !== undefined) throw bad('a base is one platform', 'build each platform on its own base, with --arch');
  // a lock pins what to install, not what an installed system's upgrades replace
  if (o.locked !== undefined) throw bad('--locked installs a fixed set from scratch; on a base the set depends on what the base holds', 'leave --locked out (--lockfile still records what this build installed)');
}

/** The history comment of the layer a build on a base adds: what it installed and replaced. */
export function baseLayerComment(ordered: UnpackedPackage[], changes: readonly InstalledChange[]): string {
  const erased = changes.filter((c) => c.kind === 'erase').map((c) => nevraOf(c.from));
  return [
    ordered.length ? `rpm install: ${ordered.map((u) => u.nevra).join(' ')}` : 'rpm: nothing to install',
    ...(erased.length ? [`erase: ${erased.join(' ')}`] : []),
  ].join('; ');
}

export function changeOf(c: InstalledChange, advisories: readonly Advisory[]): BaseChange {
  if (c.kind === 'erase') return { kind: c.kind, from: nevraOf(c.from) };
  const named = advisoriesFor(advisories, c.to).map((a) => ({ id: a.id, type: a.type, ...(a.severity ? { severity: a.severity } : {}) }));
  return { kind: c.kind, from: nevraOf(c.from), to: nevraOf(c.to), ...(named.length ? { advisories: named } : {}) };
}

/** Every repo's updateinfo.xml advisories (repos without one have none), loaded only for upgrades. */
export async function loadAdvisories(loaded: readonly LoadedRepo[]): Promise<Advisory[]> {
  const lists = await Promise.all(loaded.filter((r) => r.hasUpdateinfo).map((r) => r.loadUpdateinfo()));
  return lists.flat();
}

/** dnf --security: the packages security advisories ship, as NEVRAs (Request.upgradeTargets). */
export function securityNevras(advisories: readonly Advisory[]): Set<string> {
  return new Set(advisories.filter((a) => a.type === 'security').flatMap((a) => a.packages.map((p) => nevraOf(p))));
}

/** The scriptlet emulator's view of the base: packages staying, and those the transaction replaces. */
export function installedScriptlets(
  sys: InstalledSystem, kept: InstalledPackage[], changes: readonly InstalledChange[], scriptletPackage: (p: InstalledPackage) => ScriptletPackage,
): InstalledScriptlets {
  const byPkg = new Map(sys.packages.map((p) => [p.pkg, p]));
  const upgradedBy = new Map<ScriptletPackage, string>();
  const erased = changes.map((c) => {
    const sp = scriptletPackage(byPkg.get(c.from)!);
    if (c.kind !== 'erase') upgradedBy.set(sp, c.to.name);
    return sp;
  });
  return { packages: kept.map(scriptletPackage), erased, upgradedBy };
}

/**
 * The new packages' files that land on a file of the base, by resolved path, with their header's
 * digest algorithm (config-files.ts decides what happens to the base's changed %config files).
 */
export function shippedFiles(tree: ImageTree, ordered: UnpackedPackage[]): ShippedFiles {
  const out = new Map<string, ShippedFile>();
  for (const u of ordered) {
    for (const f of u.files()) {
      const path = tree.resolveParent(f.path);
      if (tree.get(path)?.type === 'file') out.set(path, { file: { digest: f.digest, flags: f.flags }, digestAlgo: u.meta.fileDigestAlgo });
    }
  }
  return out;
}
