// A base image's layers applied to the image tree, bottom first, with OCI whiteouts; each layer's
// decoded bytes are checked against its diff_id as they stream. File content is referenced, not
// held: in place in a plain tar layer, else in one decoded copy of its bodies in the work dir.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RfsError, untrusted } from '../../errors/index.js';
import { decompress } from '../../decompress/index.js';
import type { Codec } from '../../decompress/index.js';
import { readTar } from '../../tar/index.js';
import type { TarMember } from '../../tar/index.js';
import { tapChunks } from '../../util/bytes.js';
import { MemoryBudget, Spool } from '../spool.js';
import { normalizePath } from '../tree.js';
import type { ContentRef, ImageTree, TreeNode } from '../tree.js';
import { capsText, finishOwners, linkHardlinks } from './tree-fixups.js';
import { spanStream } from './blobs.js';
import { MAX_LAYER_BYTES } from './rootfs.js';
import type { BaseImage, BaseLayer } from './types.js';

export interface ApplyBaseOptions {
  workDir: string;
  signal?: AbortSignal;
  /** decoded bytes of all layers at most (default 64 GiB) */
  maxBytes?: number;
  /** members of all layers at most (default 4M) */
  maxEntries?: number;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

function codecOf(mediaType: string, source: string): Codec {
  if (mediaType.endsWith('.tar')) return 'none';
  if (mediaType.endsWith('+gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  throw new RfsError('RFS_BAD_ARCHIVE', `applying base image: layer media type "${untrusted(mediaType, 80)}" is not readable`, { subject: source });
}

/** '/'-rooted path of a member; absolute names and '..' are refused, not stripped. */
function imagePath(p: string, source: string): string {
  if (p.startsWith('/') || p.split('/').includes('..')) {
    throw new RfsError('RFS_UNSAFE_PATH', `applying base image: member "${untrusted(p)}" leaves the image root`, {
      subject: source, hint: 'layers hold relative paths without "..": the image is hostile or broken',
    });
  }
  return normalizePath(p);
}

class LayerApplier {
  /** resolved paths this layer wrote: whiteouts and opaque markers only hide lower layers */
  readonly mine = new Set<string>();
  private readonly names = new Map<string, string>();
  constructor(private readonly tree: ImageTree, private readonly source: string) {}

  private intern(s: string): string {
    return this.names.get(s) ?? (this.names.set(s, s), s);
  }

  whiteout(path: string): boolean {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash) || '/';
    const name = path.slice(slash + 1);
    if (!name.startsWith(WHITEOUT)) return false;
    if (name === OPAQUE) this.opaque(dir === '/' ? '/' : this.tree.resolveParent(dir));
    else if (!name.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
      const target = this.tree.resolveParent(`${dir === '/' ? '' : dir}/${name.slice(WHITEOUT.length)}`);
      if (!this.mine.has(target)) this.tree.remove(target);
    }
    return true; // other .wh..wh.* (aufs metadata) never enter the tree either
  }

  private opaque(dir: string): void {
    const node = dir === '/' ? { type: 'dir' } : this.tree.get(dir);
    if (node?.type !== 'dir') return;
    for (const name of this.tree.list(dir)) {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      if (!this.mine.has(p)) this.tree.remove(p);
      else if (this.tree.get(p)?.type === 'dir') this.opaque(p);
    }
  }

  put(path: string, m: TarMember, content: ContentRef | undefined): void {
    const tree = this.tree;
    const resolved = tree.resolveParent(path);
    if (m.type === 'hardlink') {
      const target = tree.resolveParent(imagePath(m.linkTarget ?? '', this.source));
      const held = tree.get(target);
      if (!held) throw new RfsError('RFS_BAD_ARCHIVE', `applying base image: hard link ${untrusted(m.path)} to a missing ${untrusted(m.linkTarget ?? '')}`, { subject: this.source });
      if (target === resolved) return;
      this.replace(resolved, held.type === 'dir');
      // one inode: the same node object at both paths until linkHardlinks picks the holder
      tree.put(resolved, held.type === 'file' ? held : { ...held });
      this.mine.add(resolved);
      return;
    }
    const node: TreeNode = {
      type: m.type, mode: m.mode, user: this.intern(`#${m.uid}`), group: this.intern(`#${m.gid}`), mtime: m.mtime, size: m.size,
      linkTarget: undefined, devMajor: undefined, devMinor: undefined, caps: undefined, content, digest: undefined, color: undefined, owner: undefined,
    };
    if (m.type === 'symlink') node.linkTarget = m.linkTarget;
    if (m.type === 'char' || m.type === 'block') {
      node.devMajor = m.devMajor;
      node.devMinor = m.devMinor;
    }
    const cap = m.xattrs['security.capability'];
    if (cap !== undefined && m.type === 'file') node.caps = capsText(cap, this.source);
    if (resolved === '/') return; // the root keeps its own metadata
    this.replace(resolved, m.type === 'dir');
    tree.put(resolved, node);
    this.mine.add(resolved);
  }

  /** A directory replaced by a non-directory (or back) takes its lower contents with it. */
  private replace(path: string, isDir: boolean): void {
    const old = this.tree.get(path);
    if (old && (old.type === 'dir') !== isDir) this.tree.remove(path);
  }
}

export async function applyBase(base: BaseImage, tree: ImageTree, opts: ApplyBaseOptions): Promise<void> {
  mkdirSync(opts.workDir, { recursive: true });
  let bytesLeft = opts.maxBytes ?? MAX_LAYER_BYTES;
  let entriesLeft = opts.maxEntries ?? 4_000_000;
  for (const [i, layer] of base.layers.entries()) {
    const used = await applyLayer(layer, i, tree, base.source, opts, bytesLeft, entriesLeft);
    bytesLeft -= used.bytes;
    entriesLeft -= used.entries;
  }
  finishOwners(tree);
  linkHardlinks(tree);
}

async function applyLayer(layer: BaseLayer, i: number, tree: ImageTree, source: string, opts: ApplyBaseOptions, maxBytes: number, maxEntries: number): Promise<{ bytes: number; entries: number }> {
  const subject = `${source} (layer ${i + 1}, ${layer.digest})`;
  const codec = codecOf(layer.mediaType, subject);
  const hash = createHash('sha256');
  let bytes = 0;
  let plain = spanStream({ file: layer.file, offset: layer.offset, size: layer.size });
  if (codec !== 'none') plain = decompress(plain, codec, { maxBytes, subject, limitOf: 'the limit for a base image\'s layers' });
  const tee = tapChunks(plain, (c) => {
    hash.update(c);
    bytes += c.length;
  });
  const spool = codec === 'none' ? undefined : new Spool(join(opts.workDir, `base-layer-${i + 1}.data`), new MemoryBudget(0));
  const applier = new LayerApplier(tree, subject);
  let entries = 0;
  try {
    for await (const rec of readTar(tee, { subject, maxBytes, maxEntries, ...(opts.signal ? { signal: opts.signal } : {}) })) {
      entries++;
      const m = rec.member;
      const path = imagePath(m.path, subject);
      if (applier.whiteout(path)) continue;
      let content: ContentRef | undefined;
      if (m.type === 'file' && m.size > 0) {
        if (spool) {
          const start = spool.offset;
          for await (const c of rec.body()) await spool.write(c);
          content = { kind: 'spool', file: spool.path, offset: start, length: m.size };
        } else {
          // in place in the layer blob, which is not ours to delete after its last read
          content = { kind: 'spool', file: layer.file, offset: layer.offset + m.offset, length: m.size, keep: true };
        }
      }
      applier.put(path, m, content);
    }
    await spool?.finish();
  } finally {
    await spool?.close();
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== layer.diffId) {
    throw new RfsError('RFS_CHECKSUM_MISMATCH', `applying base image: layer ${i + 1} decodes to ${got}, its config says ${untrusted(layer.diffId, 80)}`, {
      subject, hint: 'the image was changed or corrupted after it was written; export or pull it again',
    });
  }
  return { bytes, entries };
}
