// Package-chunked layers (--layers N), after rpm-ostree's chunked images: every path is written
// exactly once, in the layer of the package that shipped it when the file is as the package left
// it, otherwise (scriptlets, finish steps, rpmdb) in the final layer. Each layer carries the
// parent directories it needs, with their final metadata, so it is a valid tar on its own.
import { posix } from 'node:path';
import { RfsError } from '../errors/index.js';
import type { ImageTree, TreeNode } from './tree.js';

/** A package file as merge left it: [path, mode, user, group] per node (chmod/chown mutate in place). */
export type PristineSnapshot = Map<TreeNode, string>;

export interface LayerPackage {
  nevra: string;
  name: string;
  buildtime: number;
}

export interface LayerPlan {
  /** nevras of the packages in this layer, sorted; empty for the final layer */
  packages: string[];
  /** paths in tar (walk) order, parents first */
  paths: string[];
}

/**
 * Files that other packages' scriptlets rewrite (useradd, ldconfig): always in the final layer,
 * so the package that ships them keeps the same layer whichever packages are installed beside it.
 */
const VOLATILE = new Set(['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/ld.so.cache']);

const sig = (path: string, n: TreeNode): string => `${path}\0${n.mode}\0${n.user}\0${n.group}`;

/** Take right after merge, before scriptlets: what each package installed, unchanged. */
export function snapshotPristine(tree: ImageTree): PristineSnapshot {
  const snap: PristineSnapshot = new Map();
  for (const [path, n] of tree.walk()) if (n.owner !== undefined) snap.set(n, sig(path, n));
  return snap;
}

/** FNV-1a: a package name's bin, stable across builds, Node versions and platforms. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Group packages into at most `slots` layers. Up to `slots` packages: one layer each. Otherwise
 * the largest get one layer each and the rest go to bins by a hash of their name, so a package
 * keeps its bin whatever else is installed or updated. A quarter of the slots are bins.
 */
export function groupPackages(pkgs: { key: string; name: string; size: number; buildtime: number }[], slots: number): string[][] {
  const bySize = [...pkgs].sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (bySize.length <= slots) return orderOwn(bySize);
  const bins = Math.max(1, Math.ceil(slots / 4));
  const own = bySize.slice(0, slots - bins);
  const binned: string[][] = Array.from({ length: bins }, () => []);
  for (const p of bySize.slice(slots - bins)) binned[fnv1a(p.name) % bins]!.push(p.key);
  return [...orderOwn(own), ...binned.filter((b) => b.length > 0).map((b) => b.sort())];
}

/** Own layers oldest build first: those change least, and a changed layer re-keys every later one locally. */
function orderOwn(pkgs: { key: string; buildtime: number }[]): string[][] {
  return [...pkgs].sort((a, b) => a.buildtime - b.buildtime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((p) => [p.key]);
}

/** Split the finished tree into at most `max` layers (max >= 2: the last one is the final layer). */
export function planLayers(tree: ImageTree, pristine: PristineSnapshot, pkgs: LayerPackage[], max: number): LayerPlan[] {
  const info = new Map(pkgs.map((p) => [p.nevra, p]));
  // hard-link groups stay whole: a group with any changed member goes to the final layer
  const changedGroup = new Set<string>();
  const nodes: [string, TreeNode][] = [];
  for (const [path, n] of tree.walk()) {
    nodes.push([path, n]);
    if (n.type === 'hardlink' && n.linkTarget !== undefined && !isPristine(path, n, pristine)) changedGroup.add(n.linkTarget);
  }
  const FINAL = '';
  const FLOAT = '\0'; // an unowned directory: written where a layer needs it, else in the final layer
  const owner = (path: string, n: TreeNode): string => {
    if (n.type === 'hardlink') {
      const t = n.linkTarget !== undefined ? tree.get(n.linkTarget) : undefined;
      if (!t || !n.linkTarget || changedGroup.has(n.linkTarget) || !isPristine(n.linkTarget, t, pristine)) return FINAL;
    }
    if (isPristine(path, n, pristine) && !changedGroup.has(path) && !VOLATILE.has(path) && info.has(n.owner!)) return n.owner!;
    return n.type === 'dir' && n.owner === undefined && !pristine.has(n) ? FLOAT : FINAL;
  };
  const assigned = nodes.map(([path, n]) => owner(path, n));
  const sizes = new Map<string, number>();
  assigned.forEach((k, i) => { if (k !== FINAL && k !== FLOAT) sizes.set(k, (sizes.get(k) ?? 0) + nodes[i]![1].size); });
  const groups = groupPackages([...sizes].map(([key, size]) => ({ key, size, name: info.get(key)!.name, buildtime: info.get(key)!.buildtime })), max - 1);
  const layerOf = new Map<string, number>();
  groups.forEach((g, i) => { for (const k of g) layerOf.set(k, i); });
  const final = groups.length;
  const plans: LayerPlan[] = [...groups.map((g) => ({ packages: g, paths: [] as string[] })), { packages: [], paths: [] }];
  // directories each layer already has; a floating directory no package layer needs goes last
  const has = plans.map(() => new Set<string>());
  const needed = new Set<string>();
  const add = (layer: number, path: string): void => {
    const missing: string[] = [];
    for (let d = posix.dirname(path); d !== '/' && !has[layer]!.has(d); d = posix.dirname(d)) missing.push(d);
    for (let i = missing.length - 1; i >= 0; i--) {
      has[layer]!.add(missing[i]!);
      plans[layer]!.paths.push(missing[i]!);
      if (layer !== final) needed.add(missing[i]!);
    }
    plans[layer]!.paths.push(path);
    has[layer]!.add(path); // only directories are ever looked up
  };
  const floating: string[] = [];
  nodes.forEach(([path], i) => {
    const k = assigned[i]!;
    if (k === FLOAT) floating.push(path);
    else if (k !== FINAL) add(layerOf.get(k)!, path);
  });
  // the final layer in walk order, floating directories only where no package layer has them
  const unneeded = new Set(floating.filter((p) => !needed.has(p)));
  nodes.forEach(([path], i) => {
    const k = assigned[i]!;
    if (k === FINAL || (k === FLOAT && unneeded.has(path) && !has[final]!.has(path))) add(final, path);
  });
  return plans.filter((p, i) => i === final || p.paths.length > 0);
}

function isPristine(path: string, n: TreeNode, pristine: PristineSnapshot): boolean {
  return n.owner !== undefined && pristine.get(n) === sig(path, n);
}

export const MAX_LAYERS = 125; // docker's limit on a layer chain

/** RFS_USAGE for a bad count, or several layers asked of a one-tree format (before any network work). */
export function checkLayers(layers: number | undefined, format: string): void {
  if (layers === undefined) return;
  if (!Number.isInteger(layers) || layers < 1 || layers > MAX_LAYERS) {
    throw new RfsError('RFS_USAGE', `--layers: expected 1..${MAX_LAYERS}, got ${String(layers)}`, { subject: String(layers) });
  }
  if (layers > 1 && (format === 'tar' || format === 'dir')) {
    throw new RfsError('RFS_USAGE', `--layers ${layers}: format "${format}" is one tree and cannot hold layers`, {
      subject: format, hint: 'use --format oci, oci-archive or docker-archive, or leave --layers out',
    });
  }
}

/** The history comment of a layer: its packages, or what the final layer holds. */
export function layerComment(plan: LayerPlan): string {
  return plan.packages.length > 0 ? `rpm packages: ${plan.packages.join(' ')}` : 'rpmdb and files changed by scriptlets and finish steps';
}
