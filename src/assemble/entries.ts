// The tree as tar entries, in walk order, with owner names mapped to the image's own ids.
import { encodeCapability } from '../tar/index.js';
import type { TarEntry } from '../tar/index.js';
import type { OwnerResolver } from './owners.js';
import type { SpoolReader } from './spool.js';
import type { ContentRef, ImageTree, TreeNode } from './tree.js';

type Planned = [entry: TarEntry, content: ContentRef | undefined];

/**
 * The tree's tar entries; spooled content is read through `spool` (the caller closes it). The
 * whole list is planned first so the reader knows how often each spool file will be read and
 * can delete it after its last slice: its page-cache memory is then reused for the output
 * instead of new pages being taken (bench/RESULTS-big.md).
 */
export function* treeEntries(tree: ImageTree, owners: OwnerResolver, spool: SpoolReader): Generator<TarEntry> {
  const plan = [...planEntries(tree, tree.walk(), owners)];
  for (const [, ref] of plan) if (ref?.kind === 'spool') spool.expect(ref.file);
  yield* withBodies(plan, spool);
}

/**
 * One entry list per layer (each a list of tree paths in walk order, see layers.ts), all planned
 * up front so the spool reader knows every read of every layer before the first one is written.
 */
export function layerEntries(tree: ImageTree, layers: string[][], owners: OwnerResolver, spool: SpoolReader): (() => Generator<TarEntry>)[] {
  const plans = layers.map((paths) => [...planEntries(tree, paths.map((p): [string, TreeNode] => [p, tree.get(p)!]), owners)]);
  for (const plan of plans) for (const [, ref] of plan) if (ref?.kind === 'spool') spool.expect(ref.file);
  return plans.map((plan) => () => withBodies(plan, spool));
}

function* withBodies(plan: Planned[], spool: SpoolReader): Generator<TarEntry> {
  for (const [entry, ref] of plan) {
    if (ref === undefined) yield entry;
    else if (ref.kind === 'bytes') yield { ...entry, body: () => ref.data };
    else yield { ...entry, body: () => spool.read(ref.file, ref.offset, ref.length) };
  }
}

function* planEntries(tree: ImageTree, nodes: Iterable<[string, TreeNode]>, owners: OwnerResolver): Generator<Planned> {
  // a hard link whose data holder is not in this same entry list gets the bytes itself
  const written = new Set<string>();
  for (const [path, n] of nodes) {
    const u = owners.user(n.user);
    const g = owners.group(n.group);
    const common = { path, mode: n.mode, uid: u.id, gid: g.id, uname: u.name, gname: g.name, mtime: n.mtime };
    if (n.type === 'hardlink') {
      const target = n.linkTarget !== undefined ? tree.get(n.linkTarget) : undefined;
      if (n.linkTarget !== undefined && target?.type === 'file' && written.has(n.linkTarget)) {
        yield [{ ...common, type: 'hardlink', size: 0, linkTarget: n.linkTarget }, undefined];
        continue;
      }
      // The data holder was replaced or dropped: write the bytes as a plain file.
      yield [{ ...common, type: 'file', size: target?.size ?? 0 }, target?.content];
      continue;
    }
    const xattrs = n.caps ? { 'security.capability': encodeCapability(n.caps) } : undefined;
    const entry: TarEntry = {
      ...common,
      type: n.type,
      size: n.type === 'file' ? n.size : 0,
      ...(n.linkTarget !== undefined && n.type === 'symlink' ? { linkTarget: n.linkTarget } : {}),
      ...(n.devMajor !== undefined ? { devMajor: n.devMajor, devMinor: n.devMinor ?? 0 } : {}),
      ...(xattrs ? { xattrs } : {}),
    };
    if (n.type === 'file') written.add(path);
    yield [entry, n.type === 'file' ? n.content : undefined];
  }
}
