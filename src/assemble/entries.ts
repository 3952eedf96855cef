// The tree as tar entries, in walk order, with owner names mapped to the image's own ids.
import { encodeCapability, fileBody } from '../tar/index.js';
import type { TarEntry } from '../tar/index.js';
import type { OwnerResolver } from './owners.js';
import type { ContentRef, ImageTree } from './tree.js';

function body(ref: ContentRef): () => AsyncIterable<Uint8Array> | Uint8Array {
  if (ref.kind === 'bytes') return () => ref.data;
  return fileBody(ref.file, ref.offset, ref.length);
}

export function* treeEntries(tree: ImageTree, owners: OwnerResolver): Generator<TarEntry> {
  const written = new Set<string>();
  for (const [path, n] of tree.walk()) {
    const u = owners.user(n.user);
    const g = owners.group(n.group);
    const common = { path, mode: n.mode, uid: u.id, gid: g.id, uname: u.name, gname: g.name, mtime: n.mtime };
    if (n.type === 'hardlink') {
      const target = n.linkTarget !== undefined ? tree.get(n.linkTarget) : undefined;
      if (n.linkTarget !== undefined && target?.type === 'file' && written.has(n.linkTarget)) {
        yield { ...common, type: 'hardlink', size: 0, linkTarget: n.linkTarget };
        continue;
      }
      // The data holder was replaced or dropped: write the bytes as a plain file.
      const data = target?.content;
      yield { ...common, type: 'file', size: target?.size ?? 0, ...(data ? { body: body(data) } : {}) };
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
      ...(n.type === 'file' && n.content ? { body: body(n.content) } : {}),
    };
    if (n.type === 'file') written.add(path);
    yield entry;
  }
}
