// The tree as tar entries, in walk order, with owner names mapped to the image's own ids.
import { encodeCapability } from '../tar/index.js';
import type { TarEntry } from '../tar/index.js';
import type { OwnerResolver } from './owners.js';
import type { SpoolReader } from './spool.js';
import { walkOrder } from './tree.js';
import type { ContentRef, ImageTree, TreeNode } from './tree.js';

type Planned = [entry: TarEntry, content: ContentRef | undefined];

/**
 * The tree's tar entries; spooled content is read through `spool` (the caller closes it). A first
 * pass over the tree tells the reader how often each spool file will be read, so it can delete it
 * after its last slice: its page-cache memory is then reused for the output instead of new pages
 * being taken (bench/RESULTS-big.md). The entries are planned again as they are written, not held:
 * a plan of every entry cost ~1 KB per file (bench/RESULTS-manyfiles.md).
 */
export function* treeEntries(tree: ImageTree, owners: OwnerResolver, spool: SpoolReader): Generator<TarEntry> {
  expectReads(planEntries(tree, tree.walk(), owners), spool);
  yield* withBodies(planEntries(tree, tree.walk(), owners), spool);
}

/**
 * One entry list per layer (each a list of tree paths in walk order, see layers.ts), all counted
 * up front so the spool reader knows every read of every layer before the first one is written.
 */
export function layerEntries(tree: ImageTree, layers: string[][], owners: OwnerResolver, spool: SpoolReader): (() => Generator<TarEntry>)[] {
  for (const paths of layers) expectReads(planEntries(tree, nodesOf(tree, paths), owners), spool);
  return layers.map((paths) => () => withBodies(planEntries(tree, nodesOf(tree, paths), owners), spool));
}

/**
 * The layer on top of a base (base/snapshot.ts's diffLayer): its paths, and per removed path an
 * OCI whiteout DIR/.wh.NAME (empty root-owned file, mode 0, the tree's mtime) where a child of DIR
 * goes in tar order. Spool reads are counted now, as layerEntries does.
 */
export function diffEntries(tree: ImageTree, diff: { paths: string[]; whiteouts: string[] }, owners: OwnerResolver, spool: SpoolReader): () => Generator<TarEntry> {
  const marks = diff.whiteouts.map((p) => { const i = p.lastIndexOf('/'); return `${p.slice(0, i)}/.wh.${p.slice(i + 1)}`; }).sort(walkOrder);
  const mtime = tree.get('/')!.mtime;
  const plan = (): Generator<Planned> => withWhiteouts(planEntries(tree, nodesOf(tree, diff.paths), owners), marks, mtime);
  expectReads(plan(), spool);
  return () => withBodies(plan(), spool);
}

function nodesOf(tree: ImageTree, paths: string[]): Iterable<[string, TreeNode]> {
  return paths.map((p): [string, TreeNode] => [p, tree.get(p)!]);
}

function* withWhiteouts(plan: Iterable<Planned>, marks: string[], mtime: number): Generator<Planned> {
  let i = 0;
  const mark = (path: string): Planned => [{
    path, type: 'file', mode: 0, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime, size: 0,
    linkTarget: undefined, devMajor: undefined, devMinor: undefined, xattrs: undefined, body: undefined,
  }, undefined];
  for (const planned of plan) {
    while (i < marks.length && walkOrder(marks[i]!, planned[0].path) < 0) yield mark(marks[i++]!);
    yield planned;
  }
  while (i < marks.length) yield mark(marks[i++]!);
}

function expectReads(plan: Iterable<Planned>, spool: SpoolReader): void {
  for (const [, ref] of plan) if (ref?.kind === 'spool' && ref.keep !== true) spool.expect(ref.file);
}

function* withBodies(plan: Iterable<Planned>, spool: SpoolReader): Generator<TarEntry> {
  for (const [entry, ref] of plan) {
    // the entry is this plan's own: set in place (a spread copy got a V8 hidden class per entry)
    if (ref?.kind === 'bytes') entry.body = () => ref.data;
    else if (ref?.kind === 'spool') entry.body = () => spool.read(ref.file, ref.offset, ref.length);
    yield entry;
  }
}

/**
 * Every field set, in one order: entries built by object spread got one V8 hidden class each,
 * allocated in the old generation, ~1 KB of garbage per file (bench/RESULTS-manyfiles.md).
 */
function tarEntry(path: string, type: TarEntry['type'], n: TreeNode, owners: OwnerResolver, size: number): TarEntry {
  const u = owners.user(n.user);
  const g = owners.group(n.group);
  return {
    path, type, mode: n.mode, uid: u.id, gid: g.id, uname: u.name, gname: g.name, mtime: n.mtime, size,
    linkTarget: undefined, devMajor: undefined, devMinor: undefined, xattrs: undefined, body: undefined,
  };
}

function* planEntries(tree: ImageTree, nodes: Iterable<[string, TreeNode]>, owners: OwnerResolver): Generator<Planned> {
  // a hard link whose data holder is not in this same entry list gets the bytes itself
  const written = new Set<string>();
  for (const [path, n] of nodes) {
    if (n.type === 'hardlink') {
      const target = n.linkTarget !== undefined ? tree.get(n.linkTarget) : undefined;
      if (n.linkTarget !== undefined && target?.type === 'file' && written.has(n.linkTarget)) {
        const e = tarEntry(path, 'hardlink', n, owners, 0);
        e.linkTarget = n.linkTarget;
        yield [e, undefined];
        continue;
      }
      // The data holder was replaced or dropped: write the bytes as a plain file.
      yield [tarEntry(path, 'file', n, owners, target?.size ?? 0), target?.content];
      continue;
    }
    const e = tarEntry(path, n.type, n, owners, n.type === 'file' ? n.size : 0);
    if (n.linkTarget !== undefined && n.type === 'symlink') e.linkTarget = n.linkTarget;
    if (n.devMajor !== undefined) {
      e.devMajor = n.devMajor;
      e.devMinor = n.devMinor ?? 0;
    }
    if (n.caps) e.xattrs = { 'security.capability': encodeCapability(n.caps) };
    if (n.type === 'file') written.add(path);
    yield [e, n.type === 'file' ? n.content : undefined];
  }
}

/** A generator of entries as the AsyncIterable the outputs take. */
export async function* toAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}
