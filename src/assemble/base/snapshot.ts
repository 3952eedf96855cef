// What the base put into the tree, so the build's own layer (--from, issue #14) holds only what
// changed after it: new and changed nodes with the parent directories they need, and OCI
// whiteouts for what was removed (image-spec layer.md).
import { posix } from 'node:path';
import { walkOrder } from '../tree.js';
import type { ContentRef, ImageTree, TreeNode } from '../tree.js';

const TYPE_BITS: Record<TreeNode['type'], number> = { file: 1, dir: 2, symlink: 3, hardlink: 4, char: 5, block: 6, fifo: 7 };

/** type and permission bits in one small integer */
const kindOf = (n: TreeNode): number => (TYPE_BITS[n.type] << 16) | n.mode;
/** device numbers and capabilities, rare: one field, a string only where there are any */
const rareOf = (n: TreeNode): string | undefined =>
  (n.devMajor === undefined && n.devMinor === undefined && n.caps === undefined ? undefined : `${n.devMajor ?? ''}:${n.devMinor ?? ''}:${n.caps ?? ''}`);

/**
 * A base node's fields as applied: chmod/chown change nodes in place and writes replace the
 * content ref, so fields and the ref itself are kept, not the node. One class, every field set
 * in one order, few fields: one V8 hidden class for 100k+ nodes (bench/RESULTS-manyfiles.md);
 * with its path and map entry ~230 bytes a node (test/assemble/memory-bounds.test.ts).
 */
class Was {
  /** 2 x the diff pass that last met this path in the tree, + 1 when it was a directory then */
  seen = 0;
  readonly kind: number;
  readonly user: string;
  readonly group: string;
  readonly mtime: number;
  readonly size: number;
  readonly linkTarget: string | undefined;
  readonly rare: string | undefined;
  readonly content: ContentRef | undefined;
  constructor(n: TreeNode) {
    this.kind = kindOf(n);
    this.user = n.user;
    this.group = n.group;
    this.mtime = n.mtime;
    this.size = n.size;
    this.linkTarget = n.linkTarget;
    this.rare = rareOf(n);
    this.content = n.content;
  }
}

export interface BaseSnapshot {
  readonly was: Map<string, Was>;
  /** diffLayer calls so far: marks paths still present without clearing the last call's marks */
  passes: number;
}

export interface DiffLayer {
  /** tree paths in walk (tar) order, parents first: new and changed nodes and the directories they need */
  paths: string[];
  /** the topmost removed paths, in walk order; each one's parent directory is in `paths` */
  whiteouts: string[];
}

/** Take right after the base is applied to the tree, before anything is installed. */
export function snapshotBase(tree: ImageTree): BaseSnapshot {
  const was = new Map<string, Was>();
  for (const [path, n] of tree.walk()) was.set(path, new Was(n));
  return { was, passes: 0 };
}

function changed(w: Was | undefined, n: TreeNode): boolean {
  return w === undefined || w.kind !== kindOf(n) || w.user !== n.user || w.group !== n.group || w.mtime !== n.mtime
    || w.size !== n.size || w.linkTarget !== n.linkTarget || w.content !== n.content || w.rare !== rareOf(n);
}

/** The layer that turns the base into the tree as it is now. */
export function diffLayer(tree: ImageTree, snap: BaseSnapshot): DiffLayer {
  const pass = ++snap.passes;
  // 1: mark what is still there; note the data holders of hard links
  const holders = new Set<string>();
  for (const [path, n] of tree.walk()) {
    const w = snap.was.get(path);
    if (w) w.seen = 2 * pass + (n.type === 'dir' ? 1 : 0);
    if (n.type === 'hardlink' && n.linkTarget !== undefined) holders.add(n.linkTarget);
  }
  // a hard link whose data changed goes into the layer with it
  const dirtyHolders = new Set<string>();
  for (const h of holders) {
    const n = tree.get(h);
    if (n?.type === 'file' && changed(snap.was.get(h), n)) dirtyHolders.add(h);
  }
  // 2: the topmost removed paths. Under a directory now a file or symlink there are none: the
  // entry replacing the directory removes all of it (layer.md, "Changeset over existing files").
  const whiteouts: string[] = [];
  const whiteoutDirs = new Set<string>();
  for (const [path, w] of snap.was) {
    if (w.seen >> 1 === pass) continue;
    const parent = posix.dirname(path);
    if (parent !== '/' && snap.was.get(parent)?.seen !== 2 * pass + 1) continue;
    whiteouts.push(path);
    whiteoutDirs.add(parent);
  }
  whiteouts.sort(walkOrder);
  // 3: changed nodes in walk order, each after the directories it needs (with their final metadata)
  const paths: string[] = [];
  const inLayer = new Set<string>(); // only directories are looked up
  const add = (path: string): void => {
    const missing: string[] = [];
    for (let d = posix.dirname(path); d !== '/' && !inLayer.has(d); d = posix.dirname(d)) missing.push(d);
    for (let i = missing.length - 1; i >= 0; i--) {
      inLayer.add(missing[i]!);
      paths.push(missing[i]!);
    }
    paths.push(path);
    inLayer.add(path);
  };
  for (const [path, n] of tree.walk()) {
    const dirty = changed(snap.was.get(path), n)
      || (n.type === 'hardlink' && n.linkTarget !== undefined && dirtyHolders.has(n.linkTarget));
    if (dirty || whiteoutDirs.has(path)) add(path);
  }
  return { paths, whiteouts };
}
